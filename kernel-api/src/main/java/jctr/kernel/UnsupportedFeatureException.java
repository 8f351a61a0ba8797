package jctr.kernel;

/**
 * A driver or this host cannot provide a requested feature, e.g. a resource setting the kernel
 * lacks, or a namespace type the kernel was built without. The message names the feature and why.
 */
public class UnsupportedFeatureException extends KernelException {
    public UnsupportedFeatureException(String message) {
        super(Category.UNSUPPORTED, message);
    }

    public UnsupportedFeatureException(String message, Throwable cause) {
        super(Category.UNSUPPORTED, message, cause);
    }
}
