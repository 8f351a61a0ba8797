package jctr.kernel.lifecycle;

import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;

import jctr.kernel.IllegalTransitionException;

import static jctr.kernel.lifecycle.ContainerStatus.CREATED;
import static jctr.kernel.lifecycle.ContainerStatus.CREATING;
import static jctr.kernel.lifecycle.ContainerStatus.PAUSED;
import static jctr.kernel.lifecycle.ContainerStatus.RUNNING;
import static jctr.kernel.lifecycle.ContainerStatus.STOPPED;

/**
 * The container state machine: one explicit transition table; anything not in it is illegal.
 *
 * <pre>
 *   from \ event   CREATED  START    PAUSE   RESUME   EXIT     RECREATE
 *   creating       created  -        -       -        stopped  -
 *   created        -        running  -       -        stopped  -
 *   running        -        -        paused  -        stopped  -
 *   paused         -        -        -       running  stopped  -
 *   stopped        -        -        -       -        stopped  creating
 * </pre>
 *
 * EXIT on a stopped container is allowed and changes nothing, so that discovering an exit twice
 * (the waiter and a {@code state} query racing) is harmless. Deleting is not a state: the record is
 * removed, which {@link #canDelete} allows only when stopped (unless forced).
 */
public final class Lifecycle {

    private static final Map<ContainerStatus, Map<LifecycleEvent, ContainerStatus>> TABLE = table();

    private Lifecycle() {
    }

    private static Map<ContainerStatus, Map<LifecycleEvent, ContainerStatus>> table() {
        Map<ContainerStatus, Map<LifecycleEvent, ContainerStatus>> t = new EnumMap<>(ContainerStatus.class);
        for (ContainerStatus s : ContainerStatus.values()) {
            t.put(s, new EnumMap<>(LifecycleEvent.class));
        }
        t.get(CREATING).put(LifecycleEvent.CREATED, CREATED);
        t.get(CREATING).put(LifecycleEvent.EXIT, STOPPED);
        t.get(CREATED).put(LifecycleEvent.START, RUNNING);
        t.get(CREATED).put(LifecycleEvent.EXIT, STOPPED);
        t.get(RUNNING).put(LifecycleEvent.PAUSE, PAUSED);
        t.get(RUNNING).put(LifecycleEvent.EXIT, STOPPED);
        t.get(PAUSED).put(LifecycleEvent.RESUME, RUNNING);
        t.get(PAUSED).put(LifecycleEvent.EXIT, STOPPED);
        t.get(STOPPED).put(LifecycleEvent.EXIT, STOPPED);
        t.get(STOPPED).put(LifecycleEvent.RECREATE, CREATING);
        for (var e : t.entrySet()) {
            e.setValue(Collections.unmodifiableMap(e.getValue()));
        }
        return Collections.unmodifiableMap(t);
    }

    /** The state after {@code event}, or empty when the table has no such transition. */
    public static Optional<ContainerStatus> next(ContainerStatus from, LifecycleEvent event) {
        return Optional.ofNullable(TABLE.get(from).get(event));
    }

    /**
     * The state after {@code event}.
     *
     * @throws IllegalTransitionException when {@code event} is not allowed in {@code from}
     */
    public static ContainerStatus apply(String containerId, ContainerStatus from, LifecycleEvent event) {
        return next(from, event).orElseThrow(() -> new IllegalTransitionException(containerId, from, event));
    }

    /** Whether a container in {@code status} may be deleted; {@code force} kills it first. */
    public static boolean canDelete(ContainerStatus status, boolean force) {
        return force || status == STOPPED;
    }
}
