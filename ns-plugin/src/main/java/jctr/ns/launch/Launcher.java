package jctr.ns.launch;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import jctr.kernel.InvalidConfigException;
import jctr.kernel.KernelException;
import jctr.kernel.NotFoundException;
import jctr.kernel.host.ProcStat;
import jctr.kernel.spi.Stdio;
import jctr.kernel.sys.Errno;
import jctr.kernel.sys.ExitStatus;
import jctr.kernel.sys.OpenFlags;
import jctr.kernel.sys.PosixFiles;
import jctr.kernel.sys.Processes;
import jctr.kernel.sys.Signals;
import jctr.kernel.sys.Spawn;
import jctr.kernel.sys.SyscallException;
import jctr.kernel.sys.UnixSockets;
import jctr.ns.plan.LaunchPlan;
import jctr.ns.plan.PlanEncoder;

/**
 * Runs a {@link LaunchPlan}: spawns {@code jctr-init} with posix_spawn (no Java code runs in the child),
 * hands it the encoded plan over a socket pair (the child's end is its fd 3), and follows the protocol
 * described in jctr-init.c:
 * <ol>
 *   <li>the launcher clones the container process with CLONE_PARENT and reports its pid, then exits;</li>
 *   <li>while that process waits, this side writes its uid/gid maps and its pid into the cgroup.procs
 *       files of the plan, then lets it continue (cgroup v1 hierarchies it joins itself, with tasks files
 *       the launcher opened: {@link jctr.ns.plan.Op.CgroupJoin});</li>
 *   <li>it runs its operations and reports READY (or the index and errno of the first failure).</li>
 * </ol>
 * <b>Parent of the container process:</b> because of CLONE_PARENT it is a child of this JVM, which can
 * wait for it with a pidfd as long as it lives; when this JVM exits, the kernel re-parents it to the
 * nearest child subreaper or to the host's init (as with runc). The launcher itself is always reaped here.
 */
public final class Launcher {

    static final int MSG_PID = 1;
    static final int MSG_ERROR = 2;
    static final int MSG_READY = 3;
    private static final int MSG_SIZE = 16;
    private static final int CHILD_FD = 3;

    private final Path binary;
    private final int timeoutMillis;

    /**
     * @param binary the extracted jctr-init
     * @param timeoutMillis how long to wait for each step of the child (mounts on a slow file system)
     */
    public Launcher(Path binary, int timeoutMillis) {
        this.binary = binary;
        this.timeoutMillis = timeoutMillis;
    }

    /**
     * A launched process.
     *
     * @param pid its host pid
     * @param gateFd at a start gate: the init's descriptor of the pipe {@link StartGate} writes into; else -1
     * @param resultFd at a start gate: the init's descriptor of the pipe that reports late failures; else -1
     */
    public record Launched(int pid, int gateFd, int resultFd) {
    }

    /**
     * Launches the plan's process and returns once it is READY: a container init then waits at its
     * start gate; an exec'd process has exec'd its program.
     *
     * @throws KernelException naming the config field of the operation that failed; the process is then
     *         gone (killed and reaped) and its mount namespace with it
     */
    public Launched launch(LaunchPlan plan) {
        return launch(plan, List.of());
    }

    /**
     * Like {@link #launch(LaunchPlan)}, spawning {@code wrapper} with the launcher's command line appended
     * instead of the launcher itself (see {@link jctr.kernel.spi.LaunchWrapper}): the wrapper's exit only
     * means it has started the launcher, and the process is then the wrapper's child, not this JVM's.
     */
    public Launched launch(LaunchPlan plan, List<String> wrapper) {
        byte[] encoded = PlanEncoder.encode(plan);
        int[] pair = UnixSockets.pair();
        int parentFd = pair[0];
        int childFd = pair[1];
        Child launcher = new Child();
        Child child = new Child();
        boolean launched = false;
        try {
            if (childFd == CHILD_FD) {
                // dup2(3, 3) would leave close-on-exec set; move it out of the way first.
                int moved = PosixFiles.duplicate(childFd, 10);
                PosixFiles.close(childFd);
                childFd = moved;
            }
            Path program = wrapper.isEmpty() ? binary : Path.of(wrapper.getFirst());
            List<String> argv = new ArrayList<>(wrapper.isEmpty() ? List.of("jctr-init") : wrapper);
            if (!wrapper.isEmpty()) {
                argv.add(binary.toString());
            }
            launcher.open(Spawn.spawn(program, argv, List.of(), fileActions(plan.stdio(), childFd)));
            PosixFiles.close(childFd);
            childFd = -1;
            try {
                UnixSockets.sendAll(parentFd, encoded);
            } catch (SyscallException e) {
                // The launcher died before reading its plan; its exit status below says why.
            }
            int[] msg = receive(parentFd);
            if (msg == null || msg[0] != MSG_PID) {
                ExitStatus status = launcher.reap();
                throw msg != null && msg[0] == MSG_ERROR ? LaunchFailure.of(plan.ops(), msg[1], msg[2])
                        : new KernelException(KernelException.Category.INTERNAL,
                        "jctr-init " + binary + " ended before starting the container process: " + status);
            }
            child.open(msg[1]);
            parentSteps(plan, child.pid);
            UnixSockets.sendAll(parentFd, new byte[] {1});
            launcher.reap();   // it exited right after reporting the pid
            msg = receive(parentFd);
            if (msg != null && msg[0] == MSG_READY && plan.startGateIndex() < 0) {
                // No start gate: the process execs right away; the socket closes on a successful exec.
                msg = receive(parentFd);
                if (msg == null) {
                    launched = true;
                    return new Launched(child.pid, -1, -1);
                }
            }
            if (msg != null && msg[0] == MSG_READY) {
                launched = true;
                return new Launched(child.pid, msg[1], msg[2]);
            }
            ExitStatus status = child.reap();
            throw msg != null && msg[0] == MSG_ERROR ? LaunchFailure.of(plan.ops(), msg[1], msg[2])
                    : new KernelException(KernelException.Category.INTERNAL,
                    "the container process " + child.pid + " ended during setup: " + status);
        } finally {
            PosixFiles.close(parentFd);
            if (childFd >= 0) {
                PosixFiles.close(childFd);
            }
            launcher.kill();   // a no-op unless something failed before it was reaped
            launcher.close();
            if (!launched) {
                child.kill();
            }
            child.close();
        }
    }

    /** A child of this JVM (launcher or container process): its pid and a pidfd that names it without reuse races. */
    private static final class Child {
        int pid = -1;
        int pidfd = -1;
        boolean reaped;

        void open(int childPid) {
            pid = childPid;
            pidfd = Processes.pidfdOpen(childPid);
        }

        ExitStatus reap() {
            reaped = true;
            try {
                return Processes.waitFor(pidfd);
            } catch (SyscallException e) {
                if (!e.is(Errno.ECHILD)) {
                    throw e;
                }
                // Launched through a wrapper, the process is the wrapper's child: its parent reaps it.
                for (int i = 0; i < 1000 && ProcStat.alive(pid, 0); i++) {
                    try {
                        Thread.sleep(10);
                    } catch (InterruptedException ie) {
                        Thread.currentThread().interrupt();
                        break;
                    }
                }
                return ExitStatus.killed(Signals.SIGKILL);
            }
        }

        void kill() {
            if (pidfd < 0 || reaped) {
                return;
            }
            try {
                Processes.signal(pidfd, Signals.SIGKILL);
            } catch (SyscallException e) {
                // already gone; reaping below still collects it
            }
            reap();
        }

        void close() {
            if (pidfd >= 0) {
                PosixFiles.close(pidfd);
            }
        }
    }

    /** What the parent does while the child waits: user namespace maps, then cgroup membership. */
    private static void parentSteps(LaunchPlan plan, int pid) {
        Path proc = Path.of("/proc", Integer.toString(pid));
        if (!plan.uidMap().isEmpty()) {
            writeProcFile(proc.resolve("uid_map"), plan.uidMap(), "linux.uidMappings");
            writeProcFile(proc.resolve("gid_map"), plan.gidMap(), "linux.gidMappings");
        }
        for (String procs : plan.procsFiles()) {
            try {
                Files.writeString(Path.of(procs), Integer.toString(pid));
            } catch (NoSuchFileException e) {
                throw new NotFoundException("cgroup of the container is gone: " + procs + " does not exist", e);
            } catch (IOException e) {
                throw new KernelException(KernelException.Category.INTERNAL,
                        "cannot place container process " + pid + " in its cgroup (" + procs + "): " + e.getMessage(), e);
            }
        }
    }

    private static void writeProcFile(Path file, String text, String field) {
        try {
            Files.writeString(file, text);
        } catch (IOException e) {
            throw new InvalidConfigException("", field, "the kernel refused the mapping \""
                    + text.strip().replace("\n", ", ") + "\" (" + e.getMessage() + ")", e);
        }
    }

    private static List<Spawn.FileAction> fileActions(Stdio stdio, int childFd) {
        List<Spawn.FileAction> actions = new ArrayList<>();
        Path devNull = Path.of("/dev/null");
        switch (stdio) {
            case Stdio.Inherit _ -> { }
            case Stdio.ConsoleSocket _ -> {
                // Until the console op makes the pty the stdio, nothing of the caller's terminal is needed.
                actions.add(new Spawn.Open(0, devNull, OpenFlags.O_RDONLY, 0));
                actions.add(new Spawn.Open(1, devNull, OpenFlags.O_WRONLY, 0));
                actions.add(new Spawn.Open(2, devNull, OpenFlags.O_WRONLY, 0));
            }
            case Stdio.Files f -> {
                int out = OpenFlags.O_WRONLY | OpenFlags.O_CREAT | OpenFlags.O_APPEND;
                actions.add(new Spawn.Open(0, f.stdin() == null ? devNull : f.stdin(), OpenFlags.O_RDONLY, 0));
                actions.add(new Spawn.Open(1, f.stdout() == null ? devNull : f.stdout(), out, 0644));
                actions.add(new Spawn.Open(2, f.stderr() == null ? devNull : f.stderr(), out, 0644));
            }
        }
        actions.add(new Spawn.Dup2(childFd, CHILD_FD));
        actions.add(new Spawn.CloseFrom(CHILD_FD + 1));
        return actions;
    }

    /** One message {type, a, b}, or null at end of stream. */
    private int[] receive(int fd) {
        byte[] raw = UnixSockets.recvFully(fd, MSG_SIZE, timeoutMillis);
        if (raw.length == 0) {
            return null;
        }
        if (raw.length != MSG_SIZE) {
            throw new KernelException(KernelException.Category.INTERNAL, "jctr-init sent a truncated message");
        }
        ByteBuffer b = ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN);
        return new int[] {b.getInt(), b.getInt(), b.getInt()};
    }

    /** Decodes an ERROR message's (index, errno) from raw bytes, or null when {@code raw} is not one. */
    static int[] decodeError(byte[] raw) {
        if (raw.length != MSG_SIZE) {
            return null;
        }
        ByteBuffer b = ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN);
        return b.getInt() == MSG_ERROR ? new int[] {b.getInt(), b.getInt()} : null;
    }
}
