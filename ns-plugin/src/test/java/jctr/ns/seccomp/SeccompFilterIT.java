package jctr.ns.seccomp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import jctr.kernel.oci.DefaultSeccomp;
import jctr.kernel.oci.Seccomp;
import jctr.kernel.oci.SeccompSyscall;
import jctr.kernel.sys.Errno;
import jctr.kernel.sys.Processes;
import jctr.kernel.sys.SyscallException;
import jctr.kernel.sys.Seccomps;
import jctr.kernel.testing.RootOnly;

/**
 * The kernel accepts the compiled programs and enforces them. Seccomp filters are per thread: each test
 * installs one on a fresh platform thread (no TSYNC), makes syscalls there through FFM, and lets the
 * thread end, which drops the filter; the JVM's other threads are never filtered.
 */
class SeccompFilterIT {

    private static final long NR_GETPID = 39;
    private static final long NR_UNAME = 63;
    private static final long NR_PERSONALITY = 135;
    private static final long NR_REBOOT = 169;
    private static final long NR_CLONE3 = 435;
    private static final long NR_FILE_GETATTR = 468;

    @BeforeEach
    void root() {
        RootOnly.assumeRoot();
    }

    @Test
    void aRuleReturnsItsErrnoOnlyOnTheFilteredThread() throws Exception {
        Seccomp profile = new Seccomp("SCMP_ACT_ALLOW", null, List.of(), List.of(), null, null,
                List.of(new SeccompSyscall(List.of("uname"), "SCMP_ACT_ERRNO", null, List.of())));
        byte[] program = SeccompCompiler.compile(profile);
        CountDownLatch installed = new CountDownLatch(1);
        CountDownLatch checkedElsewhere = new CountDownLatch(1);
        CompletableFuture<List<String>> seen = onFilteredThread(program, () -> {
            List<String> r = new ArrayList<>();
            r.add("mode " + Seccomps.mode());
            r.add("no_new_privs " + Seccomps.noNewPrivs());
            r.add("uname " + outcome(NR_UNAME, 0));
            r.add("getpid " + (Seccomps.syscall(NR_GETPID) == Processes.self()));
            installed.countDown();
            await(checkedElsewhere); // keep the filter alive while another thread calls uname
            return r;
        });
        try {
            assertTrue(installed.await(30, TimeUnit.SECONDS));
            // uname(NULL) unfiltered: the kernel faults on the NULL buffer.
            assertEquals("EFAULT", outcome(NR_UNAME, 0), "this thread is not filtered");
        } finally {
            checkedElsewhere.countDown();
        }
        assertEquals(List.of("mode " + Seccomps.MODE_FILTER, "no_new_privs true", "uname EPERM", "getpid true"),
                result(seen));
        assertEquals(0, Seccomps.mode(), "the test thread never got a filter");
    }

    @Test
    void theDefaultProfileIsEnforced() throws Exception {
        byte[] program = SeccompCompiler.compile(DefaultSeccomp.profile());
        // Unfiltered, as root: reboot with a bad magic number is EINVAL, file_getattr with bad arguments
        // EBADF/EFAULT/EINVAL (Linux 6.17+) or ENOSYS (older kernels).
        String rebootUnfiltered = outcome(NR_REBOOT, 0, 0, 0, 0);
        CompletableFuture<List<String>> seen = onFilteredThread(program, () -> List.of(
                "reboot " + outcome(NR_REBOOT, 0, 0, 0, 0),
                "getpid " + (Seccomps.syscall(NR_GETPID) == Processes.self()),
                "personality " + outcome(NR_PERSONALITY, 0xffffffffL),
                "clone3 " + outcome(NR_CLONE3, 0, 0),
                "file_getattr " + outcome(NR_FILE_GETATTR, -1, 0, 0, 0, 0)));
        assertEquals("EINVAL", rebootUnfiltered);
        assertEquals(List.of("reboot EPERM", "getpid true", "personality ok", "clone3 ENOSYS", "file_getattr ENOSYS"),
                result(seen), "file_getattr is newer than the profile: ENOSYS, as runc gives");
    }

    /** "ok" when the raw syscall succeeds, else the errno name. */
    private static String outcome(long nr, long... args) {
        try {
            Seccomps.syscall(nr, args);
            return "ok";
        } catch (SyscallException e) {
            return Errno.name(e.errno());
        }
    }

    /**
     * Runs {@code body} on a new platform thread after setting no_new_privs and installing {@code program}
     * there; the thread ends afterwards, and with it the filter.
     */
    private static <T> CompletableFuture<T> onFilteredThread(byte[] program, Supplier<T> body) {
        CompletableFuture<T> result = new CompletableFuture<>();
        Thread.ofPlatform().name("seccomp-it").start(() -> {
            try {
                Seccomps.setNoNewPrivs();
                assertEquals(0, Seccomps.setModeFilter(program, 0));
                result.complete(body.get());
            } catch (Throwable t) {
                result.completeExceptionally(t);
            }
        });
        return result;
    }

    private static <T> T result(CompletableFuture<T> f) throws Exception {
        return f.get(30, TimeUnit.SECONDS);
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
