package jctr.mgmt.engine;

import jctr.kernel.KernelException;

/**
 * The request is valid but conflicts with the object's state: removing a running container or a volume
 * in use (the API answers 409).
 */
public class ConflictException extends KernelException {
    public ConflictException(String message) {
        super(Category.FAILED_PRECONDITION, message);
    }
}
