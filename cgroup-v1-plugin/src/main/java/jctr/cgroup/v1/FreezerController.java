package jctr.cgroup.v1;

import java.nio.file.Path;
import java.time.Duration;

import jctr.kernel.KernelException;

/**
 * {@code freezer}: no {@code linux.resources} fields; freezes and thaws the cgroup's tasks through
 * {@code freezer.state}, which reads {@code FREEZING} until every task has stopped.
 */
final class FreezerController implements Controller {

    static final String STATE_FILE = "freezer.state";
    static final String FROZEN = "FROZEN";
    static final String THAWED = "THAWED";

    @Override
    public String name() {
        return "freezer";
    }

    /**
     * Freezes the cgroup and returns once freezer.state reads FROZEN. A task that cannot be frozen right
     * now (e.g. in an uninterruptible sleep) leaves the state at FREEZING; writing FROZEN again makes the
     * kernel retry, so the request is repeated until the deadline, after which the cgroup is thawed
     * again and the failure reported.
     */
    static void freeze(Path dir, Duration timeout) {
        Path state = dir.resolve(STATE_FILE);
        long deadline = System.nanoTime() + timeout.toNanos();
        Waits.Backoff backoff = new Waits.Backoff(Duration.ofMillis(50));
        while (true) {
            CgroupFiles.write(state, FROZEN, null);
            if (CgroupFiles.read(state).equals(FROZEN)) {
                return;
            }
            if (System.nanoTime() - deadline > 0) {
                CgroupFiles.write(state, THAWED, null);
                throw new KernelException(KernelException.Category.TIMEOUT, "cgroup " + dir + " did not freeze within "
                        + timeout.toMillis() + " ms (a task may be in an uninterruptible sleep); it was thawed again");
            }
            backoff.pause("freezing " + dir);
        }
    }

    /** Thaws the cgroup; returns once freezer.state reads THAWED. */
    static void thaw(Path dir, Duration timeout) {
        Path state = dir.resolve(STATE_FILE);
        long deadline = System.nanoTime() + timeout.toNanos();
        CgroupFiles.write(state, THAWED, null);
        Waits.Backoff backoff = new Waits.Backoff(Duration.ofMillis(5));
        while (!CgroupFiles.read(state).equals(THAWED)) {
            if (System.nanoTime() - deadline > 0) {
                throw new KernelException(KernelException.Category.TIMEOUT, "cgroup " + dir + " did not thaw within "
                        + timeout.toMillis() + " ms (an ancestor cgroup may be frozen)");
            }
            backoff.pause("thawing " + dir);
        }
    }

    /** Whether the cgroup itself is frozen or freezing (not counting a frozen ancestor). */
    static boolean isFrozen(Path dir) {
        return !CgroupFiles.readIfExists(dir.resolve(STATE_FILE)).orElse(THAWED).equals(THAWED);
    }
}
