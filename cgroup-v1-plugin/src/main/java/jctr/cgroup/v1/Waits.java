package jctr.cgroup.v1;

import jctr.kernel.KernelException;

/** Sleeping in the driver's bounded waits. */
final class Waits {

    private Waits() {
    }

    /**
     * Sleeps, turning an interrupt into an error (with the interrupt flag kept) so that a caller's bounded
     * wait stops at once.
     */
    static void sleep(long millis, String during) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KernelException(KernelException.Category.INTERNAL, "interrupted while " + during, e);
        }
    }
}
