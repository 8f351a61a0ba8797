package jctr.kernel.layer;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

import jctr.kernel.InvalidConfigException;
import jctr.kernel.ResourceLimitException;

/**
 * Reads a tar archive from an untrusted stream: ustar, GNU ({@code ././@LongLink} long names and
 * link names) and PAX ({@code path}, {@code linkpath}, {@code size}, {@code mtime}, {@code atime},
 * {@code uid}, {@code gid}, {@code SCHILY.xattr.*}; global headers too). Every header checksum is
 * verified; numbers may be octal or GNU base-256.
 *
 * <p>Errors name the member and its byte offset: a malformed archive (bad checksum, bad number,
 * truncated stream, unsupported member type such as GNU sparse files) is an
 * {@link InvalidConfigException}; exceeding a {@link TarLimits} bound is a
 * {@link ResourceLimitException}. A stream that ends at a header boundary without the two
 * end-of-archive blocks is accepted (docker build sends such streams). After the end blocks the rest
 * of the stream is read and discarded, so a digest computed over the stream by the caller is complete.
 * An {@link IOException} of the stream itself (e.g. a corrupt gzip layer underneath) is reported as an
 * {@link InvalidConfigException} too, naming the offset.
 *
 * <p>Member types read: regular (also contiguous {@code 7}), hard link, symlink, character and block
 * device, directory, FIFO. Header-only types never carry content, whatever their size field says
 * (like Go's archive/tar, which wrote most image layers).
 */
public final class TarReader {

    static final int BLOCK = 512;
    /** The largest PAX extended header or GNU long name we accept (they are read into memory). */
    static final int MAX_METADATA = 1 << 20;

    private final InputStream in;
    private final TarLimits limits;
    private final String source;
    private final byte[] block = new byte[BLOCK];
    private final Map<String, String> globalPax = new HashMap<>();

    private long position;
    private long entries;
    private long remaining;
    private long padding;
    private long entryOffset;
    private String entryName = "";
    private boolean ended;

    /**
     * @param in the archive (uncompressed)
     * @param limits bounds to enforce
     * @param source what the archive is, for error messages (e.g. {@code layer sha256:ab12...})
     */
    public TarReader(InputStream in, TarLimits limits, String source) {
        this.in = new BufferedInputStream(in, 1 << 16);
        this.limits = limits;
        this.source = source;
    }

    /** Byte offset of the current member's first header block in the stream. */
    public long entryOffset() {
        return entryOffset;
    }

    /**
     * The next member, or empty at the end of the archive. Content of the previous member that was
     * not read is skipped.
     */
    public Optional<TarEntry> next() {
        if (ended) {
            return Optional.empty();
        }
        skip(remaining + padding);
        remaining = 0;
        padding = 0;
        Map<String, String> pax = new HashMap<>();
        String gnuName = null;
        String gnuLink = null;
        boolean extended = false;
        while (true) {
            long headerOffset = position;
            if (!extended) {
                entryOffset = headerOffset;
                entryName = "";
            }
            int n = readBlock();
            if (n == 0 && !extended) {
                ended = true; // no end-of-archive blocks: accepted
                return Optional.empty();
            }
            if (n < BLOCK) {
                throw corrupt("header at offset " + headerOffset, "archive truncated inside a header");
            }
            if (isZero(block)) {
                if (extended) {
                    throw corrupt("header at offset " + headerOffset, "end-of-archive block after an extended header");
                }
                int second = readBlock();
                if (second != 0 && (second < BLOCK || !isZero(block))) {
                    throw corrupt("header at offset " + position, "data after an end-of-archive block");
                }
                ended = true;
                drain();
                return Optional.empty();
            }
            verifyChecksum(headerOffset);
            char typeflag = (char) (block[156] & 0xff);
            String field = "member at offset " + headerOffset;
            long size = number(124, 12, field, "size");
            if (size < 0) {
                throw corrupt(field, "negative size");
            }
            switch (typeflag) {
                case 'x', 'g' -> {
                    byte[] data = readMetadata(size, field);
                    Map<String, String> records = parsePax(data, field);
                    if (typeflag == 'g') {
                        records.forEach((k, v) -> {
                            if (v.isEmpty()) {
                                globalPax.remove(k);
                            } else {
                                globalPax.put(k, v);
                            }
                        });
                    } else {
                        pax.putAll(records);
                    }
                    extended = true;
                    continue;
                }
                case 'L', 'K' -> {
                    String value = cString(readMetadata(size, field), 0, (int) size);
                    if (typeflag == 'L') {
                        gnuName = value;
                    } else {
                        gnuLink = value;
                    }
                    extended = true;
                    continue;
                }
                default -> {
                    // a member header: handled below
                }
            }
            return Optional.of(member(typeflag, size, pax, gnuName, gnuLink, headerOffset));
        }
    }

    private TarEntry member(char typeflag, long headerSize, Map<String, String> pax, String gnuName, String gnuLink,
                            long headerOffset) {
        Map<String, String> ext = new HashMap<>(globalPax);
        pax.forEach((k, v) -> {
            if (v.isEmpty()) {
                ext.remove(k);
            } else {
                ext.put(k, v);
            }
        });
        boolean ustar = block[257] == 'u' && block[258] == 's' && block[259] == 't' && block[260] == 'a'
                && block[261] == 'r' && block[262] == 0;
        String name = cString(block, 0, 100);
        if (ustar && block[345] != 0) {
            name = cString(block, 345, 155) + "/" + name;
        }
        if (gnuName != null) {
            name = gnuName;
        }
        if (ext.containsKey("path")) {
            name = ext.get("path");
        }
        entryName = name;
        String field = describe(name, headerOffset);
        if (++entries > limits.maxEntries()) {
            throw new ResourceLimitException(source + ": " + field + ": more than " + limits.maxEntries()
                    + " members in one archive");
        }
        if (name.isEmpty()) {
            throw corrupt(field, "empty member name");
        }
        if (name.indexOf('\0') >= 0) {
            throw corrupt(field, "member name contains a NUL character");
        }
        String link = cString(block, 157, 100);
        if (gnuLink != null) {
            link = gnuLink;
        }
        if (ext.containsKey("linkpath")) {
            link = ext.get("linkpath");
        }
        if (link.indexOf('\0') >= 0) {
            throw corrupt(field, "link name contains a NUL character");
        }
        TarEntry.Type type = switch (typeflag) {
            case '0', '\0', '7' -> TarEntry.Type.REGULAR;
            case '1' -> TarEntry.Type.HARDLINK;
            case '2' -> TarEntry.Type.SYMLINK;
            case '3' -> TarEntry.Type.CHAR_DEVICE;
            case '4' -> TarEntry.Type.BLOCK_DEVICE;
            case '5' -> TarEntry.Type.DIRECTORY;
            case '6' -> TarEntry.Type.FIFO;
            case 'S' -> throw corrupt(field, "GNU sparse members are not supported");
            default -> throw corrupt(field, "unsupported member type '" + printable(typeflag) + "'");
        };
        if (ext.keySet().stream().anyMatch(k -> k.startsWith("GNU.sparse."))) {
            throw corrupt(field, "PAX sparse members are not supported");
        }
        // A regular file named "dir/" is how pre-POSIX tars wrote directories.
        if (type == TarEntry.Type.REGULAR && typeflag == '\0' && name.endsWith("/")) {
            type = TarEntry.Type.DIRECTORY;
        }
        long size = ext.containsKey("size") ? paxLong(ext.get("size"), field, "size") : headerSize;
        if (size < 0) {
            throw corrupt(field, "negative size");
        }
        if (type.hasContent() && size > limits.maxEntrySize()) {
            throw new ResourceLimitException(source + ": " + field + ": member of " + size
                    + " bytes exceeds the limit of " + limits.maxEntrySize() + " bytes");
        }
        // Header-only types carry no content whatever the size field says (as Go's archive/tar).
        long content = type.hasContent() ? size : 0;
        if (position + content > limits.maxArchiveSize()) {
            throw new ResourceLimitException(source + ": " + field + ": archive exceeds the limit of "
                    + limits.maxArchiveSize() + " bytes");
        }
        int mode = (int) (number(100, 8, field, "mode") & 07777);
        long uid = ext.containsKey("uid") ? paxLong(ext.get("uid"), field, "uid") : number(108, 8, field, "uid");
        long gid = ext.containsKey("gid") ? paxLong(ext.get("gid"), field, "gid") : number(116, 8, field, "gid");
        if (uid < 0 || uid > 0xfffffffeL || gid < 0 || gid > 0xfffffffeL) {
            throw corrupt(field, "uid or gid out of range: " + uid + ":" + gid);
        }
        Instant mtime = ext.containsKey("mtime") ? paxTime(ext.get("mtime"), field, "mtime")
                : Instant.ofEpochSecond(number(136, 12, field, "mtime"));
        Instant atime = ext.containsKey("atime") ? paxTime(ext.get("atime"), field, "atime") : null;
        int major = 0;
        int minor = 0;
        if (type == TarEntry.Type.CHAR_DEVICE || type == TarEntry.Type.BLOCK_DEVICE) {
            long maj = number(329, 8, field, "devmajor");
            long min = number(337, 8, field, "devminor");
            if (maj < 0 || maj > 0xfffffffL || min < 0 || min > 0xfffffffL) {
                throw corrupt(field, "device number out of range: " + maj + "," + min);
            }
            major = (int) maj;
            minor = (int) min;
        }
        Map<String, byte[]> xattrs = new TreeMap<>();
        for (Map.Entry<String, String> e : ext.entrySet()) {
            if (e.getKey().startsWith("SCHILY.xattr.")) {
                String attr = e.getKey().substring("SCHILY.xattr.".length());
                if (attr.isEmpty()) {
                    throw corrupt(field, "empty extended attribute name");
                }
                xattrs.put(attr, e.getValue().getBytes(StandardCharsets.ISO_8859_1));
            }
        }
        remaining = content;
        padding = (BLOCK - content % BLOCK) % BLOCK;
        return new TarEntry(name, type, mode, (int) uid, (int) gid, content, mtime, atime, link, major, minor, xattrs);
    }

    /**
     * The content of the member last returned by {@link #next}: exactly its size in bytes. A stream
     * that ends early is reported as a truncated archive.
     */
    public InputStream content() {
        return new InputStream() {
            @Override
            public int read() {
                byte[] one = new byte[1];
                return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
            }

            @Override
            public int read(byte[] b, int off, int len) {
                if (remaining == 0) {
                    return -1;
                }
                try {
                    int n = in.read(b, off, (int) Math.min(len, remaining));
                    if (n < 0) {
                        throw corrupt(describe(entryName, entryOffset), "archive truncated inside member content, "
                                + remaining + " bytes missing");
                    }
                    position += n;
                    remaining -= n;
                    return n;
                } catch (IOException e) {
                    throw unreadable(e);
                }
            }
        };
    }

    private byte[] readMetadata(long size, String field) {
        if (size > MAX_METADATA) {
            throw new ResourceLimitException(source + ": " + field + ": extended header of " + size
                    + " bytes exceeds the limit of " + MAX_METADATA);
        }
        try {
            byte[] data = in.readNBytes((int) size);
            position += data.length;
            if (data.length < size) {
                throw corrupt(field, "archive truncated inside an extended header");
            }
            skip((BLOCK - size % BLOCK) % BLOCK);
            return data;
        } catch (IOException e) {
            throw unreadable(e);
        }
    }

    /** Parses PAX records: {@code "<length> <key>=<value>\n"}, length counting the whole record. */
    private Map<String, String> parsePax(byte[] data, String field) {
        Map<String, String> out = new HashMap<>();
        int pos = 0;
        while (pos < data.length) {
            if (data[pos] == 0) {
                break; // NUL padding some writers leave
            }
            int space = pos;
            while (space < data.length && data[space] != ' ') {
                space++;
            }
            int length;
            try {
                length = Integer.parseInt(new String(data, pos, space - pos, StandardCharsets.US_ASCII));
            } catch (NumberFormatException e) {
                throw corrupt(field, "malformed PAX record length at byte " + pos);
            }
            if (space >= data.length || length <= space - pos + 1 || pos + length > data.length
                    || data[pos + length - 1] != '\n') {
                throw corrupt(field, "malformed PAX record at byte " + pos);
            }
            int eq = space + 1;
            while (eq < pos + length - 1 && data[eq] != '=') {
                eq++;
            }
            if (eq >= pos + length - 1 || eq == space + 1) {
                throw corrupt(field, "PAX record without key=value at byte " + pos);
            }
            String key = new String(data, space + 1, eq - space - 1, StandardCharsets.UTF_8);
            int valueStart = eq + 1;
            int valueLength = pos + length - 1 - valueStart;
            // xattr values are raw bytes: keep them 1:1 in a Latin-1 string; text values are UTF-8.
            String value = key.startsWith("SCHILY.xattr.")
                    ? new String(data, valueStart, valueLength, StandardCharsets.ISO_8859_1)
                    : new String(data, valueStart, valueLength, StandardCharsets.UTF_8);
            out.put(key, value);
            pos += length;
        }
        return out;
    }

    private long paxLong(String value, String field, String key) {
        if (value.length() > 19 || !value.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw corrupt(field, "bad PAX " + key + " \"" + abbreviate(value) + "\"");
        }
        return Long.parseLong(value);
    }

    private Instant paxTime(String value, String field, String key) {
        if (value.length() > 40 || !value.matches("-?[0-9]{1,19}(\\.[0-9]*)?")) {
            throw corrupt(field, "bad PAX " + key + " \"" + abbreviate(value) + "\"");
        }
        BigDecimal seconds = new BigDecimal(value.endsWith(".") ? value + "0" : value);
        BigDecimal whole = seconds.setScale(0, java.math.RoundingMode.FLOOR);
        long nanos = seconds.subtract(whole).movePointRight(9).setScale(0, java.math.RoundingMode.FLOOR).longValue();
        try {
            return Instant.ofEpochSecond(whole.longValueExact(), nanos);
        } catch (ArithmeticException | java.time.DateTimeException e) {
            throw corrupt(field, "PAX " + key + " out of range: " + abbreviate(value));
        }
    }

    /** A numeric header field: octal text, or GNU base-256 when the high bit of the first byte is set. */
    private long number(int offset, int length, String field, String name) {
        if ((block[offset] & 0x80) != 0) {
            if ((block[offset] & 0xff) == 0xff) {
                throw corrupt(field, "negative base-256 " + name);
            }
            long value = block[offset] & 0x7f;
            for (int i = 1; i < length; i++) {
                if (value > (Long.MAX_VALUE >>> 8)) {
                    throw corrupt(field, "base-256 " + name + " overflows");
                }
                value = (value << 8) | (block[offset + i] & 0xff);
            }
            return value;
        }
        int i = offset;
        int end = offset + length;
        while (i < end && (block[i] == ' ' || block[i] == 0)) {
            i++;
        }
        long value = 0;
        int digits = 0;
        for (; i < end && block[i] != ' ' && block[i] != 0; i++) {
            int d = block[i] - '0';
            if (d < 0 || d > 7) {
                throw corrupt(field, "bad octal digit in " + name + " field");
            }
            if (++digits > 21) {
                throw corrupt(field, name + " field overflows");
            }
            value = value * 8 + d;
        }
        for (; i < end; i++) {
            if (block[i] != ' ' && block[i] != 0) {
                throw corrupt(field, "garbage after the " + name + " field");
            }
        }
        return value;
    }

    private void verifyChecksum(long headerOffset) {
        long stored;
        try {
            stored = number(148, 8, "header at offset " + headerOffset, "checksum");
        } catch (InvalidConfigException e) {
            throw corrupt("header at offset " + headerOffset, "malformed header checksum field (not a tar archive?)");
        }
        long unsigned = 0;
        long signed = 0;
        for (int i = 0; i < BLOCK; i++) {
            int b = (i >= 148 && i < 156) ? ' ' : block[i];
            unsigned += b & 0xff;
            signed += b;
        }
        if (stored != unsigned && stored != signed) {
            throw corrupt("header at offset " + headerOffset, "header checksum mismatch (stored " + stored
                    + ", computed " + unsigned + "): corrupt archive");
        }
    }

    /** Reads one block; returns how many bytes were read (0 at a clean end of stream). */
    private int readBlock() {
        try {
            int n = in.readNBytes(block, 0, BLOCK);
            position += n;
            if (position > limits.maxArchiveSize()) {
                throw new ResourceLimitException(source + ": archive exceeds the limit of "
                        + limits.maxArchiveSize() + " bytes");
            }
            return n;
        } catch (IOException e) {
            throw unreadable(e);
        }
    }

    private void skip(long n) {
        try {
            long left = n;
            while (left > 0) {
                long skipped = in.skip(left);
                if (skipped <= 0) {
                    if (in.read() < 0) {
                        throw corrupt(describe(entryName, entryOffset), "archive truncated inside member content");
                    }
                    skipped = 1;
                }
                left -= skipped;
                position += skipped;
            }
        } catch (IOException e) {
            throw unreadable(e);
        }
    }

    /** Reads and discards what follows the end-of-archive blocks (padding), bounded by the archive limit. */
    private void drain() {
        try {
            byte[] buf = new byte[8192];
            int n;
            while ((n = in.read(buf)) > 0) {
                position += n;
                if (position > limits.maxArchiveSize()) {
                    throw new ResourceLimitException(source + ": archive exceeds the limit of "
                            + limits.maxArchiveSize() + " bytes");
                }
            }
        } catch (IOException e) {
            throw unreadable(e);
        }
    }

    private static boolean isZero(byte[] b) {
        for (byte x : b) {
            if (x != 0) {
                return false;
            }
        }
        return true;
    }

    private static String cString(byte[] b, int offset, int length) {
        int end = offset;
        while (end < offset + length && b[end] != 0) {
            end++;
        }
        return new String(b, offset, end - offset, StandardCharsets.UTF_8);
    }

    private static String describe(String name, long offset) {
        return name.isEmpty() ? "member at offset " + offset : "member \"" + abbreviate(name) + "\" at offset " + offset;
    }

    private static String abbreviate(String s) {
        return s.length() > 200 ? s.substring(0, 200) + "..." : s;
    }

    private static String printable(char c) {
        return c >= 0x20 && c < 0x7f ? String.valueOf(c) : String.format("\\x%02x", (int) c);
    }

    /** A failing stream (a corrupt compressed layer, a broken connection) is reported like a corrupt archive. */
    private InvalidConfigException unreadable(IOException e) {
        return new InvalidConfigException(source, "offset " + position, "cannot read the archive: " + e.getMessage(), e);
    }

    private InvalidConfigException corrupt(String field, String problem) {
        return new InvalidConfigException(source, field, problem);
    }
}
