package jctr.kernel.spi;

/** Receives a cgroup's events. Called on a driver thread; must not block for long. */
@FunctionalInterface
public interface ResourceEventListener {
    void onEvent(ResourceEvent event);
}
