package jctr.kernel;

import java.util.Objects;

/**
 * The root of every error jctr reports. Each error belongs to one {@link Category}, a closed set
 * that callers (the CLI's exit codes, the HTTP API's status codes) map without string matching.
 *
 * <p>Unchecked on purpose: driver code is dense with kernel calls whose failures are all reported
 * the same way, and SPI methods document the categories they throw in their javadoc instead.
 */
public class KernelException extends RuntimeException {

    /** The closed set of error categories (after containerd's errdefs). */
    public enum Category {
        /** A container, image, layer, cgroup or file that was named does not exist. */
        NOT_FOUND,
        /** Something with that name or id already exists. */
        ALREADY_EXISTS,
        /** The request is malformed or names an invalid value (a config field, a flag). */
        INVALID_ARGUMENT,
        /** The request is valid but the object is in the wrong state for it (e.g. start a stopped container). */
        FAILED_PRECONDITION,
        /** The kernel or the file system refused for lack of privilege. */
        PERMISSION_DENIED,
        /** This host, kernel or driver cannot do what was asked. */
        UNSUPPORTED,
        /** A limit was hit: memory, pids, disk, a size bound on input. */
        RESOURCE_EXHAUSTED,
        /** A bounded wait ran out (hooks, freezing, a process that will not die). */
        TIMEOUT,
        /** Anything else: a bug or an unexpected kernel answer. */
        INTERNAL
    }

    private final Category category;

    public KernelException(Category category, String message) {
        this(category, message, null);
    }

    public KernelException(Category category, String message, Throwable cause) {
        super(message, cause);
        this.category = Objects.requireNonNull(category, "category");
    }

    /** The category of this error; never null. */
    public Category category() {
        return category;
    }
}
