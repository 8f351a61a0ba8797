package jctr.kernel.state;

/**
 * Exclusive hold on one container's record, across threads and processes. Close to release.
 * While held, no other jctr process or thread changes the container.
 */
public interface ContainerLock extends AutoCloseable {
    /** The locked container's id. */
    String id();

    @Override
    void close();
}
