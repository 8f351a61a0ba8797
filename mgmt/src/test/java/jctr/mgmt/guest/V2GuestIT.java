package jctr.mgmt.guest;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import jctr.kernel.host.MountEntry;
import jctr.kernel.testing.BusyboxRootfs;
import jctr.kernel.testing.RootOnly;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Boots the user-mode-linux guest of scripts/v2-guest (kernel 6.1, pure cgroup v2 with cpu, io, memory and
 * pids) once and runs every {@code *InGuest} test inside it with the classes this build made: the cgroup-v2
 * driver's enforcement tests and containers run through {@code bin/jctr-runc} from the distribution in
 * target/dist. Any failure in there fails this test. It is skipped, loudly, only where the guest cannot
 * boot; everything else fails.
 *
 * <p>It lives in mgmt, not in cgroup-v2-plugin, because the CLI tests need the packaged distribution, which
 * the reactor builds only after the plugins.
 */
class V2GuestIT {

    private static final Path UML = Path.of(System.getenv().getOrDefault("UML", "/usr/bin/linux.uml"));
    private static final Duration GUEST_TIMEOUT = Duration.ofMinutes(10);

    @Test
    void theV2EnforcementTestsPassInTheGuestKernel() throws Exception {
        RootOnly.assumeRoot();
        cannotBoot().ifPresent(why -> {
            String banner = "#".repeat(100);
            System.err.println(banner + "\n# SKIPPING THE CGROUP V2 GUEST TESTS: " + why
                    + "\n# The cgroup-v2 driver's enforcement (memory, pids, cpu, io, freezer, devices), alone and through "
                    + "jctr-runc, is NOT tested on this machine.\n" + banner);
            Assumptions.abort("the cgroup v2 guest cannot boot here: " + why);
        });
        Path module = Path.of("").toAbsolutePath();
        Path project = Path.of(System.getProperty("jctr.project.root", module.getParent().toString()));
        Path cpFile = module.resolve("target/guest-classpath.txt");
        assertTrue(Files.isRegularFile(cpFile), cpFile + " is missing: run the test through mvn verify");
        Path dist = module.resolve("target/dist/mods");
        assertTrue(Files.isDirectory(dist), dist + " is missing: run the test through mvn verify (package builds it)");
        String classPath = String.join(":", module.resolve("target/test-classes").toString(),
                module.resolve("target/classes").toString(), Files.readString(cpFile).trim());
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");

        List<String> command = List.of(project.resolve("scripts/v2-guest/run-in-guest.sh").toString(),
                "-C", project.toString(), "-w", module.resolve("target/v2-guest").toString(),
                "-t", Long.toString(GUEST_TIMEOUT.toSeconds()), "--",
                java.toString(), "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xshare:auto",
                "--enable-native-access=ALL-UNNAMED", "-Djctr.test.busybox=" + BusyboxRootfs.busybox(),
                "-Djctr.project.root=" + project,
                "-cp", classPath, GuestTestMain.class.getName());
        long t0 = System.nanoTime();
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        List<String> output = new ArrayList<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = r.readLine()) != null; ) {
                System.out.println("[v2-guest] " + line);
                output.add(line);
            }
        } finally {
            if (!p.waitFor(GUEST_TIMEOUT.toSeconds() + 30, TimeUnit.SECONDS)) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
            }
        }
        System.out.printf("[v2-guest] whole guest run: %.1f s%n", (System.nanoTime() - t0) / 1e9);
        String result = output.stream().filter(l -> l.startsWith(GuestTestMain.RESULT_MARKER)).findFirst()
                .orElse("no result line");
        assertEquals(0, p.exitValue(), "the cgroup v2 tests in the guest failed (" + result + "); output above");
        assertTrue(result.matches(".* [1-9][0-9]* passed, 0 failed, 0 aborted.*"), result);
    }

    /** Why the guest cannot boot on this machine, if it cannot. */
    private static Optional<String> cannotBoot() throws IOException {
        if (!Files.isExecutable(UML)) {
            return Optional.of("no " + UML + " (apt-get install user-mode-linux)");
        }
        Path tmp = Path.of(System.getenv().getOrDefault("UML_TMPDIR", "/dev/shm"));
        if (!Files.isDirectory(tmp)) {
            return Optional.of("no " + tmp + " for the guest's memory");
        }
        // UML maps its memory file with PROT_EXEC: the directory must not be on a noexec mount.
        MountEntry best = null;
        for (MountEntry m : MountEntry.parseAll(Files.readString(Path.of("/proc/self/mountinfo")))) {
            if (tmp.startsWith(m.mountPoint()) && (best == null || m.mountPoint().length() >= best.mountPoint().length())) {
                best = m;
            }
        }
        if (best != null && best.mountOptions().contains("noexec")) {
            return Optional.of(tmp + " is mounted noexec (UML maps guest memory from there with PROT_EXEC); "
                    + "set UML_TMPDIR to an exec-able tmpfs");
        }
        return Optional.empty();
    }
}
