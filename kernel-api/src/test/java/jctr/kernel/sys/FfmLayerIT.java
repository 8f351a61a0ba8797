package jctr.kernel.sys;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import jctr.kernel.KernelException.Category;
import jctr.kernel.host.MountEntry;
import jctr.kernel.testing.RootOnly;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The FFM layer against the real kernel, as root. */
class FfmLayerIT {

    @BeforeEach
    void root() {
        RootOnly.assumeRoot();
    }

    /**
     * A bind mount inside a private mount namespace of a dedicated thread: visible to that thread, invisible
     * to the rest of the JVM and the host, and gone with the namespace when the thread ends.
     */
    @Test
    void bindMountInAPrivateMountNamespace(@TempDir Path dir) throws Exception {
        Path source = Files.createDirectories(dir.resolve("source"));
        Path target = Files.createDirectories(dir.resolve("target"));
        Files.writeString(source.resolve("marker"), "from source");
        AtomicReference<Throwable> failure = new AtomicReference<>();
        AtomicReference<String> seenInside = new AtomicReference<>();
        Thread t = Thread.ofPlatform().name("mount-ns").start(() -> {
            try {
                // CLONE_FS too: the thread must stop sharing root/cwd with the JVM before it may own a mount ns.
                Namespaces.unshare(CloneFlags.CLONE_NEWNS | CloneFlags.CLONE_FS);
                Mounts.propagation(Path.of("/"), MountFlags.MS_REC | MountFlags.MS_PRIVATE);
                Mounts.bind(source, target, false);
                seenInside.set(Files.readString(target.resolve("marker")));
                boolean listed = MountEntry.parseAll(Files.readString(Path.of("/proc/thread-self/mountinfo"))).stream()
                        .anyMatch(m -> m.mountPoint().equals(target.toString()));
                assertTrue(listed, "the bind mount shows in this thread's mountinfo");
                Mounts.unmount(target, 0);
                assertFalse(Files.exists(target.resolve("marker")));
            } catch (Throwable e) {
                failure.set(e);
            }
        });
        t.join(TimeUnit.SECONDS.toMillis(30));
        if (failure.get() != null) {
            throw new AssertionError(failure.get());
        }
        assertEquals("from source", seenInside.get());
        assertFalse(Files.exists(target.resolve("marker")), "the host never saw the mount");
        List<MountEntry> host = MountEntry.parseAll(Files.readString(Path.of("/proc/self/mountinfo")));
        assertTrue(host.stream().noneMatch(m -> m.mountPoint().equals(target.toString())));
    }

    @Test
    void enoentNamesTheCallAndArguments(@TempDir Path dir) {
        Path missing = dir.resolve("missing");
        SyscallException e = assertThrows(SyscallException.class, () -> Mounts.bind(missing, dir, false));
        assertEquals("mount", e.call());
        assertEquals(Errno.ENOENT, e.errno());
        assertEquals("ENOENT", e.errnoName());
        assertEquals(Category.NOT_FOUND, e.category());
        assertTrue(e.getMessage().contains(missing.toString()), e.getMessage());
        assertTrue(e.getMessage().endsWith("ENOENT (No such file or directory)"), e.getMessage());
        SyscallException open = assertThrows(SyscallException.class, () -> PosixFiles.open(missing, OpenFlags.O_RDONLY, 0));
        assertEquals("open", open.call());
        assertEquals(Errno.ENOENT, open.errno());
    }

    @Test
    void einvalForUnmountingWhatIsNotAMountPoint(@TempDir Path dir) {
        SyscallException e = assertThrows(SyscallException.class, () -> Mounts.unmount(dir, 0));
        assertEquals("umount2", e.call());
        assertEquals(Errno.EINVAL, e.errno());
        assertEquals(Category.INVALID_ARGUMENT, e.category());
    }

    /** EPERM needs an unprivileged caller: run a small probe in a JVM as user nobody (setpriv). */
    @Test
    void epermForAnUnprivilegedMount() throws IOException, InterruptedException {
        String javaHome = System.getProperty("java.home");
        String classpath = System.getProperty("java.class.path");
        Process p = new ProcessBuilder("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--inh-caps=-all",
                javaHome + "/bin/java", "--enable-native-access=ALL-UNNAMED", "-cp", classpath,
                ErrnoProbe.class.getName(), "mount").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes()).trim();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), out);
        assertEquals("mount EPERM PERMISSION_DENIED mount(\"none\", \"/tmp\", \"tmpfs\", 0x0): EPERM (Operation not permitted)",
                out.lines().reduce((a, b) -> b).orElse(""));
    }

    @Test
    void pidfdSignalsAndWaitsWithoutPidReuseRaces() throws Exception {
        Process sleeper = new ProcessBuilder("sleep", "30").start();
        int pidfd = Processes.pidfdOpen((int) sleeper.pid());
        try {
            Processes.signal(pidfd, Signals.SIGKILL);
            assertTrue(sleeper.waitFor(10, TimeUnit.SECONDS));
            assertEquals(128 + 9, sleeper.exitValue());
            // The process is gone: signalling through the same pidfd now fails with ESRCH, never hits a new process.
            SyscallException e = assertThrows(SyscallException.class, () -> Processes.signal(pidfd, Signals.SIGKILL));
            assertEquals(Errno.ESRCH, e.errno());
        } finally {
            PosixFiles.close(pidfd);
        }
        SyscallException gone = assertThrows(SyscallException.class, () -> Processes.pidfdOpen((int) sleeper.pid()));
        assertEquals(Errno.ESRCH, gone.errno());
        assertEquals(Category.NOT_FOUND, gone.category());
    }

    /**
     * waitid(P_PIDFD) on processes re-parented to this JVM as child subreaper (the way the runtime waits for
     * a container init whose launcher exited): the exit code and the killing signal come back.
     */
    @Test
    void waitidReportsExitCodeAndSignalOfAdoptedChildren() throws Exception {
        Processes.becomeChildSubreaper();
        int exiter = orphan("sleep 0.3; exit 7");
        int sleeper = orphan("sleep 30");
        int exiterFd = Processes.pidfdOpen(exiter);
        int sleeperFd = Processes.pidfdOpen(sleeper);
        try {
            assertTrue(Processes.poll(sleeperFd).isEmpty(), "still running");
            assertEquals(ExitStatus.exited(7), Processes.waitFor(exiterFd));
            Processes.signal(sleeperFd, Signals.SIGKILL);
            ExitStatus killed = Processes.waitFor(sleeperFd);
            assertEquals(ExitStatus.killed(Signals.SIGKILL), killed);
            assertEquals(137, killed.shellCode());
        } finally {
            PosixFiles.close(exiterFd);
            PosixFiles.close(sleeperFd);
        }
    }

    /** Starts {@code script} in a subshell whose parent exits at once, so it is re-parented to us. */
    private static int orphan(String script) throws IOException, InterruptedException {
        Process sh = new ProcessBuilder("sh", "-c", "(" + script + ") >/dev/null 2>&1 & echo $!").start();
        String pid = new String(sh.getInputStream().readAllBytes()).trim();
        assertTrue(sh.waitFor(10, TimeUnit.SECONDS));
        return Integer.parseInt(pid);
    }

    @Test
    void flockExcludesASecondDescriptorInTheSameProcess(@TempDir Path dir) {
        int a = PosixFiles.open(dir, OpenFlags.O_RDONLY | OpenFlags.O_DIRECTORY | OpenFlags.O_CLOEXEC, 0);
        int b = PosixFiles.open(dir, OpenFlags.O_RDONLY | OpenFlags.O_DIRECTORY | OpenFlags.O_CLOEXEC, 0);
        try {
            assertTrue(PosixFiles.flock(a, PosixFiles.LOCK_EX | PosixFiles.LOCK_NB));
            assertFalse(PosixFiles.flock(b, PosixFiles.LOCK_EX | PosixFiles.LOCK_NB));
            PosixFiles.flock(a, PosixFiles.LOCK_UN);
            assertTrue(PosixFiles.flock(b, PosixFiles.LOCK_EX | PosixFiles.LOCK_NB));
        } finally {
            PosixFiles.close(a);
            PosixFiles.close(b);
        }
    }

    @Test
    void mknodAndMkfifo(@TempDir Path dir) throws IOException {
        Path nul = dir.resolve("null");
        PosixFiles.mknod(nul, OpenFlags.S_IFCHR | 0666, OpenFlags.makedev(1, 3));
        assertEquals(OpenFlags.makedev(1, 3), ((Number) Files.getAttribute(nul, "unix:rdev")).longValue());
        Path fifo = dir.resolve("fifo");
        PosixFiles.mkfifo(fifo, 0600);
        assertEquals(OpenFlags.S_IFIFO, ((Integer) Files.getAttribute(fifo, "unix:mode")) & OpenFlags.S_IFMT);
        SyscallException e = assertThrows(SyscallException.class, () -> PosixFiles.mkfifo(fifo, 0600));
        assertEquals(Errno.EEXIST, e.errno());
        assertEquals(Category.ALREADY_EXISTS, e.category());
    }
}
