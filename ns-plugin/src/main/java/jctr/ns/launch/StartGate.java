package jctr.ns.launch;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import jctr.kernel.KernelException;
import jctr.kernel.sys.Errno;
import jctr.kernel.sys.PosixFiles;
import jctr.kernel.sys.SyscallException;
import jctr.kernel.sys.UnixSockets;

/**
 * The client side of a created container's start gate. The init, fully set up, waits in accept(2) on a
 * unix socket in the container's state directory (bound by the launcher before it cloned, so it exists
 * independently of any JVM). Starting connects and sends one byte; the init then execs, and its end of
 * the connection (close-on-exec) closes: end of stream means the program is running. If a step after
 * the gate (seccomp with no_new_privs, execve) fails, the init sends that failure on the connection
 * instead and exits.
 */
public final class StartGate {

    /** How the operations after the gate are described: their field and text by plan index. */
    @FunctionalInterface
    public interface LateOps {
        /** {field, description} of operation {@code index}, or null when unknown. */
        String[] describe(int index);
    }

    private StartGate() {
    }

    /**
     * Releases the init waiting on {@code socket} and returns once it has exec'd.
     *
     * @throws KernelException FAILED_PRECONDITION when nothing waits there (already started, or dead),
     *         or the error of the late step that failed
     */
    public static void release(Path socket, int pid, LateOps lateOps, int timeoutMillis) {
        int fd;
        try {
            fd = UnixSockets.connect(socket);
        } catch (SyscallException e) {
            if (e.is(Errno.ENOENT) || e.is(Errno.ECONNREFUSED)) {
                throw new KernelException(KernelException.Category.FAILED_PRECONDITION, "container process " + pid
                        + " is not waiting to be started (already started, or gone): " + e.getMessage(), e);
            }
            throw e;
        }
        try {
            UnixSockets.sendAll(fd, new byte[] {1});
            byte[] reply = UnixSockets.recvFully(fd, 16, timeoutMillis);
            if (reply.length == 0) {
                return;
            }
            int[] error = Launcher.decodeError(reply);
            if (error == null) {
                throw new KernelException(KernelException.Category.INTERNAL,
                        "unexpected reply from container process " + pid + " at start");
            }
            String[] op = lateOps.describe(error[0]);
            throw op == null ? new SyscallException("jctr-init", error[1], "start of container process " + pid)
                    : LaunchFailure.of(op[0], op[1], error[1]);
        } finally {
            PosixFiles.close(fd);
            try {
                Files.deleteIfExists(socket);
            } catch (IOException e) {
                // the state directory goes away on delete anyway
            }
        }
    }
}
