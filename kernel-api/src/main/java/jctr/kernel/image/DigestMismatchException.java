package jctr.kernel.image;

import jctr.kernel.KernelException;

/**
 * Content did not hash to the digest that names it: a corrupt or tampered blob, a registry that served
 * the wrong bytes, or a layer whose uncompressed content does not match its config's diff_id. The
 * content was not stored (or was removed again).
 */
public class DigestMismatchException extends KernelException {

    private final Digest expected;
    private final Digest actual;

    /**
     * @param what names the content, e.g. {@code blob sha256:ab.. from 127.0.0.1:5000/busybox}
     */
    public DigestMismatchException(String what, Digest expected, Digest actual) {
        super(Category.INVALID_ARGUMENT, what + ": digest mismatch: expected " + expected + ", got " + actual);
        this.expected = expected;
        this.actual = actual;
    }

    public Digest expected() {
        return expected;
    }

    public Digest actual() {
        return actual;
    }
}
