package jctr.kernel.layer;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Writes a tar archive in the form OCI layers use: ustar headers, with a PAX extended header only for
 * what ustar cannot hold (names or link names longer than the ustar fields or not ASCII, sizes of 8 GiB
 * and more, large ids, times before 1970 or with nanoseconds, extended attributes as
 * {@code SCHILY.xattr.*}). Directory names end in {@code /}. Owner and group are numeric only.
 *
 * <p>Names are written as given (the caller forms them, e.g. {@code etc/passwd}, {@code usr/.wh.foo}).
 * {@link #finish} writes the two end-of-archive blocks; the underlying stream is not closed.
 */
public final class TarWriter {

    private static final int BLOCK = TarReader.BLOCK;
    private static final long MAX_OCTAL_11 = 077777777777L;
    private static final long MAX_OCTAL_7 = 07777777L;

    private final OutputStream out;
    private long paxCounter;

    public TarWriter(OutputStream out) {
        this.out = out;
    }

    /**
     * Writes one member: its header and, for a regular file, exactly {@code entry.size()} bytes from
     * {@code content} (null for other types).
     *
     * @throws UncheckedIOException if writing fails or {@code content} ends early
     */
    public void write(TarEntry entry, InputStream content) {
        try {
            String name = entry.name();
            if (entry.type() == TarEntry.Type.DIRECTORY && !name.endsWith("/")) {
                name = name + "/";
            }
            Map<String, byte[]> pax = new LinkedHashMap<>();
            byte[] nameBytes = name.getBytes(StandardCharsets.UTF_8);
            String[] split = splitUstarName(name);
            if (split == null) {
                pax.put("path", nameBytes);
            }
            byte[] linkBytes = entry.linkName().getBytes(StandardCharsets.UTF_8);
            if (linkBytes.length > 100 || !isAscii(entry.linkName())) {
                pax.put("linkpath", linkBytes);
            }
            if (entry.size() > MAX_OCTAL_11) {
                pax.put("size", ascii(Long.toString(entry.size())));
            }
            if (Integer.toUnsignedLong(entry.uid()) > MAX_OCTAL_7) {
                pax.put("uid", ascii(Integer.toUnsignedString(entry.uid())));
            }
            if (Integer.toUnsignedLong(entry.gid()) > MAX_OCTAL_7) {
                pax.put("gid", ascii(Integer.toUnsignedString(entry.gid())));
            }
            Instant mtime = entry.mtime();
            if (mtime.getNano() != 0 || mtime.getEpochSecond() < 0 || mtime.getEpochSecond() > MAX_OCTAL_11) {
                pax.put("mtime", ascii(paxTime(mtime)));
            }
            if (entry.atime() != null) {
                pax.put("atime", ascii(paxTime(entry.atime())));
            }
            for (Map.Entry<String, byte[]> x : entry.xattrs().entrySet()) {
                pax.put("SCHILY.xattr." + x.getKey(), x.getValue());
            }
            if (!pax.isEmpty()) {
                writePax(pax, split == null ? fallbackName(name) : name);
            }
            byte[] header = new byte[BLOCK];
            if (split != null) {
                putString(header, 0, 100, split[1]);
                putString(header, 345, 155, split[0]);
            } else {
                putString(header, 0, 100, fallbackName(name));
            }
            putOctal(header, 100, 8, entry.mode() & 07777);
            putOctal(header, 108, 8, Math.min(Integer.toUnsignedLong(entry.uid()), MAX_OCTAL_7));
            putOctal(header, 116, 8, Math.min(Integer.toUnsignedLong(entry.gid()), MAX_OCTAL_7));
            putOctal(header, 124, 12, entry.size() > MAX_OCTAL_11 ? 0 : entry.size());
            putOctal(header, 136, 12, Math.max(0, Math.min(mtime.getEpochSecond(), MAX_OCTAL_11)));
            header[156] = (byte) entry.type().flag();
            if (linkBytes.length <= 100 && isAscii(entry.linkName())) {
                System.arraycopy(linkBytes, 0, header, 157, linkBytes.length);
            }
            finishHeader(header, entry.devMajor(), entry.devMinor());
            out.write(header);
            if (entry.type().hasContent()) {
                copyContent(content, entry);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("writing tar member " + entry.name(), e);
        }
    }

    /** Writes the end-of-archive marker (two zero blocks) and flushes. */
    public void finish() {
        try {
            out.write(new byte[2 * BLOCK]);
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("finishing tar archive", e);
        }
    }

    private void copyContent(InputStream content, TarEntry entry) throws IOException {
        long left = entry.size();
        byte[] buf = new byte[65536];
        while (left > 0) {
            int n = content.read(buf, 0, (int) Math.min(buf.length, left));
            if (n < 0) {
                throw new IOException("content of " + entry.name() + " ended " + left + " bytes early");
            }
            out.write(buf, 0, n);
            left -= n;
        }
        pad(entry.size());
    }

    private void writePax(Map<String, byte[]> records, String forName) throws IOException {
        ByteArrayOutputStream data = new ByteArrayOutputStream();
        for (Map.Entry<String, byte[]> r : records.entrySet()) {
            byte[] key = r.getKey().getBytes(StandardCharsets.UTF_8);
            int body = 1 + key.length + 1 + r.getValue().length + 1; // " key=value\n"
            int length = body + Integer.toString(body).length();
            if (Integer.toString(length).length() != Integer.toString(body).length()) {
                length = body + Integer.toString(length).length();
            }
            data.write(ascii(Integer.toString(length)));
            data.write(' ');
            data.write(key);
            data.write('=');
            data.write(r.getValue());
            data.write('\n');
        }
        byte[] header = new byte[BLOCK];
        String base = forName.endsWith("/") ? forName.substring(0, forName.length() - 1) : forName;
        base = base.substring(base.lastIndexOf('/') + 1);
        String paxName = "PaxHeaders." + (paxCounter++) + "/" + fallbackName(base);
        putString(header, 0, 100, paxName.length() > 99 ? paxName.substring(0, 99) : paxName);
        putOctal(header, 100, 8, 0644);
        putOctal(header, 108, 8, 0);
        putOctal(header, 116, 8, 0);
        putOctal(header, 124, 12, data.size());
        putOctal(header, 136, 12, 0);
        header[156] = 'x';
        finishHeader(header, 0, 0);
        out.write(header);
        data.writeTo(out);
        pad(data.size());
    }

    private static void finishHeader(byte[] header, int devMajor, int devMinor) {
        System.arraycopy(ascii("ustar\0"), 0, header, 257, 6);
        header[263] = '0';
        header[264] = '0';
        putOctal(header, 329, 8, Integer.toUnsignedLong(devMajor));
        putOctal(header, 337, 8, Integer.toUnsignedLong(devMinor));
        for (int i = 148; i < 156; i++) {
            header[i] = ' ';
        }
        long sum = 0;
        for (byte b : header) {
            sum += b & 0xff;
        }
        String octal = String.format("%06o", sum);
        System.arraycopy(ascii(octal), 0, header, 148, 6);
        header[154] = 0;
        header[155] = ' ';
    }

    private void pad(long size) throws IOException {
        int rest = (int) ((BLOCK - size % BLOCK) % BLOCK);
        if (rest > 0) {
            out.write(new byte[rest]);
        }
    }

    /** {prefix, name} if {@code name} fits the ustar fields as ASCII, else null. */
    private static String[] splitUstarName(String name) {
        if (!isAscii(name)) {
            return null;
        }
        if (name.length() <= 100) {
            return new String[] {"", name};
        }
        // Split at a '/' so that the prefix has at most 155 and the rest at most 100 characters.
        int from = Math.max(0, name.length() - 101);
        for (int i = name.indexOf('/', from); i >= 0 && i <= 155; i = name.indexOf('/', i + 1)) {
            if (i > 0 && name.length() - i - 1 <= 100 && name.length() - i - 1 > 0) {
                return new String[] {name.substring(0, i), name.substring(i + 1)};
            }
        }
        return null;
    }

    /** The ustar name when the real one is in the PAX header: an ASCII, truncated stand-in. */
    private static String fallbackName(String name) {
        StringBuilder sb = new StringBuilder();
        for (char c : name.toCharArray()) {
            sb.append(c < 0x80 ? c : '_');
        }
        String s = sb.toString();
        return s.length() > 100 ? s.substring(s.length() - 100) : s;
    }

    private static String paxTime(Instant t) {
        long seconds = t.getEpochSecond();
        int nanos = t.getNano();
        if (nanos == 0) {
            return Long.toString(seconds);
        }
        // Negative times: -1.5s is seconds=-2, nanos=5e8; PAX writes the signed decimal value.
        java.math.BigDecimal value = java.math.BigDecimal.valueOf(seconds).add(java.math.BigDecimal.valueOf(nanos, 9));
        return value.stripTrailingZeros().toPlainString();
    }

    private static boolean isAscii(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) >= 0x80 || s.charAt(i) == 0) {
                return false;
            }
        }
        return true;
    }

    private static void putString(byte[] header, int offset, int length, String value) {
        byte[] b = value.getBytes(StandardCharsets.UTF_8);
        System.arraycopy(b, 0, header, offset, Math.min(b.length, length));
    }

    private static void putOctal(byte[] header, int offset, int length, long value) {
        String octal = Long.toOctalString(value);
        String padded = "0".repeat(Math.max(0, length - 1 - octal.length())) + octal;
        System.arraycopy(ascii(padded), 0, header, offset, length - 1);
        header[offset + length - 1] = 0;
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
