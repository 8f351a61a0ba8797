package jctr.kernel;

/** A named object (container, image, layer, volume, cgroup, file) does not exist. */
public class NotFoundException extends KernelException {
    public NotFoundException(String message) {
        super(Category.NOT_FOUND, message);
    }

    public NotFoundException(String message, Throwable cause) {
        super(Category.NOT_FOUND, message, cause);
    }
}
