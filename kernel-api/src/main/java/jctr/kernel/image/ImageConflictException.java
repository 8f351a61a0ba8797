package jctr.kernel.image;

import jctr.kernel.KernelException;

/**
 * An image cannot be removed without force: a container uses it, or (removal by id) several
 * repositories name it. Nothing was changed.
 */
public class ImageConflictException extends KernelException {
    public ImageConflictException(String message) {
        super(Category.FAILED_PRECONDITION, message);
    }
}
