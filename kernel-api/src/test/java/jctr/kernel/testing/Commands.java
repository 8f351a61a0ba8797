package jctr.kernel.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs host commands (GNU tar, cp, chroot) from tests. */
public final class Commands {

    private Commands() {
    }

    /** The output of a command (stdout and stderr) run in {@code dir}, or an AssertionError if it fails. */
    public static String run(Path dir, String... command) {
        Result r = exec(dir, command);
        if (r.exitCode() != 0) {
            throw new AssertionError(String.join(" ", command) + " failed with " + r.exitCode() + ": " + r.output());
        }
        return r.output();
    }

    /** What a command printed and how it exited. */
    public record Result(int exitCode, String output) {
    }

    /** Runs a command in {@code dir} (null: the current directory) and waits up to 5 minutes. */
    public static Result exec(Path dir, String... command) {
        try {
            ProcessBuilder pb = new ProcessBuilder(List.of(command)).redirectErrorStream(true);
            if (dir != null) {
                pb.directory(dir.toFile());
            }
            Process p = pb.start();
            p.getOutputStream().close();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(5, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                throw new AssertionError(String.join(" ", command) + " timed out");
            }
            return new Result(p.exitValue(), out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
