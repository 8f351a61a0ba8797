package jctr.kernel.spi;

/** A registration that stops delivering events when closed. Closing twice is harmless. */
public interface Subscription extends AutoCloseable {
    @Override
    void close();
}
