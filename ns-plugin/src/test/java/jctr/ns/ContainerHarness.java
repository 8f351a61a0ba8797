package jctr.ns;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import jctr.kernel.host.HostInfo;
import jctr.kernel.oci.Seccomp;
import jctr.kernel.oci.Spec;
import jctr.kernel.spi.CgroupHandle;
import jctr.kernel.spi.DriverContext;
import jctr.kernel.spi.IsolatedProcess;
import jctr.kernel.spi.IsolationRequest;
import jctr.kernel.spi.Stdio;
import jctr.kernel.sys.ExitStatus;
import jctr.kernel.sys.PosixFiles;
import jctr.kernel.sys.Processes;
import jctr.kernel.sys.Signals;
import jctr.kernel.sys.SyscallException;
import jctr.kernel.testing.BusyboxRootfs;
import jctr.ns.plan.SeccompProgram;

/**
 * Runs real containers for integration tests: a driver initialized on a temporary state root, a
 * busybox rootfs, and bookkeeping so that every process it created is killed and reaped in {@link #close()}.
 */
final class ContainerHarness implements AutoCloseable {

    final Path dir;
    final Path rootfs;
    final NamespaceIsolationDriver driver;
    private final List<Integer> pidfds = new ArrayList<>();
    private int counter;

    ContainerHarness(Path dir) {
        this(dir, profile -> new SeccompProgram(jctr.ns.seccomp.SeccompCompiler.filterFlags(profile),
                jctr.ns.seccomp.SeccompCompiler.compile(profile)));
    }

    ContainerHarness(Path dir, Function<Seccomp, SeccompProgram> seccomp) {
        this.dir = dir;
        try {
            // A container whose root is mapped to another host uid must be able to reach its rootfs.
            Files.createDirectories(dir);
            Files.setPosixFilePermissions(dir, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        this.rootfs = BusyboxRootfs.create(dir.resolve("rootfs"));
        this.driver = new NamespaceIsolationDriver(seccomp);
        driver.initialize(new DriverContext(dir.resolve("state"), dir.resolve("data"), Map.of(), HostInfo.detect()));
    }

    /** A runc-like config for this harness's rootfs. */
    Spec spec(String... args) {
        return TestSpecs.spec(rootfs.toString(), args);
    }

    IsolationRequest request(Spec spec, Stdio stdio, CgroupHandle cgroup) {
        String id = "c" + (++counter);
        return new IsolationRequest(id, spec, dir, dir.resolve("state").resolve(id), cgroup, stdio, null);
    }

    /** Creates a container and tracks its init for cleanup. */
    IsolatedProcess create(Spec spec, Stdio stdio) {
        return create(request(spec, stdio, null));
    }

    IsolatedProcess create(IsolationRequest request) {
        IsolatedProcess p = driver.create(request);
        track(p);
        return p;
    }

    /** Tracks a process (created or exec'd) so that close() kills and reaps it. */
    int track(IsolatedProcess p) {
        int pidfd = Processes.pidfdOpen(p.pid());
        pidfds.add(pidfd);
        return pidfd;
    }

    /** Waits for a tracked process to exit. */
    ExitStatus waitFor(IsolatedProcess p) {
        for (int i = 0; i < pidfds.size(); i++) {
            int pidfd = pidfds.get(i);
            // each pidfd was opened for one process; find it by its pid through /proc/self/fdinfo
            if (pidOf(pidfd) == p.pid()) {
                ExitStatus s = Processes.waitFor(pidfd);
                PosixFiles.close(pidfd);
                pidfds.remove(i);
                return s;
            }
        }
        throw new IllegalStateException("process " + p.pid() + " is not tracked");
    }

    /** Creates, starts and waits for a container; returns its exit status and what it wrote to stdout/stderr. */
    Result run(Spec spec) {
        Path out = dir.resolve("out" + (counter + 1));
        IsolatedProcess p = create(spec, new Stdio.Files(null, out, out));
        driver.start(p);
        ExitStatus status = waitFor(p);
        return new Result(status, read(out));
    }

    record Result(ExitStatus status, String output) {
    }

    /** A started container whose output goes to {@code out}. */
    record Background(IsolatedProcess process, Path out) {
        String output() {
            return read(out);
        }
    }

    /** Creates and starts a container that keeps running; its stdout and stderr go to a file. */
    Background background(Spec spec) {
        return background(spec, null);
    }

    Background background(Spec spec, jctr.kernel.spi.CgroupHandle cgroup) {
        Path out = dir.resolve("out" + (counter + 1));
        IsolatedProcess p = create(request(spec, new Stdio.Files(null, out, out), cgroup));
        driver.start(p);
        return new Background(p, out);
    }

    /** Waits until {@code file} exists (a container signals readiness by touching it). */
    static void awaitFile(Path file, Background b) {
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (!Files.exists(file)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + file + "; output: " + b.output());
            }
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }

    /** Kills a tracked process and waits for it. */
    ExitStatus kill(IsolatedProcess p) {
        Processes.kill(p.pid(), Signals.SIGKILL);
        return waitFor(p);
    }

    /** Compiles a test helper from src/test/resources/jctr/ns into the rootfs's /bin (static, no libraries needed). */
    void installHelper(String name) {
        try {
            Path src = dir.resolve(name + ".c");
            try (var in = ContainerHarness.class.getResourceAsStream(name + ".c")) {
                Files.write(src, in.readAllBytes());
            }
            Process gcc = new ProcessBuilder("gcc", "-static", "-O1", "-o", rootfs.resolve("bin").resolve(name).toString(),
                    src.toString()).inheritIO().start();
            if (gcc.waitFor() != 0) {
                throw new IllegalStateException("gcc failed for " + name);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    static String read(Path p) {
        try {
            return Files.exists(p) ? Files.readString(p) : "";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static int pidOf(int pidfd) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/fdinfo/" + pidfd))) {
                if (line.startsWith("Pid:")) {
                    return Integer.parseInt(line.substring(4).trim());
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return -1;
    }

    @Override
    public void close() {
        for (int pidfd : pidfds) {
            try {
                Processes.signal(pidfd, Signals.SIGKILL);
            } catch (SyscallException e) {
                // exited already
            }
            Processes.waitFor(pidfd);
            PosixFiles.close(pidfd);
        }
        pidfds.clear();
    }
}
