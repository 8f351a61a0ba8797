package jctr.kernel.lifecycle;

/** What can happen to a container; {@link Lifecycle} says in which states each is allowed. */
public enum LifecycleEvent {
    /** Creation finished: the init process waits for start. */
    CREATED("finish creating"),
    /** {@code start}: the user program is released. */
    START("start"),
    /** {@code pause}: the cgroup was frozen. */
    PAUSE("pause"),
    /** {@code resume}: the cgroup was thawed. */
    RESUME("resume"),
    /** The init process exited or was found gone, or creation failed. */
    EXIT("stop"),
    /** A stopped container is set up again from its config (docker start of a stopped container). */
    RECREATE("re-create");

    private final String verb;

    LifecycleEvent(String verb) {
        this.verb = verb;
    }

    /** The verb used in error messages. */
    public String verb() {
        return verb;
    }
}
