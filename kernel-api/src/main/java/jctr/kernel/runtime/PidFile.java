package jctr.kernel.runtime;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * runc's pid file: the pid as decimal digits without a newline, written to a temp file beside the
 * target and renamed over it, so that a reader polling for the file never sees it empty or half written.
 */
public final class PidFile {

    private PidFile() {
    }

    /** Writes {@code pid} to {@code file}, replacing it. A relative path is resolved against the working directory. */
    public static void write(Path file, int pid) {
        Path target = file.toAbsolutePath();
        Path tmp = target.resolveSibling("." + target.getFileName() + ".tmp");
        try {
            Files.write(tmp, Integer.toString(pid).getBytes(StandardCharsets.US_ASCII));
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException ignored) {
                // the write error below is the one to report
            }
            throw new UncheckedIOException("writing pid file " + target, e);
        }
    }
}
