package jctr.kernel.state;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterProperty;
import net.jqwik.api.lifecycle.BeforeProperty;

import jctr.kernel.IllegalTransitionException;
import jctr.kernel.lifecycle.ContainerStatus;
import jctr.kernel.lifecycle.Lifecycle;
import jctr.kernel.lifecycle.LifecycleEvent;
import jctr.kernel.spi.IsolatedProcess;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Any sequence of lifecycle events either follows the transition table or throws, and what the store
 * persisted always equals the model's state after each step, including after a crash between writing
 * the temp file and renaming it (then the previous state must survive, and recovery must clean up).
 */
class LifecycleStoreProperties {

    /** One step: an event, and whether the process "crashes" while persisting its result. */
    record Step(LifecycleEvent event, boolean crash) {
    }

    /** Thrown by the write hook to simulate the process dying between temp write and rename. */
    static final class SimulatedCrash extends RuntimeException {
        SimulatedCrash() {
            super("simulated crash before rename");
        }
    }

    private Path root;

    @BeforeProperty
    void createRoot() throws IOException {
        root = Files.createTempDirectory("jctr-state-prop");
    }

    @AfterProperty
    void removeRoot() {
        StateStore.deleteTree(root);
    }

    @Provide
    Arbitrary<List<Step>> steps() {
        Arbitrary<Step> step = Arbitraries.of(LifecycleEvent.class)
                .flatMap(e -> Arbitraries.integers().between(0, 9).map(n -> new Step(e, n == 0)));
        return step.list().ofMaxSize(25);
    }

    @Property(tries = 200)
    void persistedStateFollowsTheTableThroughCrashes(@ForAll("steps") List<Step> steps) {
        String id = "c" + Long.toHexString(System.nanoTime());
        AtomicBoolean crashNext = new AtomicBoolean(false);
        StateStore store = new StateStore(root, (tmp, target) -> {
            if (crashNext.getAndSet(false)) {
                throw new SimulatedCrash();
            }
        });
        ContainerRecord model = new ContainerRecord(id, ContainerStatus.CREATING, "/bundle",
                new IsolatedProcess(4242, 99, Map.of("k", "v")), null, null,
                new ContainerRecord.DriverNames("namespaces", "cgroup-v1", null), Instant.EPOCH, null, Map.of());
        store.create(model).close();
        assertEquals(model, store.get(id));

        for (Step s : steps) {
            Optional<ContainerStatus> next = Lifecycle.next(model.status(), s.event());
            try (ContainerLock lock = store.lock(id)) {
                ContainerRecord current = store.get(id);
                if (next.isEmpty()) {
                    ContainerStatus before = current.status();
                    assertThrows(IllegalTransitionException.class, () -> Lifecycle.apply(id, before, s.event()));
                    continue;
                }
                ContainerRecord updated = current.withStatus(Lifecycle.apply(id, current.status(), s.event()));
                crashNext.set(s.crash());
                try {
                    store.save(lock, updated);
                    if (s.crash()) {
                        fail("the simulated crash did not happen");
                    }
                    model = updated;
                } catch (SimulatedCrash e) {
                    // The write never reached its rename: the last committed state must still be on disk.
                    assertTrue(s.crash());
                }
            }
            assertEquals(model, store.get(id), "persisted state after " + s);
        }
        // A crash leaves temp files behind; recovery removes them and keeps the committed record.
        List<ContainerRecord> recovered = store.recover(r -> true);
        assertEquals(List.of(model), recovered.stream().filter(r -> r.id().equals(id)).toList());
        try (var files = Files.list(store.containerDir(id))) {
            assertEquals(List.of("state.json"), files.map(p -> p.getFileName().toString()).toList());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        try (ContainerLock lock = store.lock(id)) {
            store.delete(lock);
        }
    }

    @Property(tries = 300)
    void everyEventIsAllowedOrRefused(@ForAll ContainerStatus from, @ForAll LifecycleEvent event) {
        Optional<ContainerStatus> next = Lifecycle.next(from, event);
        if (next.isPresent()) {
            assertEquals(next.get(), Lifecycle.apply("x", from, event));
        } else {
            IllegalTransitionException e = assertThrows(IllegalTransitionException.class,
                    () -> Lifecycle.apply("x", from, event));
            assertEquals(from, e.from());
            assertEquals(event, e.event());
        }
    }
}
