package jctr.ns.launch;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import jctr.kernel.KernelException;
import jctr.kernel.host.ProcStat;
import jctr.kernel.sys.Errno;
import jctr.kernel.sys.PosixFiles;
import jctr.kernel.sys.Processes;
import jctr.kernel.sys.SyscallException;

/**
 * The releasing side of a created container's start gate. The init, fully set up, blocks reading a
 * pipe it created itself ("go"); a second pipe ("result") carries failures of the steps after the gate.
 * Both exist only in the init, so the gate needs no file, survives the creating JVM, and cannot be
 * confused with another process: {@code start} takes duplicates of the two descriptors with
 * pidfd_getfd(2) through a pidfd whose process it has checked by start time, checks that they are
 * the gate's pipes (recorded at create), writes one byte into "go", and reads "result". The init's descriptors are close-on-exec: end of file means the program
 * runs; an ERROR message means a late step (seccomp with no_new_privs, execve) failed.
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
     * A gate as recorded at create: the init's descriptor numbers and the identities of the pipes behind
     * them ({@code pipe:[inode]}), which tell the gate from whatever the program has at those numbers
     * once it runs.
     */
    public record Gate(int goFd, String goPipe, int resultFd, String resultPipe) {

        /** Reads the identities of the init's gate descriptors from /proc while it waits at the gate. */
        public static Gate of(int pid, int goFd, int resultFd) {
            return new Gate(goFd, pipeOf(pid, goFd), resultFd, pipeOf(pid, resultFd));
        }
    }

    /**
     * Releases the init {@code pid} (started at {@code startTime}) waiting at its gate and returns once
     * it has exec'd.
     *
     * @throws KernelException FAILED_PRECONDITION when that process is not waiting at its gate (already
     *         started, exited, or another process now has the pid), or the error of the late step that failed
     */
    public static void release(int pid, long startTime, Gate gate, LateOps lateOps, int timeoutMillis) {
        int pidfd;
        try {
            pidfd = Processes.pidfdOpen(pid);
        } catch (SyscallException e) {
            throw notWaiting(pid, e);
        }
        int go = -1;
        int result = -1;
        try {
            // The pidfd pins the process: if its start time matches now, it is the init we created.
            if (!ProcStat.alive(pid, startTime)) {
                throw notWaiting(pid, null);
            }
            go = Processes.pidfdGetfd(pidfd, gate.goFd());
            result = Processes.pidfdGetfd(pidfd, gate.resultFd());
            // Checked on the descriptors we now hold: a program that already runs may have other files there.
            if (!gate.goPipe().equals(pipeOf(0, go)) || !gate.resultPipe().equals(pipeOf(0, result))) {
                throw notWaiting(pid, null);
            }
            PosixFiles.write(go, new byte[] {1});
            byte[] reply = readMessage(result, timeoutMillis);
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
        } catch (SyscallException e) {
            if (e.is(Errno.EBADF) || e.is(Errno.ESRCH) || e.is(Errno.EPIPE)) {
                throw notWaiting(pid, e);
            }
            throw e;
        } finally {
            closeAll(go, result, pidfd);
        }
    }

    /** One 16-byte message, or an empty array at end of file. */
    private static byte[] readMessage(int fd, int timeoutMillis) {
        byte[] out = new byte[0];
        while (out.length < 16) {
            byte[] chunk = PosixFiles.read(fd, 16 - out.length, timeoutMillis);
            if (chunk.length == 0) {
                return out;
            }
            byte[] joined = java.util.Arrays.copyOf(out, out.length + chunk.length);
            System.arraycopy(chunk, 0, joined, out.length, chunk.length);
            out = joined;
        }
        return out;
    }

    /** What descriptor {@code fd} of process {@code pid} (0: this process) refers to, e.g. {@code pipe:[4711]}. */
    private static String pipeOf(int pid, int fd) {
        try {
            return Files.readSymbolicLink(Path.of("/proc", pid == 0 ? "self" : Integer.toString(pid), "fd",
                    Integer.toString(fd))).toString();
        } catch (IOException e) {
            return "";
        }
    }

    private static KernelException notWaiting(int pid, Exception cause) {
        return new KernelException(KernelException.Category.FAILED_PRECONDITION, "container process " + pid
                + " is not waiting to be started (already started, or gone)", cause);
    }

    private static void closeAll(int... fds) {
        for (int fd : fds) {
            if (fd >= 0) {
                PosixFiles.close(fd);
            }
        }
    }
}
