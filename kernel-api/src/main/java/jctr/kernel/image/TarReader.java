package jctr.kernel.image;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

import jctr.kernel.InvalidConfigException;
import jctr.kernel.ResourceLimitException;

/**
 * Reads the entries of an image archive (a {@code docker save} or OCI layout tar): ustar headers with
 * POSIX pax ({@code path}, {@code linkpath}, {@code size}) and GNU long-name extensions. It only walks the
 * archive; it never writes files (layer tars are unpacked by the storage driver's safe unpacker).
 * A tar without end-of-archive blocks is accepted.
 */
final class TarReader {

    private static final int BLOCK = 512;
    private static final int EXTENSION_LIMIT = 1 << 20;

    /** Entry types jctr distinguishes; others are {@code OTHER}. */
    enum Type { FILE, DIRECTORY, SYMLINK, HARDLINK, OTHER }

    /**
     * @param name the path in the archive, without a leading {@code ./}
     * @param size content length (0 for non-files)
     */
    record Entry(String name, Type type, long size, String linkName) {
    }

    private final InputStream in;
    private final String source;
    private final byte[] header = new byte[BLOCK];
    private long offset;
    private long remaining;
    private long padding;
    private boolean ended;

    /** @param source names the archive in errors */
    TarReader(InputStream in, String source) {
        this.in = in;
        this.source = source;
    }

    /** The next entry, or null at the end of the archive. Skips what is left of the previous entry. */
    Entry next() throws IOException {
        skipRest();
        String longName = null;
        String longLink = null;
        Long paxSize = null;
        while (true) {
            if (ended || !readBlock(header)) {
                ended = true;
                return null;
            }
            if (allZero(header)) {
                ended = true;
                return null;
            }
            checkChecksum();
            char flag = (char) header[156];
            long size = number(header, 124, 12, "size");
            if (flag == 'x' || flag == 'g' || flag == 'L' || flag == 'K') {
                if (size > EXTENSION_LIMIT) {
                    throw new ResourceLimitException(source + ": tar extension header at offset " + (offset - BLOCK)
                            + " is larger than " + EXTENSION_LIMIT + " bytes");
                }
                byte[] data = readContent(size);
                if (flag == 'L') {
                    longName = cString(data, 0, data.length);
                } else if (flag == 'K') {
                    longLink = cString(data, 0, data.length);
                } else if (flag == 'x') {
                    for (String[] kv : paxRecords(data)) {
                        switch (kv[0]) {
                            case "path" -> longName = kv[1];
                            case "linkpath" -> longLink = kv[1];
                            case "size" -> paxSize = parseLong(kv[1], "pax size");
                            default -> { }
                        }
                    }
                }
                continue;
            }
            if (paxSize != null) {
                size = paxSize;
            }
            String name = longName != null ? longName : headerName();
            String link = longLink != null ? longLink : cString(header, 157, 100);
            Type type = switch (flag) {
                case '0', '\0', '7' -> Type.FILE;
                case '5' -> Type.DIRECTORY;
                case '2' -> Type.SYMLINK;
                case '1' -> Type.HARDLINK;
                default -> Type.OTHER;
            };
            if (type == Type.DIRECTORY || type == Type.SYMLINK || type == Type.HARDLINK) {
                size = 0;
            }
            if (size < 0) {
                throw corrupt("negative size");
            }
            remaining = size;
            padding = (BLOCK - size % BLOCK) % BLOCK;
            while (name.startsWith("./")) {
                name = name.substring(2);
            }
            return new Entry(name, type, size, link);
        }
    }

    /** The content of the current entry; reads end at its size. Not to be closed by the caller. */
    InputStream content() {
        return new InputStream() {
            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                if (remaining <= 0) {
                    return -1;
                }
                int n = in.read(b, off, (int) Math.min(len, remaining));
                if (n < 0) {
                    throw new EOFException(source + ": archive ends inside an entry (truncated)");
                }
                remaining -= n;
                offset += n;
                return n;
            }
        };
    }

    private void skipRest() throws IOException {
        long toSkip = remaining + padding;
        remaining = 0;
        padding = 0;
        while (toSkip > 0) {
            long n = in.skip(toSkip);
            if (n <= 0) {
                if (in.read() < 0) {
                    throw new EOFException(source + ": archive ends inside an entry (truncated)");
                }
                n = 1;
            }
            toSkip -= n;
            offset += n;
        }
    }

    private byte[] readContent(long size) throws IOException {
        byte[] data = in.readNBytes((int) size);
        if (data.length != size) {
            throw new EOFException(source + ": archive ends inside an extension header (truncated)");
        }
        offset += size;
        long pad = (BLOCK - size % BLOCK) % BLOCK;
        if (in.readNBytes((int) pad).length != pad) {
            throw new EOFException(source + ": archive is truncated");
        }
        offset += pad;
        return data;
    }

    private boolean readBlock(byte[] block) throws IOException {
        int n = in.readNBytes(block, 0, BLOCK);
        if (n == 0) {
            return false;
        }
        if (n < BLOCK) {
            throw corrupt("truncated header");
        }
        offset += BLOCK;
        return true;
    }

    private String headerName() {
        String name = cString(header, 0, 100);
        boolean posixUstar = header[257] == 'u' && header[258] == 's' && header[259] == 't' && header[260] == 'a'
                && header[261] == 'r' && header[262] == 0;
        if (posixUstar) {
            String prefix = cString(header, 345, 155);
            if (!prefix.isEmpty()) {
                name = prefix + "/" + name;
            }
        }
        return name;
    }

    private void checkChecksum() {
        long stored = number(header, 148, 8, "checksum");
        long sum = 0;
        for (int i = 0; i < BLOCK; i++) {
            sum += (i >= 148 && i < 156) ? ' ' : (header[i] & 0xff);
        }
        if (sum != stored) {
            throw corrupt("header checksum mismatch (not a tar file, or corrupt)");
        }
    }

    private long number(byte[] b, int off, int len, String field) {
        if ((b[off] & 0x80) != 0) { // GNU base-256 for values too large for octal
            long v = b[off] & 0x7f;
            for (int i = 1; i < len; i++) {
                if ((v >>> 55) != 0) {
                    throw corrupt(field + " out of range");
                }
                v = (v << 8) | (b[off + i] & 0xff);
            }
            return v;
        }
        long v = 0;
        int i = off;
        int end = off + len;
        while (i < end && (b[i] == ' ' || b[i] == 0)) {
            i++;
        }
        for (; i < end && b[i] != 0 && b[i] != ' '; i++) {
            if (b[i] < '0' || b[i] > '7') {
                throw corrupt("invalid octal " + field);
            }
            v = v * 8 + (b[i] - '0');
        }
        return v;
    }

    private static java.util.List<String[]> paxRecords(byte[] data) {
        java.util.List<String[]> out = new java.util.ArrayList<>();
        String s = new String(data, StandardCharsets.UTF_8);
        int pos = 0;
        while (pos < s.length()) {
            int space = s.indexOf(' ', pos);
            int eq = space < 0 ? -1 : s.indexOf('=', space);
            int nl = eq < 0 ? -1 : s.indexOf('\n', eq);
            if (space < 0 || eq < 0 || nl < 0) {
                break;
            }
            out.add(new String[] {s.substring(space + 1, eq), s.substring(eq + 1, nl)});
            pos = nl + 1;
        }
        return out;
    }

    private long parseLong(String v, String what) {
        try {
            return Long.parseLong(v.trim());
        } catch (NumberFormatException e) {
            throw corrupt("invalid " + what + " \"" + v + "\"");
        }
    }

    private static String cString(byte[] b, int off, int len) {
        int end = off;
        while (end < off + len && b[end] != 0) {
            end++;
        }
        return new String(b, off, end - off, StandardCharsets.UTF_8);
    }

    private static boolean allZero(byte[] b) {
        for (byte x : b) {
            if (x != 0) {
                return false;
            }
        }
        return true;
    }

    private InvalidConfigException corrupt(String problem) {
        return new InvalidConfigException(source, "", "corrupt tar at offset " + (offset - BLOCK) + ": " + problem);
    }
}
