package jctr.kernel.spi;

import java.nio.file.Path;

/** How a container process's standard streams are connected. */
public sealed interface Stdio permits Stdio.Inherit, Stdio.ConsoleSocket, Stdio.Files {

    /** The caller's own stdin, stdout and stderr become the process's (runc without a terminal). */
    record Inherit() implements Stdio {
    }

    /**
     * {@code process.terminal}: a pseudo-terminal is allocated inside the container and its master end
     * is sent over the unix socket at {@code path} with SCM_RIGHTS, as runc's {@code --console-socket}.
     */
    record ConsoleSocket(Path path) implements Stdio {
    }

    /**
     * The streams are opened from these paths (regular files, FIFOs or character devices such as
     * /dev/null) by the launcher before the process runs; null means /dev/null.
     */
    record Files(Path stdin, Path stdout, Path stderr) implements Stdio {
    }

    /** Shorthand for {@link Inherit}. */
    static Stdio inherit() {
        return new Inherit();
    }
}
