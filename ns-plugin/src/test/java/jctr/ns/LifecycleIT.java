package jctr.ns;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;

import jctr.kernel.InvalidConfigException;
import jctr.kernel.KernelException;
import jctr.kernel.host.ProcStat;
import jctr.kernel.oci.OciJson;
import jctr.kernel.oci.Seccomp;
import jctr.kernel.oci.Spec;
import jctr.kernel.spi.IsolatedProcess;
import jctr.kernel.spi.IsolationRequest;
import jctr.kernel.spi.Stdio;
import jctr.kernel.sys.ExitStatus;
import jctr.kernel.sys.Processes;
import jctr.kernel.sys.Signals;
import jctr.ns.plan.SeccompProgram;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** create, start, wait: the split across processes and the exit status, through the SPI only. */
class LifecycleIT extends WithContainerHarness {

    @Test
    void trueRunsAndExitsZero() {
        assertEquals(ExitStatus.exited(0), h.run(h.spec("/bin/true")).status());
    }

    @Test
    void exitCodeAndSignalAreTheProgramsOwn() {
        assertEquals(ExitStatus.exited(3), h.run(h.spec("/bin/sh", "-c", "exit 3")).status());
        // An init cannot be killed from inside its own pid namespace; from outside it can.
        IsolatedProcess p = h.create(h.spec("/bin/sleep", "100"), Stdio.inherit());
        h.driver.start(p);
        Processes.kill(p.pid(), Signals.SIGKILL);
        assertEquals(ExitStatus.killed(Signals.SIGKILL), h.waitFor(p));
    }

    @Test
    void createDoesNotRunTheProgramUntilStart() throws Exception {
        Path marker = h.rootfs.resolve("tmp/ran");
        IsolatedProcess p = h.create(h.spec("/bin/touch", "/tmp/ran"), Stdio.inherit());
        Thread.sleep(200);
        assertFalse(Files.exists(marker), "the program ran before start");
        assertTrue(ProcStat.alive(p.pid(), p.startTime()), "the init must wait at its start gate");
        h.driver.start(p);
        assertEquals(ExitStatus.exited(0), h.waitFor(p));
        assertTrue(Files.exists(marker));
    }

    @Test
    void startWorksFromThePersistedRecordAlone() {
        IsolatedProcess created = h.create(h.spec("/bin/sh", "-c", "exit 7"), Stdio.inherit());
        IsolatedProcess persisted = OciJson.parse("state.json", OciJson.write(created), IsolatedProcess.class, true);
        assertEquals(created, persisted);
        // A fresh driver instance, as a second JVM would have.
        ContainerHarness other = new ContainerHarness(dir.resolve("other"));
        other.driver.start(persisted);
        assertEquals(ExitStatus.exited(7), h.waitFor(created));
    }

    @Test
    void startingARunningContainerAgainTouchesNothingOfTheProgram() throws Exception {
        // once running, the program has its own files at the descriptor numbers the gate had
        IsolatedProcess p = h.create(h.spec("/bin/sh", "-c",
                "exec 3>/tmp/f3 4>/tmp/f4 5>/tmp/f5 6>/tmp/f6 7>/tmp/f7 8>/tmp/f8 9>/tmp/f9; touch /tmp/ready; sleep 60"),
                Stdio.inherit());
        h.driver.start(p);
        ContainerHarness.awaitFile(h.rootfs.resolve("tmp/ready"), new ContainerHarness.Background(p, dir.resolve("none")));
        KernelException e = assertThrows(KernelException.class, () -> h.driver.start(p));
        assertEquals(KernelException.Category.FAILED_PRECONDITION, e.category());
        for (int fd = 3; fd <= 9; fd++) {
            assertEquals(0, Files.size(h.rootfs.resolve("tmp/f" + fd)), "start wrote into the program's fd " + fd);
        }
    }

    @Test
    void startingTwiceFailsClearly() {
        IsolatedProcess p = h.create(h.spec("/bin/sleep", "1"), Stdio.inherit());
        h.driver.start(p);
        KernelException e = assertThrows(KernelException.class, () -> h.driver.start(p));
        assertEquals(KernelException.Category.FAILED_PRECONDITION, e.category());
        assertTrue(e.getMessage().contains("not waiting to be started"), e.getMessage());
    }

    @Test
    void theInitGetsItsOwnSessionKeyringUnlessNoNewKeyring() throws Exception {
        h.create(new IsolationRequest("keys", h.spec("/bin/sleep", "60"), dir, dir.resolve("state/keys"), null,
                Stdio.inherit(), null));
        assertTrue(Files.readString(Path.of("/proc/keys")).contains("_ses.keys"), "no session keyring _ses.keys");
        h.create(new IsolationRequest("nokeys", h.spec("/bin/sleep", "60"), dir, dir.resolve("state/nokeys"), null,
                Stdio.inherit(), new IsolationRequest.Options(false, true)));
        assertFalse(Files.readString(Path.of("/proc/keys")).contains("_ses.nokeys"));
    }

    @Test
    void aStepAfterTheGateThatFailsIsReportedByStartNamingItsField() {
        // an instruction the kernel's BPF checker rejects: seccomp(2) fails with EINVAL after the gate
        byte[] bogus = {(byte) 0xff, (byte) 0xff, 0, 0, 0, 0, 0, 0};
        ContainerHarness other = new ContainerHarness(dir.resolve("bad-filter"), profile -> new SeccompProgram(0, bogus));
        try {
            Spec spec = other.spec("/bin/true");
            IsolatedProcess p = other.create(spec.withLinux(spec.linux().withSeccomp(
                    new Seccomp("SCMP_ACT_ALLOW", null, null, null, null, null, null))), Stdio.inherit());
            InvalidConfigException e = assertThrows(InvalidConfigException.class, () -> other.driver.start(p));
            assertEquals("linux.seccomp", e.field());
            assertTrue(e.getMessage().contains("EINVAL"), e.getMessage());
            assertEquals(ExitStatus.exited(1), other.waitFor(p));
        } finally {
            other.close();
        }
    }

    @Test
    void stdoutAndStderrGoToTheGivenFiles() {
        var r = h.run(h.spec("/bin/sh", "-c", "echo out; echo err >&2"));
        assertEquals("out\nerr\n", r.output());
    }
}
