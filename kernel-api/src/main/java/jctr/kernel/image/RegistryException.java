package jctr.kernel.image;

import jctr.kernel.KernelException;

/**
 * A registry refused or failed a request. The message names the registry, the repository and what
 * failed (an HTTP status with the registry's error code, an authentication step, a connection problem).
 */
public class RegistryException extends KernelException {

    private final int status;

    /**
     * @param status the HTTP status, or 0 when no response came
     */
    public RegistryException(int status, String message, Throwable cause) {
        super(category(status), message, cause);
        this.status = status;
    }

    public RegistryException(int status, String message) {
        this(status, message, null);
    }

    /** The HTTP status, or 0 when the registry could not be reached. */
    public int status() {
        return status;
    }

    private static Category category(int status) {
        return switch (status) {
            case 401, 403 -> Category.PERMISSION_DENIED;
            case 404 -> Category.NOT_FOUND;
            case 429 -> Category.RESOURCE_EXHAUSTED;
            case 400, 405 -> Category.INVALID_ARGUMENT;
            default -> Category.INTERNAL;
        };
    }
}
