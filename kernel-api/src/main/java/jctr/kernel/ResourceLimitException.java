package jctr.kernel;

/** A limit was exceeded: a size bound on untrusted input, a cgroup limit, a full disk. */
public class ResourceLimitException extends KernelException {
    public ResourceLimitException(String message) {
        super(Category.RESOURCE_EXHAUSTED, message);
    }

    public ResourceLimitException(String message, Throwable cause) {
        super(Category.RESOURCE_EXHAUSTED, message, cause);
    }
}
