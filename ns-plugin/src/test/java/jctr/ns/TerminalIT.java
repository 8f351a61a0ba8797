package jctr.ns;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;

import jctr.kernel.oci.ConsoleSize;
import jctr.kernel.oci.ProcessSpec;
import jctr.kernel.oci.Spec;
import jctr.kernel.spi.IsolatedProcess;
import jctr.kernel.spi.Stdio;
import jctr.kernel.sys.ExitStatus;
import jctr.kernel.sys.PosixFiles;
import jctr.kernel.sys.UnixSockets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** process.terminal: the pty master arrives over the console socket (as runc's --console-socket) and drives a shell. */
class TerminalIT extends WithContainerHarness {

    static Spec terminal(Spec spec) {
        ProcessSpec p = spec.process();
        return spec.withProcess(new ProcessSpec(true, new ConsoleSize(30, 100), p.user(), p.args(), p.env(), p.cwd(),
                p.capabilities(), p.rlimits(), p.noNewPrivileges(), null, null, null));
    }

    /** Receives the pty master sent to a console socket at {@code path} (listening before create). */
    static int receiveMaster(int listenFd) {
        int conn = UnixSockets.accept(listenFd, 10_000);
        try {
            UnixSockets.ReceivedFd master = UnixSockets.recvFd(conn, 10_000);
            assertEquals("/dev/ptmx", master.name());
            return master.fd();
        } finally {
            PosixFiles.close(conn);
        }
    }

    /** Reads the pty until the other side is gone (EIO), i.e. until the shell exited. */
    static String readAll(int master) {
        StringBuilder sb = new StringBuilder();
        for (byte[] chunk = PosixFiles.read(master, 4096); chunk.length > 0; chunk = PosixFiles.read(master, 4096)) {
            sb.append(new String(chunk, StandardCharsets.UTF_8));
        }
        return sb.toString();
    }

    @Test
    void aShellTalksThroughThePtyMaster() throws Exception {
        Path socket = dir.resolve("console.sock");
        int listenFd = UnixSockets.listen(socket, 1);
        int master = -1;
        try {
            IsolatedProcess p = h.create(terminal(h.spec("/bin/sh")), new Stdio.ConsoleSocket(socket));
            master = receiveMaster(listenFd);
            h.driver.start(p);
            PosixFiles.write(master, "stty size; tty; echo hi-$((6*7)); ls -l /dev/console; exit 5\n"
                    .getBytes(StandardCharsets.UTF_8));
            String out = readAll(master);
            assertTrue(out.contains("30 100"), out);
            assertTrue(out.contains("/dev/pts/0"), out);
            assertTrue(out.contains("hi-42"), out);
            assertTrue(out.contains("136,"), "the pty slave is bound on /dev/console: " + out);
            assertEquals(ExitStatus.exited(5), h.waitFor(p));
        } finally {
            if (master >= 0) {
                PosixFiles.close(master);
            }
            PosixFiles.close(listenFd);
        }
    }
}
