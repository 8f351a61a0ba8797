package jctr.cgroup.v1;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;

import jctr.kernel.KernelException;
import jctr.kernel.spi.ResourceEvent;
import jctr.kernel.spi.ResourceEventListener;
import jctr.kernel.spi.Subscription;
import jctr.kernel.sys.EventFds;
import jctr.kernel.sys.OpenFlags;
import jctr.kernel.sys.PosixFiles;

/**
 * OOM notifications of a v1 memory cgroup: an eventfd registered for {@code memory.oom_control} through
 * {@code cgroup.event_control}, read by a daemon thread. The kernel signals the eventfd when the cgroup
 * hits its limit and the OOM killer is about to run (or would, were it not disabled), and once more when
 * the cgroup is removed.
 *
 * <p>Each wake-up with the cgroup still present becomes an {@link ResourceEvent.Type#OOM} event, followed by
 * {@link ResourceEvent.Type#OOM_KILL} when the {@code oom_kill} counter of memory.oom_control went up.
 * Closing writes to the eventfd itself to wake the thread, which then closes both descriptors.
 */
final class OomWatch implements Subscription {

    /** How long to wait for the kill that follows an OOM notification to show in the counter. */
    private static final long KILL_SETTLE_NANOS = 200_000_000L;

    private final String cgroupPath;
    private final Path memoryDir;
    private final ResourceEventListener listener;
    private final Object fdLock = new Object();
    private final int eventFd;
    private final int oomControlFd;
    private final Thread thread;
    private volatile boolean closed;
    private boolean fdsClosed;

    private OomWatch(String cgroupPath, Path memoryDir, ResourceEventListener listener, int eventFd, int oomControlFd) {
        this.cgroupPath = cgroupPath;
        this.memoryDir = memoryDir;
        this.listener = listener;
        this.eventFd = eventFd;
        this.oomControlFd = oomControlFd;
        this.thread = Thread.ofPlatform().daemon().name("jctr-cgroup-v1-oom " + cgroupPath).unstarted(this::run);
    }

    /** Registers for the OOM notifications of the memory cgroup {@code memoryDir} and starts delivering them. */
    static OomWatch start(String cgroupPath, Path memoryDir, ResourceEventListener listener) {
        int efd = EventFds.create(0, EventFds.EFD_CLOEXEC);
        int ofd = -1;
        try {
            ofd = PosixFiles.open(memoryDir.resolve(MemoryController.OOM_CONTROL_FILE),
                    OpenFlags.O_RDONLY | OpenFlags.O_CLOEXEC, 0);
            // The kernel resolves both numbers in the writer's descriptor table: this process's.
            CgroupFiles.write(memoryDir.resolve("cgroup.event_control"), efd + " " + ofd, null);
        } catch (RuntimeException e) {
            if (ofd >= 0) {
                PosixFiles.close(ofd);
            }
            PosixFiles.close(efd);
            throw e;
        }
        OomWatch watch = new OomWatch(cgroupPath, memoryDir, listener, efd, ofd);
        watch.thread.start();
        return watch;
    }

    private void run() {
        try {
            long kills = oomKills().orElse(0L);
            while (true) {
                EventFds.read(eventFd);
                if (closed) {
                    return;
                }
                Optional<Long> now = oomKills();
                if (now.isEmpty()) {
                    return; // the cgroup was removed: that wake-up was the kernel saying goodbye
                }
                long count = settledKills(now.get(), kills);
                deliver(new ResourceEvent(ResourceEvent.Type.OOM, cgroupPath, Instant.now(), count));
                if (count > kills) {
                    deliver(new ResourceEvent(ResourceEvent.Type.OOM_KILL, cgroupPath, Instant.now(), count));
                }
                kills = count;
            }
        } catch (KernelException e) {
            // the eventfd or the cgroup went away under us: nothing more will come
        } finally {
            synchronized (fdLock) {
                fdsClosed = true;
                PosixFiles.close(eventFd);
                PosixFiles.close(oomControlFd);
            }
        }
    }

    /** The notification comes just before the OOM killer picks a victim: give the counter a moment to move. */
    private long settledKills(long now, long before) {
        long deadline = System.nanoTime() + KILL_SETTLE_NANOS;
        long count = now;
        Waits.Backoff backoff = new Waits.Backoff(Duration.ofMillis(10));
        while (count == before && System.nanoTime() - deadline < 0 && !closed) {
            backoff.pause("waiting for the OOM kill counter of " + memoryDir);
            count = oomKills().orElse(count);
        }
        return count;
    }

    private void deliver(ResourceEvent event) {
        try {
            listener.onEvent(event);
        } catch (RuntimeException e) {
            // A failing listener must not end the subscription; report it like an uncaught exception.
            Thread.currentThread().getUncaughtExceptionHandler().uncaughtException(Thread.currentThread(), e);
        }
    }

    /** The oom_kill counter of memory.oom_control (0 on kernels without it); empty once the cgroup is gone. */
    private Optional<Long> oomKills() {
        if (!Files.isDirectory(memoryDir)) {
            return Optional.empty();
        }
        try {
            Map<String, Long> values = CgroupFiles.readKeyValues(memoryDir.resolve(MemoryController.OOM_CONTROL_FILE));
            return Optional.of(values.getOrDefault("oom_kill", 0L));
        } catch (KernelException e) {
            return Optional.empty();
        }
    }

    @Override
    public void close() {
        closed = true;
        synchronized (fdLock) {
            if (!fdsClosed) {
                EventFds.write(eventFd, 1);
            }
        }
        if (Thread.currentThread() != thread) {
            try {
                thread.join(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
