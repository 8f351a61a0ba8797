package jctr.bench;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.List;

/** Runs a command to completion, stdin from /dev/null and stdout discarded; a failure carries its stderr. */
final class Subprocess {

    private static final File DEV_NULL = new File("/dev/null");
    /** One stderr file per thread, reused: a temp file per call would add its own cost to every sample. */
    private static final ThreadLocal<File> STDERR = ThreadLocal.withInitial(() -> {
        try {
            File f = Files.createTempFile("jctr-bench-stderr", ".txt").toFile();
            f.deleteOnExit();
            return f;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    });

    private Subprocess() {
    }

    /** Runs {@code command}; throws unless it exits with 0. */
    static void run(List<String> command) {
        run(new ProcessBuilder(command));
    }

    /** Runs {@code command}; throws unless it exits with 0. */
    static void run(ProcessBuilder command) {
        try {
            File err = STDERR.get();
            Process p = command.redirectInput(DEV_NULL)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(err).start();
            int code = p.waitFor();
            if (code != 0) {
                throw new IllegalStateException(String.join(" ", command.command()) + " exited with " + code + ": "
                        + Files.readString(err.toPath(), StandardCharsets.UTF_8).strip());
            }
        } catch (IOException e) {
            throw new UncheckedIOException("running " + command.command(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted running " + command.command(), e);
        }
    }

    /** Runs {@code command} and returns its stdout (stderr is inherited). */
    static String output(List<String> command) {
        try {
            Process p = new ProcessBuilder(command).redirectInput(DEV_NULL)
                    .redirectError(ProcessBuilder.Redirect.INHERIT).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (p.waitFor() != 0) {
                throw new IllegalStateException(String.join(" ", command) + " exited with " + p.exitValue());
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException("running " + command, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted running " + command, e);
        }
    }
}
