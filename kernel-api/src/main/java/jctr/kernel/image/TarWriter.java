package jctr.kernel.image;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Writes the plain archives jctr exports (OCI layouts and {@code docker save} tars): directories and
 * regular files with short names, owned by root, with a fixed time stamp so that exports of the same
 * images are byte-identical.
 */
final class TarWriter {

    private static final int BLOCK = 512;

    private final OutputStream out;

    TarWriter(OutputStream out) {
        this.out = out;
    }

    /** A directory entry; {@code name} ends with {@code /}. */
    void directory(String name) throws IOException {
        header(name, '5', 0755, 0);
    }

    /** A regular file with {@code size} bytes read from {@code content}. */
    void file(String name, long size, InputStream content) throws IOException {
        header(name, '0', 0644, size);
        byte[] buf = new byte[64 * 1024];
        long left = size;
        while (left > 0) {
            int n = content.read(buf, 0, (int) Math.min(buf.length, left));
            if (n < 0) {
                throw new IOException(name + ": content ended " + left + " bytes early");
            }
            out.write(buf, 0, n);
            left -= n;
        }
        pad(size);
    }

    /** A regular file holding {@code content}. */
    void file(String name, byte[] content) throws IOException {
        file(name, content.length, new java.io.ByteArrayInputStream(content));
    }

    /** The two zero blocks that end an archive; flushes but does not close the stream. */
    void finish() throws IOException {
        out.write(new byte[2 * BLOCK]);
        out.flush();
    }

    private void header(String name, char type, int mode, long size) throws IOException {
        byte[] n = name.getBytes(StandardCharsets.UTF_8);
        if (n.length > 100) {
            throw new IllegalArgumentException("tar name longer than 100 bytes: " + name);
        }
        byte[] h = new byte[BLOCK];
        System.arraycopy(n, 0, h, 0, n.length);
        octal(h, 100, 8, mode);
        octal(h, 108, 8, 0);
        octal(h, 116, 8, 0);
        if (size < 1L << 33) {
            octal(h, 124, 12, size);
        } else { // GNU base-256: more than the 11 octal digits allow (8 GiB)
            h[124] = (byte) 0x80;
            for (int i = 0; i < 8; i++) {
                h[135 - i] = (byte) (size >>> (8 * i));
            }
        }
        octal(h, 136, 12, 0);
        h[156] = (byte) type;
        byte[] magic = "ustar\u000000".getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(magic, 0, h, 257, magic.length);
        for (int i = 148; i < 156; i++) {
            h[i] = ' ';
        }
        long sum = 0;
        for (byte b : h) {
            sum += b & 0xff;
        }
        octal(h, 148, 7, sum);
        h[155] = ' ';
        out.write(h);
    }

    private void pad(long size) throws IOException {
        long p = (BLOCK - size % BLOCK) % BLOCK;
        out.write(new byte[(int) p]);
    }

    /** Octal, zero-padded, NUL-terminated in {@code len} bytes. */
    private static void octal(byte[] h, int off, int len, long value) {
        String s = Long.toOctalString(value);
        if (s.length() > len - 1) {
            throw new IllegalArgumentException("value too large for a tar header field: " + value);
        }
        s = "0".repeat(len - 1 - s.length()) + s;
        byte[] b = s.getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(b, 0, h, off, b.length);
        h[off + len - 1] = 0;
    }
}
