package jctr.cgroup.v2;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import jctr.kernel.spi.ResourceEvent;
import jctr.kernel.spi.ResourceEventListener;
import jctr.kernel.spi.Subscription;
import jctr.kernel.sys.Inotify;
import jctr.kernel.sys.PosixFiles;
import jctr.kernel.sys.SyscallException;

/**
 * Delivers a cgroup's OOM and pids-limit events: a driver thread waits on inotify for the kernel to mark
 * memory.events or pids.events modified, rereads their counters and reports each one that grew
 * ({@code oom}, {@code oom_kill}, pids {@code max}) with its new value. It also rereads on a short timeout,
 * so no change is lost, and stops when the subscription is closed or the cgroup is removed.
 */
final class EventWatcher implements Subscription {

    private static final System.Logger LOG = System.getLogger(EventWatcher.class.getName());
    /** How often the thread wakes without an event, to notice a removed cgroup. */
    private static final int POLL_MILLIS = 250;
    private static final long JOIN_MILLIS = 5000;

    private record Counter(String file, String key, ResourceEvent.Type type) {
    }

    /**
     * The running watchers of each cgroup directory, so that {@link #flush} can deliver what happened just
     * before the cgroup goes away: an OOM kill that ends the container is followed at once by the cgroup's
     * deletion, often before the watcher thread wakes.
     */
    private static final Map<java.nio.file.Path, java.util.Set<EventWatcher>> ACTIVE =
            new java.util.concurrent.ConcurrentHashMap<>();

    private static final List<Counter> COUNTERS = List.of(
            new Counter("memory.events", "oom", ResourceEvent.Type.OOM),
            new Counter("memory.events", "oom_kill", ResourceEvent.Type.OOM_KILL),
            new Counter("pids.events", "max", ResourceEvent.Type.PIDS_LIMIT));

    private final CgroupDir dir;
    private final ResourceEventListener listener;
    private final long[] seen = new long[COUNTERS.size()];
    private final List<Integer> watches = new ArrayList<>();
    private final Object fdLock = new Object();
    private final int fd;
    private boolean fdClosed;
    private volatile boolean closed;
    private final Thread thread;

    private EventWatcher(CgroupDir dir, ResourceEventListener listener) {
        this.dir = dir;
        this.listener = listener;
        this.fd = Inotify.open();
        try {
            for (String file : List.of("memory.events", "pids.events")) {
                if (dir.read(file).isPresent()) {
                    watches.add(Inotify.addWatch(fd, dir.path().resolve(file), Inotify.IN_MODIFY));
                }
            }
        } catch (RuntimeException e) {
            PosixFiles.close(fd);
            throw e;
        }
        for (int i = 0; i < COUNTERS.size(); i++) {
            seen[i] = current(COUNTERS.get(i));
        }
        this.thread = Thread.ofPlatform().daemon().name("jctr-cgroup-v2-events " + dir.cgroupPath())
                .unstarted(this::run);
    }

    /** Starts watching {@code dir}; events that happened before are not reported. */
    static EventWatcher start(CgroupDir dir, ResourceEventListener listener) {
        EventWatcher w = new EventWatcher(dir, listener);
        ACTIVE.computeIfAbsent(dir.path(), p -> java.util.concurrent.ConcurrentHashMap.newKeySet()).add(w);
        w.thread.start();
        return w;
    }

    /** Delivers the pending changes of every watcher of {@code dir} now; called before the cgroup is removed. */
    static void flush(java.nio.file.Path dir) {
        for (EventWatcher w : ACTIVE.getOrDefault(dir, java.util.Set.of())) {
            w.deliverChanges();
        }
    }

    private void unregister() {
        ACTIVE.computeIfPresent(dir.path(), (p, set) -> {
            set.remove(this);
            return set.isEmpty() ? null : set;
        });
    }

    private void run() {
        try {
            while (!closed) {
                Inotify.read(fd, POLL_MILLIS);
                // Read before checking that the cgroup still exists: the change may be its last.
                deliverChanges();
                if (closed || !dir.exists()) {
                    break;
                }
            }
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "event watch of cgroup " + dir.cgroupPath() + " stopped", e);
        } finally {
            unregister();
            synchronized (fdLock) {
                fdClosed = true;
                PosixFiles.close(fd);
            }
        }
    }

    private synchronized void deliverChanges() {
        for (int i = 0; i < COUNTERS.size(); i++) {
            Counter c = COUNTERS.get(i);
            long now = current(c);
            if (now > seen[i]) {
                seen[i] = now;
                try {
                    listener.onEvent(new ResourceEvent(c.type(), dir.cgroupPath(), Instant.now(), now));
                } catch (RuntimeException e) {
                    LOG.log(System.Logger.Level.WARNING, "event listener failed on " + c.type(), e);
                }
            }
        }
    }

    private long current(Counter c) {
        Map<String, Long> values = dir.readKeyed(c.file());
        return values.getOrDefault(c.key(), 0L);
    }

    /** Whether the watcher thread has ended. */
    boolean stopped() {
        return !thread.isAlive();
    }

    @Override
    public void close() {
        closed = true;
        unregister();
        synchronized (fdLock) {
            if (!fdClosed) {
                // Removing a watch queues IN_IGNORED, which wakes the thread at once.
                for (int wd : watches) {
                    try {
                        Inotify.removeWatch(fd, wd);
                    } catch (SyscallException e) {
                        // already gone with its file: the thread wakes on its timeout instead
                    }
                }
            }
        }
        if (Thread.currentThread() != thread) {
            try {
                thread.join(JOIN_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
