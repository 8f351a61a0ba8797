package jctr.kernel.oci;

import java.util.Optional;

/** The setrlimit(2) resources, numbered as on Linux. */
public enum RlimitType {
    RLIMIT_CPU, RLIMIT_FSIZE, RLIMIT_DATA, RLIMIT_STACK, RLIMIT_CORE, RLIMIT_RSS, RLIMIT_NPROC,
    RLIMIT_NOFILE, RLIMIT_MEMLOCK, RLIMIT_AS, RLIMIT_LOCKS, RLIMIT_SIGPENDING, RLIMIT_MSGQUEUE,
    RLIMIT_NICE, RLIMIT_RTPRIO, RLIMIT_RTTIME;

    /** The resource number for setrlimit(2). */
    public int number() {
        return ordinal();
    }

    /** The type with this name, if any. */
    public static Optional<RlimitType> parse(String name) {
        try {
            return Optional.of(valueOf(name));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }
}
