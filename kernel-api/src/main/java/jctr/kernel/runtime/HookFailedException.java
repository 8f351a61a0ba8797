package jctr.kernel.runtime;

import jctr.kernel.KernelException;

/**
 * An OCI hook could not run, exited with a non-zero status or timed out. The message names the hook by
 * its place in the config, e.g. {@code hooks.createRuntime[0]: /usr/bin/setup timed out after 2s}.
 */
public class HookFailedException extends KernelException {

    private final String hook;

    public HookFailedException(Category category, String hook, String problem, Throwable cause) {
        super(category, hook + ": " + problem, cause);
        this.hook = hook;
    }

    /** The hook's config path, e.g. {@code hooks.poststop[1]}. */
    public String hook() {
        return hook;
    }
}
