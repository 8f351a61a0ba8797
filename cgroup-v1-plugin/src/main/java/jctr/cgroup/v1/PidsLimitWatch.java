package jctr.cgroup.v1;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

import jctr.kernel.KernelException;
import jctr.kernel.spi.ResourceEvent;
import jctr.kernel.spi.ResourceEventListener;
import jctr.kernel.spi.Subscription;

/**
 * Fork failures at pids.max, as {@link ResourceEvent.Type#PIDS_LIMIT} events. cgroup v1's pids.events
 * sends no notification (poll and inotify stay silent, unlike v2's), so its {@code max} counter is read
 * every {@link #INTERVAL} on one daemon thread shared by all subscriptions; an event carries the counter.
 */
final class PidsLimitWatch implements Subscription {

    static final Duration INTERVAL = Duration.ofMillis(250);

    private static final ScheduledExecutorService POLLER = Executors.newSingleThreadScheduledExecutor(
            task -> Thread.ofPlatform().daemon().name("jctr-cgroup-v1-pids-events").unstarted(task));

    private final String cgroupPath;
    private final Path eventsFile;
    private final ResourceEventListener listener;
    private long lastCount;
    private volatile ScheduledFuture<?> task;

    private PidsLimitWatch(String cgroupPath, Path pidsDir, ResourceEventListener listener) {
        this.cgroupPath = cgroupPath;
        this.eventsFile = pidsDir.resolve("pids.events");
        this.listener = listener;
    }

    static PidsLimitWatch start(String cgroupPath, Path pidsDir, ResourceEventListener listener) {
        PidsLimitWatch w = new PidsLimitWatch(cgroupPath, pidsDir, listener);
        w.lastCount = w.count();
        w.task = POLLER.scheduleWithFixedDelay(w::check, INTERVAL.toMillis(), INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
        return w;
    }

    private long count() {
        return CgroupFiles.readKeyValues(eventsFile).getOrDefault("max", 0L);
    }

    private void check() {
        try {
            if (!Files.exists(eventsFile)) {
                close(); // the cgroup was removed
                return;
            }
            long now = count();
            if (now > lastCount) {
                lastCount = now;
                listener.onEvent(new ResourceEvent(ResourceEvent.Type.PIDS_LIMIT, cgroupPath, Instant.now(), now));
            }
        } catch (KernelException e) {
            close(); // removed between the check and the read
        } catch (RuntimeException e) {
            // A failing listener must not end the subscription (an escaping exception would cancel the task).
            Thread.currentThread().getUncaughtExceptionHandler().uncaughtException(Thread.currentThread(), e);
        }
    }

    @Override
    public void close() {
        ScheduledFuture<?> t = task;
        if (t != null) {
            t.cancel(false);
        }
    }
}
