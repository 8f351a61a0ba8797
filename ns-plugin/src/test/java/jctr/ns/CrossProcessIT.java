package jctr.ns;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import jctr.kernel.host.ProcStat;
import jctr.kernel.oci.OciJson;
import jctr.kernel.spi.IsolatedProcess;
import jctr.kernel.sys.ExitStatus;
import jctr.kernel.sys.PosixFiles;
import jctr.kernel.sys.Processes;
import jctr.kernel.testing.BusyboxRootfs;
import jctr.kernel.testing.RootOnly;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The create/start split across processes, as jctr-runc uses it: one JVM creates and exits, the init
 * outlives it waiting at its gate, another JVM starts it from the persisted record alone.
 */
class CrossProcessIT {

    @TempDir
    Path dir;

    private static String java(String mainClass, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"), mainClass));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), mainClass + " failed: " + out);
        return out.strip();
    }

    @Test
    void createInOneJvmStartInAnother() throws Exception {
        RootOnly.assumeRoot();
        // The creating JVM exits: its orphaned container init is re-parented to the nearest subreaper, us.
        Processes.becomeChildSubreaper();
        Files.setPosixFilePermissions(dir, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        Path rootfs = BusyboxRootfs.create(dir.resolve("rootfs"));
        Path stateRoot = dir.resolve("state");
        String json = java(CreateMain.class.getName(), rootfs.toString(), stateRoot.toString(), "x1",
                "/bin/touch", "/tmp/started");
        IsolatedProcess p = OciJson.parse("record", json, IsolatedProcess.class, true);
        int pidfd = Processes.pidfdOpen(p.pid());
        try {
            assertTrue(ProcStat.alive(p.pid(), p.startTime()), "the init must outlive the JVM that created it");
            assertEquals(ProcessHandle.current().pid(), ProcStat.read(p.pid()).orElseThrow().parentPid());
            Thread.sleep(100);
            assertFalse(Files.exists(rootfs.resolve("tmp/started")), "ran before start");
            java(StartMain.class.getName(), stateRoot.toString(), json);
            assertEquals(ExitStatus.exited(0), Processes.waitFor(pidfd));
            assertTrue(Files.exists(rootfs.resolve("tmp/started")));
        } finally {
            try {
                Processes.signal(pidfd, jctr.kernel.sys.Signals.SIGKILL);
                Processes.waitFor(pidfd);
            } catch (RuntimeException e) {
                // already reaped above
            }
            PosixFiles.close(pidfd);
        }
    }
}
