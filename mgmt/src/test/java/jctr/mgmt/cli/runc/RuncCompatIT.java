package jctr.mgmt.cli.runc;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * {@code jctr-runc run} and {@code runc run} on the same busybox bundle (separate state roots and cgroups)
 * give the same exit code and the same output.
 */
class RuncCompatIT {

    @TempDir
    Path tmp;

    private RuncHarness h;

    @BeforeEach
    void setUp() {
        RuncHarness.assumeRuntimeWorks();
        Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/sbin/runc")) || Files.isExecutable(Path.of("/usr/bin/runc")),
                "SKIPPED: runc is not installed (apt-get install runc)");
        h = new RuncHarness(tmp);
    }

    @AfterEach
    void tearDown() {
        if (h != null) {
            h.close();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"exit 0", "exit 3", "kill -9 $$", "echo hi", "echo out; echo err >&2; exit 42",
        "hostname; id -u; cat /proc/self/cgroup >/dev/null && echo readable"})
    void sameExitCodeAndOutputAsRunc(String command) {
        var before = h.inventory();
        Path jctrBundle = h.bundle("jctr", List.of("sh", "-c", command), s -> s);
        Path runcBundle = h.bundle("runc", List.of("sh", "-c", command), s -> s);
        var ours = h.jctr("run", "--bundle", jctrBundle.toString(), h.id("jctr"));
        var theirs = h.runc(tmp.resolve("runc-root"), "run", "--bundle", runcBundle.toString(), h.id("runc"));
        assertEquals(theirs.exit(), ours.exit(), "exit code; jctr-runc:\n" + ours + "\nrunc:\n" + theirs);
        assertEquals(theirs.out(), ours.out(), "stdout");
        assertEquals(theirs.err(), ours.err(), "stderr");
        h.assertNothingLeftSince(before);
    }
}
