package jctr.kernel;

import jctr.kernel.lifecycle.ContainerStatus;
import jctr.kernel.lifecycle.LifecycleEvent;

/** A lifecycle event was applied to a container in a state that does not allow it. */
public class IllegalTransitionException extends KernelException {

    private final ContainerStatus from;
    private final LifecycleEvent event;

    public IllegalTransitionException(String containerId, ContainerStatus from, LifecycleEvent event) {
        super(Category.FAILED_PRECONDITION,
                "container " + containerId + " is " + from.ociName() + ": cannot " + event.verb() + " it");
        this.from = from;
        this.event = event;
    }

    public ContainerStatus from() {
        return from;
    }

    public LifecycleEvent event() {
        return event;
    }
}
