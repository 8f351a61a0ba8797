package jctr.cgroup.v1;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import jctr.kernel.spi.CgroupHandle;
import jctr.kernel.testing.BusyboxRootfs;

/**
 * A busybox shell script that waits on its stdin before it does anything, so that a test can move it into
 * a cgroup first ({@link #joinAndRelease}): every process it forks afterwards is born inside. Its stdout
 * and stderr go to a temporary file.
 */
final class Workload implements AutoCloseable {

    private final Process process;
    private final Path output;

    private Workload(Process process, Path output) {
        this.process = process;
        this.output = output;
    }

    static Workload start(String script) {
        try {
            Path out = Files.createTempFile("jctr-cgv1-workload-", ".out");
            String busybox = BusyboxRootfs.busybox().toString();
            // Debian's static busybox runs its own applets (sleep, dd, head) before looking at PATH; $BB names
            // the binary for scripts that exec one.
            ProcessBuilder pb = new ProcessBuilder(busybox, "sh", "-c", "read x; " + script)
                    .redirectErrorStream(true).redirectOutput(out.toFile());
            pb.environment().put("BB", busybox);
            return new Workload(pb.start(), out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    long pid() {
        return process.pid();
    }

    /** Writes the shell's pid into each cgroup.procs of {@code cgroup}, then lets the script run. */
    Workload joinAndRelease(CgroupHandle cgroup) {
        join(cgroup);
        return release();
    }

    Workload join(CgroupHandle cgroup) {
        for (String procs : cgroup.procsFiles()) {
            CgroupFiles.write(Path.of(procs), Long.toString(process.pid()), null);
        }
        return this;
    }

    Workload release() {
        try {
            OutputStream in = process.getOutputStream();
            in.write('\n');
            in.flush();
            return this;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Whether the script ended within {@code timeout}. */
    boolean waitFor(Duration timeout) throws InterruptedException {
        return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** The exit code as Java reports it: 128 + the signal for a killed process. */
    int exitValue() {
        return process.exitValue();
    }

    boolean isAlive() {
        return process.isAlive();
    }

    String output() {
        try {
            return Files.readString(output, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Waits until the output satisfies {@code condition}; fails the test with the output after {@code timeout}. */
    String awaitOutput(Predicate<String> condition, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            String text = output();
            if (condition.test(text)) {
                return text;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("workload output did not arrive within " + timeout + ": \"" + text + "\"");
            }
            Thread.sleep(20);
        }
    }

    @Override
    public void close() throws IOException {
        process.destroyForcibly();
        try {
            process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        Files.deleteIfExists(output);
    }
}
