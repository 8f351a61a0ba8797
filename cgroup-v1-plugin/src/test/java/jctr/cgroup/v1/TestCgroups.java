package jctr.cgroup.v1;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

import jctr.kernel.host.HostInfo;
import jctr.kernel.spi.DriverContext;
import jctr.kernel.spi.ProbeResult;
import jctr.kernel.sys.Processes;
import jctr.kernel.sys.Signals;
import jctr.kernel.sys.SyscallException;
import jctr.kernel.testing.RootOnly;

/**
 * The real v1 hierarchies of this host, for root integration tests: a driver whose parent is
 * {@code jctr-test/<unique>}, and a {@link #close} that removes that parent in every hierarchy, killing
 * whatever is left in it, even when the driver under test failed to. It never touches anything outside
 * {@code jctr-test/<unique>} except removing {@code jctr-test} itself once empty.
 */
final class TestCgroups implements AutoCloseable {

    static final String TOP = "jctr-test";
    private static final AtomicInteger SEQ = new AtomicInteger();

    final HostInfo host;
    final String parent;
    final CgroupV1Driver driver;
    private final List<Workload> workloads = new ArrayList<>();

    /** Skips the test unless this is root on a host with usable v1 hierarchies. */
    TestCgroups() {
        RootOnly.assumeRoot();
        host = HostInfo.detect();
        parent = TOP + "/t" + ProcessHandle.current().pid() + "-" + SEQ.incrementAndGet();
        driver = new CgroupV1Driver();
        DriverContext ctx = new DriverContext(Path.of("/run/jctr-test"), Path.of("/var/lib/jctr-test"),
                Map.of(CgroupV1Driver.OPTION_PARENT, parent), host);
        ProbeResult probe = driver.probe(ctx);
        assumeTrue(probe.available(), () -> "cgroup v1 unusable here: " + probe.detail());
        driver.initialize(ctx);
    }

    /** The directory of {@code path} (relative to the driver's parent) in {@code controller}'s hierarchy. */
    Path dir(String controller, String path) {
        return host.v1Controllers().get(controller).resolve(parent).resolve(path);
    }

    /** Starts a workload that the test's cleanup will stop. */
    Workload workload(String script) {
        Workload w = Workload.start(script);
        workloads.add(w);
        return w;
    }

    /** The number of cgroup directories below the parent, in every hierarchy. */
    int directoriesBelowParent() {
        int n = 0;
        for (Path mount : mounts()) {
            Path p = mount.resolve(parent);
            if (Files.isDirectory(p)) {
                n += CgroupTree.postOrder(p).size() - 1;
            }
        }
        return n;
    }

    Set<Path> mounts() {
        Set<Path> out = new LinkedHashSet<>();
        for (Controller c : Controllers.ALL) {
            Path m = host.v1Controllers().get(c.name());
            if (m != null) {
                out.add(m);
            }
        }
        return out;
    }

    @Override
    public void close() throws IOException {
        for (Workload w : workloads) {
            w.close();
        }
        Path freezerMount = host.v1Controllers().get("freezer");
        if (freezerMount != null && Files.isDirectory(freezerMount.resolve(parent))) {
            for (Path d : CgroupTree.postOrder(freezerMount.resolve(parent))) {
                if (Files.exists(d.resolve("freezer.state"))) {
                    Files.writeString(d.resolve("freezer.state"), "THAWED");
                }
            }
        }
        for (Path mount : mounts()) {
            Path top = mount.resolve(parent);
            for (int attempt = 0; Files.isDirectory(top); attempt++) {
                killEverythingIn(top);
                for (Path d : CgroupTree.postOrder(top)) {
                    try {
                        Files.deleteIfExists(d);
                    } catch (IOException busy) {
                        if (attempt > 100) {
                            throw new IOException("test cleanup could not remove " + d, busy);
                        }
                    }
                }
                Waits.sleep(Duration.ofMillis(Math.min(100, 1L << Math.min(attempt, 6))), "cleaning up " + top);
            }
            removeIfEmpty(mount.resolve(TOP));
        }
    }

    private static void killEverythingIn(Path top) throws IOException {
        for (Path d : CgroupTree.postOrder(top)) {
            for (String pid : Files.readString(d.resolve("cgroup.procs")).split("\\s+")) {
                if (!pid.isEmpty()) {
                    try {
                        Processes.kill(Integer.parseInt(pid), Signals.SIGKILL);
                    } catch (SyscallException gone) {
                        // exited meanwhile
                    }
                }
            }
        }
    }

    /** jctr-test is shared by every test run: remove it only when nothing else is in it. */
    private static void removeIfEmpty(Path top) {
        try (DirectoryStream<Path> children = Files.newDirectoryStream(top, Files::isDirectory)) {
            if (children.iterator().hasNext()) {
                return;
            }
        } catch (NoSuchFileException e) {
            return;
        } catch (IOException e) {
            return;
        }
        try {
            Files.deleteIfExists(top);
        } catch (IOException raced) {
            // another test created something in it meanwhile: it is theirs to remove
        }
    }
}
