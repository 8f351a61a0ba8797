package jctr.kernel;

/** An object with the given id or name already exists. */
public class AlreadyExistsException extends KernelException {
    public AlreadyExistsException(String message) {
        super(Category.ALREADY_EXISTS, message);
    }
}
