package jctr.cgroup.v2;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import jctr.kernel.spi.CgroupHandle;
import jctr.kernel.testing.BusyboxRootfs;

/**
 * A busybox shell started by the test JVM that waits for a line on stdin before running its script,
 * so the test can move it into a cgroup first: only the child is limited, never the test JVM.
 * Its stdout and stderr go to a temporary file.
 */
final class Child implements AutoCloseable {

    private final Process process;
    private final Path output;

    private Child(Process process, Path output) {
        this.process = process;
        this.output = output;
    }

    /** Starts {@code busybox sh -c 'read go; SCRIPT'}. */
    static Child start(String script) {
        try {
            Path out = Files.createTempFile("jctr-child", ".out");
            Process p = new ProcessBuilder(BusyboxRootfs.busybox().toString(), "sh", "-c", "read go; " + script)
                    .redirectErrorStream(true).redirectOutput(out.toFile()).start();
            return new Child(p, out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    int pid() {
        return (int) process.pid();
    }

    /** Writes the pid into the cgroup's cgroup.procs (the fallback placement the handle offers). */
    Child moveInto(CgroupHandle cgroup) {
        try {
            Files.writeString(Path.of(cgroup.procsFiles().getFirst()), Integer.toString(pid()), StandardOpenOption.WRITE);
        } catch (IOException e) {
            throw new UncheckedIOException("moving " + pid() + " into " + cgroup.path(), e);
        }
        return this;
    }

    /** Lets the script run. */
    Child go() {
        try {
            OutputStream in = process.getOutputStream();
            in.write("go\n".getBytes());
            in.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return this;
    }

    /** Waits for the exit and returns the status as a shell reports it (128 + signal when killed). */
    int waitFor(Duration timeout) {
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new AssertionError("child " + pid() + " still runs after " + timeout + "; output: " + output());
            }
            return process.exitValue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    boolean alive() {
        return process.isAlive();
    }

    String output() {
        try {
            return Files.readString(output);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        process.destroyForcibly();
        try {
            process.waitFor(10, TimeUnit.SECONDS);
            Files.deleteIfExists(output);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
