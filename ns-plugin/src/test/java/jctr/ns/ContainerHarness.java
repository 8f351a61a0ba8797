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
        this(dir, TestFilters::compile);
    }

    ContainerHarness(Path dir, Function<Seccomp, SeccompProgram> seccomp) {
        this.dir = dir;
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
