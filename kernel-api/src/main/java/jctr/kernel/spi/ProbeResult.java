package jctr.kernel.spi;

import java.util.Objects;

/** The answer of {@link Driver#probe}: the driver can run here, or the reason it cannot. */
public sealed interface ProbeResult permits ProbeResult.Available, ProbeResult.Unavailable {

    /** Whether the driver can be used on this host. */
    boolean available();

    /** A human-readable detail: what was found, or why the driver cannot run. */
    String detail();

    static ProbeResult available(String detail) {
        return new Available(detail);
    }

    static ProbeResult unavailable(String reason) {
        return new Unavailable(reason);
    }

    /** The driver can run; {@code detail} says what it found (e.g. {@code cgroup2 at /sys/fs/cgroup, controllers: cpu memory}). */
    record Available(String detail) implements ProbeResult {
        public Available {
            Objects.requireNonNull(detail, "detail");
        }

        @Override
        public boolean available() {
            return true;
        }
    }

    /** The driver cannot run; {@code detail} says why, in terms an operator can act on. */
    record Unavailable(String detail) implements ProbeResult {
        public Unavailable {
            Objects.requireNonNull(detail, "detail");
        }

        @Override
        public boolean available() {
            return false;
        }
    }
}
