package jctr.kernel.lifecycle;

import org.junit.jupiter.api.Test;

import jctr.kernel.IllegalTransitionException;
import jctr.kernel.KernelException;

import static jctr.kernel.lifecycle.ContainerStatus.CREATED;
import static jctr.kernel.lifecycle.ContainerStatus.CREATING;
import static jctr.kernel.lifecycle.ContainerStatus.PAUSED;
import static jctr.kernel.lifecycle.ContainerStatus.RUNNING;
import static jctr.kernel.lifecycle.ContainerStatus.STOPPED;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LifecycleTest {

    @Test
    void theOciPathAndItsErrors() {
        ContainerStatus s = CREATING;
        s = Lifecycle.apply("c", s, LifecycleEvent.CREATED);
        assertEquals(CREATED, s);
        s = Lifecycle.apply("c", s, LifecycleEvent.START);
        assertEquals(RUNNING, s);
        s = Lifecycle.apply("c", s, LifecycleEvent.PAUSE);
        assertEquals(PAUSED, s);
        s = Lifecycle.apply("c", s, LifecycleEvent.RESUME);
        assertEquals(RUNNING, s);
        s = Lifecycle.apply("c", s, LifecycleEvent.EXIT);
        assertEquals(STOPPED, s);

        IllegalTransitionException e = assertThrows(IllegalTransitionException.class,
                () -> Lifecycle.apply("c", STOPPED, LifecycleEvent.START));
        assertEquals(KernelException.Category.FAILED_PRECONDITION, e.category());
        assertEquals("container c is stopped: cannot start it", e.getMessage());
        assertThrows(IllegalTransitionException.class, () -> Lifecycle.apply("c", CREATED, LifecycleEvent.PAUSE));
        assertThrows(IllegalTransitionException.class, () -> Lifecycle.apply("c", RUNNING, LifecycleEvent.START));
    }

    @Test
    void deleteNeedsStoppedUnlessForced() {
        assertTrue(Lifecycle.canDelete(STOPPED, false));
        assertFalse(Lifecycle.canDelete(RUNNING, false));
        assertFalse(Lifecycle.canDelete(CREATED, false));
        assertTrue(Lifecycle.canDelete(RUNNING, true));
    }

    @Test
    void ociNamesRoundTrip() {
        for (ContainerStatus s : ContainerStatus.values()) {
            assertEquals(s, ContainerStatus.fromOciName(s.ociName()));
        }
        assertEquals("running", RUNNING.ociName());
    }
}
