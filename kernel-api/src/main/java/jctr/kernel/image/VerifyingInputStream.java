package jctr.kernel.image;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;

import jctr.kernel.InvalidConfigException;
import jctr.kernel.ResourceLimitException;

/**
 * Passes content through while hashing it; at the end of the stream it checks the digest (and the size,
 * when known) and throws {@link DigestMismatchException} instead of reporting the end. Reading more than
 * the expected size fails at once, so a hostile source cannot make a consumer read without bound.
 * The check runs only when the stream is read to its end: consumers that stop early must call
 * {@link #drain()}.
 */
final class VerifyingInputStream extends FilterInputStream {

    private final Digest expected;
    private final long expectedSize;
    private final String what;
    private final MessageDigest md;
    private long count;
    private boolean verified;

    /**
     * @param expectedSize the exact size, or -1 when unknown
     * @param what names the content in errors
     */
    VerifyingInputStream(InputStream in, Digest expected, long expectedSize, String what) {
        super(in);
        this.expected = expected;
        this.expectedSize = expectedSize;
        this.what = what;
        this.md = expected.newMessageDigest();
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (verified) {
            return -1;
        }
        int n = super.read(b, off, len);
        if (n < 0) {
            verify();
            return -1;
        }
        md.update(b, off, n);
        count += n;
        if (expectedSize >= 0 && count > expectedSize) {
            throw new ResourceLimitException(what + ": content is larger than its declared size " + expectedSize);
        }
        return n;
    }

    @Override
    public long skip(long n) throws IOException {
        // Skipped bytes must be hashed too.
        byte[] buf = new byte[8192];
        long done = 0;
        while (done < n) {
            int r = read(buf, 0, (int) Math.min(buf.length, n - done));
            if (r < 0) {
                break;
            }
            done += r;
        }
        return done;
    }

    @Override
    public boolean markSupported() {
        return false;
    }

    @Override
    public synchronized void mark(int readlimit) {
        // not supported: a reset would hash bytes twice
    }

    @Override
    public synchronized void reset() throws IOException {
        throw new IOException("mark/reset not supported");
    }

    /** Reads what is left and verifies; returns the number of bytes that were left. */
    long drain() throws IOException {
        return skip(Long.MAX_VALUE);
    }

    /** Whether the whole content was read and matched. */
    boolean verified() {
        return verified;
    }

    private void verify() {
        Digest actual = Digest.of(expected.algorithm(), md);
        if (!actual.equals(expected)) {
            throw new DigestMismatchException(what, expected, actual);
        }
        if (expectedSize >= 0 && count != expectedSize) {
            throw new InvalidConfigException("", "", what + ": size is " + count + " bytes, its descriptor says " + expectedSize);
        }
        verified = true;
    }
}
