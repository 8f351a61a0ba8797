package jctr.cgroup.v1;

import java.time.Duration;

import jctr.kernel.KernelException;

/** Sleeping in the driver's bounded waits. */
final class Waits {

    private Waits() {
    }

    /**
     * Sleeps, turning an interrupt into an error (with the interrupt flag kept) so that a caller's bounded
     * wait stops at once.
     */
    static void sleep(Duration pause, String during) {
        try {
            Thread.sleep(pause);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KernelException(KernelException.Category.INTERNAL, "interrupted while " + during, e);
        }
    }

    /**
     * The pauses of one wait for a kernel state that usually arrives within microseconds (killed tasks gone,
     * a cgroup no longer busy, a freeze complete): the first is {@link #FIRST}, each next one twice as long up
     * to {@code cap}, so a quick change costs little latency and a slow one few wake-ups.
     */
    static final class Backoff {

        static final Duration FIRST = Duration.ofNanos(50_000);

        private final Duration cap;
        private Duration next = FIRST;

        Backoff(Duration cap) {
            this.cap = cap;
        }

        void pause(String during) {
            sleep(next, during);
            Duration doubled = next.multipliedBy(2);
            next = doubled.compareTo(cap) > 0 ? cap : doubled;
        }
    }
}
