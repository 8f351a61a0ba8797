package jctr.kernel.state;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import jctr.kernel.AlreadyExistsException;
import jctr.kernel.InvalidConfigException;
import jctr.kernel.NotFoundException;
import jctr.kernel.host.ProcStat;
import jctr.kernel.lifecycle.ContainerStatus;
import jctr.kernel.spi.IsolatedProcess;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class StateStoreTest {

    private Path root;
    private StateStore store;

    @BeforeEach
    void setUp() throws IOException {
        root = Files.createTempDirectory("jctr-state");
        store = new StateStore(root);
    }

    @AfterEach
    void tearDown() {
        StateStore.deleteTree(root);
    }

    private static ContainerRecord record(String id, ContainerStatus status, IsolatedProcess init) {
        return new ContainerRecord(id, status, "/b/" + id, init, null, null,
                new ContainerRecord.DriverNames("namespaces", "none", null), Instant.parse("2026-01-01T00:00:00Z"),
                null, Map.of("a", "b"));
    }

    @Test
    void createGetListDelete() {
        store.create(record("one", ContainerStatus.CREATING, null)).close();
        store.create(record("two", ContainerStatus.CREATING, null)).close();
        assertEquals(List.of("one", "two"), store.list().stream().map(ContainerRecord::id).toList());
        assertEquals("/b/one", store.get("one").bundle());
        AlreadyExistsException dup = assertThrows(AlreadyExistsException.class,
                () -> store.create(record("one", ContainerStatus.CREATING, null)));
        assertEquals("container one already exists", dup.getMessage());
        try (ContainerLock lock = store.lock("one")) {
            store.delete(lock);
        }
        assertTrue(store.find("one").isEmpty());
        assertThrows(NotFoundException.class, () -> store.lock("one"));
        assertThrows(NotFoundException.class, () -> store.get("one"));
        assertEquals(List.of("two"), store.list().stream().map(ContainerRecord::id).toList());
    }

    @Test
    void invalidIdsAreRefusedBeforeTouchingTheDisk() {
        for (String bad : List.of("", ".", "..", "a/b", "../x", "white space", "x".repeat(1025))) {
            assertThrows(InvalidConfigException.class, () -> store.create(record(bad, ContainerStatus.CREATING, null)),
                    bad);
        }
        assertEquals(List.of(), store.list());
    }

    @Test
    void lockExcludesOtherThreadsUntilReleased() throws Exception {
        store.create(record("c", ContainerStatus.CREATED, null)).close();
        CountDownLatch held = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AtomicLong acquiredAt = new AtomicLong();
        Thread holder = Thread.ofPlatform().start(() -> {
            try (ContainerLock _ = store.lock("c")) {
                held.countDown();
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        assertTrue(held.await(10, TimeUnit.SECONDS));
        Thread waiter = Thread.ofPlatform().start(() -> {
            try (ContainerLock _ = store.lock("c")) {
                acquiredAt.set(System.nanoTime());
            }
        });
        Thread.sleep(200);
        assertEquals(0, acquiredAt.get(), "the second locker must wait while the first holds the lock");
        long releasedAt = System.nanoTime();
        release.countDown();
        holder.join(10_000);
        waiter.join(10_000);
        assertTrue(acquiredAt.get() >= releasedAt, "acquired only after release");
    }

    @Test
    void aWaiterOnADeletedContainerGetsNotFound() throws Exception {
        store.create(record("gone", ContainerStatus.STOPPED, null)).close();
        ContainerLock lock = store.lock("gone");
        Thread waiter = Thread.ofPlatform().unstarted(() -> assertThrows(NotFoundException.class, () -> store.lock("gone")));
        java.util.concurrent.atomic.AtomicReference<Throwable> failure = new java.util.concurrent.atomic.AtomicReference<>();
        waiter.setUncaughtExceptionHandler((t, e) -> failure.set(e));
        waiter.start();
        Thread.sleep(100);
        store.delete(lock);
        lock.close();
        waiter.join(10_000);
        if (failure.get() != null) {
            throw new AssertionError(failure.get());
        }
    }

    @Test
    void recoverMarksContainersWhoseInitIsGoneAsStopped() throws Exception {
        Process p = new ProcessBuilder("/bin/true").start();
        long pid = p.pid();
        long start = ProcStat.read((int) pid).map(ProcStat::startTime).orElse(0L);
        p.waitFor();
        int self = (int) ProcessHandle.current().pid();
        long selfStart = ProcStat.read(self).orElseThrow().startTime();
        store.create(record("dead", ContainerStatus.RUNNING, new IsolatedProcess((int) pid, start, Map.of()))).close();
        store.create(record("alive", ContainerStatus.RUNNING, new IsolatedProcess(self, selfStart, Map.of()))).close();
        // Same pid as this JVM but another start time: the pid was reused, the container's process is gone.
        store.create(record("reused", ContainerStatus.PAUSED, new IsolatedProcess(self, selfStart + 1, Map.of()))).close();
        // Leftovers of an interrupted create and write.
        Files.createDirectories(root.resolve(".creating-x-1"));
        Files.writeString(store.containerDir("alive").resolve("state.json.tmp-123"), "{");

        List<ContainerRecord> after = store.recover(r -> ProcStat.alive(r.pid(), r.init().startTime()));

        assertEquals(ContainerStatus.STOPPED, store.get("dead").status());
        assertEquals(ContainerStatus.RUNNING, store.get("alive").status());
        assertEquals(ContainerStatus.STOPPED, store.get("reused").status());
        assertEquals(3, after.size());
        assertFalse(Files.exists(root.resolve(".creating-x-1")));
        assertFalse(Files.exists(store.containerDir("alive").resolve("state.json.tmp-123")));
    }

    @Test
    void aCorruptRecordDoesNotHideTheOthers() throws IOException {
        store.create(record("good", ContainerStatus.CREATED, null)).close();
        Files.createDirectories(root.resolve("bad"));
        Files.writeString(root.resolve("bad/state.json"), "{\"id\": 7");
        assertEquals(List.of("good"), store.list().stream().map(ContainerRecord::id).toList());
    }

    @Test
    void ociStateHidesThePidOfAStoppedContainer() {
        ContainerRecord r = record("s", ContainerStatus.STOPPED, new IsolatedProcess(77, 1, Map.of()));
        assertEquals(0, r.toOciState("1.2.0").pid());
        assertEquals(77, r.withStatus(ContainerStatus.RUNNING).toOciState("1.2.0").pid());
        assertEquals("stopped", r.toOciState("1.2.0").status());
    }
}
