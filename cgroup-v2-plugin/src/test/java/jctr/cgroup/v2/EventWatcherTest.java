package jctr.cgroup.v2;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import jctr.kernel.spi.ResourceEvent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The event watcher on plain files standing in for a cgroup's interface files (inotify works on both). */
class EventWatcherTest {

    /**
     * An OOM kill that ends a container is followed at once by the cgroup's removal; the driver flushes the
     * watchers before removing, so the kill is delivered by then, and only once.
     */
    @Test
    void aChangeJustBeforeRemovalIsDeliveredByFlushExactlyOnce(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("memory.events"), "low 0\nhigh 0\nmax 0\noom 0\noom_kill 0\n");
        Files.writeString(dir.resolve("pids.events"), "max 0\n");
        List<ResourceEvent> events = new CopyOnWriteArrayList<>();
        EventWatcher w = EventWatcher.start(new CgroupDir(dir, "/test"), events::add);
        try {
            Files.writeString(dir.resolve("memory.events"), "low 0\nhigh 0\nmax 3\noom 1\noom_kill 1\n");
            EventWatcher.flush(dir);
            assertEquals(List.of(ResourceEvent.Type.OOM, ResourceEvent.Type.OOM_KILL),
                    events.stream().map(ResourceEvent::type).toList());
            Thread.sleep(400); // a wake-up of the watcher thread must not deliver them again
            assertEquals(2, events.size(), events.toString());
            assertEquals(1, events.get(1).count());
        } finally {
            w.close();
        }
        assertTrue(w.stopped());
        EventWatcher.flush(dir); // no watcher left: nothing to do, no error
    }
}
