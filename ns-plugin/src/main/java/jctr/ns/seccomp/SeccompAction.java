package jctr.ns.seccomp;

import jctr.kernel.InvalidConfigException;
import jctr.kernel.UnsupportedFeatureException;

/**
 * A seccomp action with its data (the errno for ERRNO, the tracer message for TRACE).
 *
 * @param kind what the kernel does
 * @param data the low 16 bits of the return value
 */
record SeccompAction(Kind kind, int data) {

    /** Actions in the kernel's precedence order: the first is the most restrictive. */
    enum Kind {
        KILL_PROCESS(Bpf.RET_KILL_PROCESS),
        KILL_THREAD(Bpf.RET_KILL_THREAD),
        TRAP(Bpf.RET_TRAP),
        ERRNO(Bpf.RET_ERRNO),
        TRACE(Bpf.RET_TRACE),
        LOG(Bpf.RET_LOG),
        ALLOW(Bpf.RET_ALLOW);

        private final int ret;

        Kind(int ret) {
            this.ret = ret;
        }
    }

    static final int EPERM = 1;
    static final int ENOSYS = 38;
    static final SeccompAction KILL_THREAD = new SeccompAction(Kind.KILL_THREAD, 0);
    static final SeccompAction ERRNO_ENOSYS = new SeccompAction(Kind.ERRNO, ENOSYS);

    /** The filter's return value for this action. */
    int ret() {
        return kind.ret | data;
    }

    /** Whether the syscall still runs (ALLOW, LOG, and TRACE when no tracer objects). */
    boolean lets() {
        return kind == Kind.ALLOW || kind == Kind.LOG || kind == Kind.TRACE;
    }

    /**
     * Parses an OCI action name ({@code SCMP_ACT_*}) with its optional errnoRet.
     *
     * @param actionField the JSON path of the action, named in errors
     * @param errnoField the JSON path of the errnoRet
     */
    static SeccompAction parse(String name, Integer errnoRet, String actionField, String errnoField) {
        if (name == null) {
            throw new InvalidConfigException("", actionField, "is required");
        }
        Kind kind = switch (name) {
            case "SCMP_ACT_KILL", "SCMP_ACT_KILL_THREAD" -> Kind.KILL_THREAD;
            case "SCMP_ACT_KILL_PROCESS" -> Kind.KILL_PROCESS;
            case "SCMP_ACT_TRAP" -> Kind.TRAP;
            case "SCMP_ACT_ERRNO" -> Kind.ERRNO;
            case "SCMP_ACT_TRACE" -> Kind.TRACE;
            case "SCMP_ACT_LOG" -> Kind.LOG;
            case "SCMP_ACT_ALLOW" -> Kind.ALLOW;
            case "SCMP_ACT_NOTIFY" -> throw new UnsupportedFeatureException(actionField
                    + ": SCMP_ACT_NOTIFY needs a seccomp user-notification listener, which jctr does not support yet");
            default -> throw new InvalidConfigException("", actionField, "unknown seccomp action: " + name
                    + " (expected SCMP_ACT_KILL, SCMP_ACT_KILL_PROCESS, SCMP_ACT_KILL_THREAD, SCMP_ACT_TRAP, "
                    + "SCMP_ACT_ERRNO, SCMP_ACT_TRACE, SCMP_ACT_LOG or SCMP_ACT_ALLOW)");
        };
        if (kind != Kind.ERRNO && kind != Kind.TRACE) {
            if (errnoRet != null) {
                // The OCI spec: an errno for an action that takes none is an error, not something to ignore.
                throw new InvalidConfigException("", errnoField, "only SCMP_ACT_ERRNO and SCMP_ACT_TRACE take an errno, not "
                        + name);
            }
            return new SeccompAction(kind, 0);
        }
        int errno = errnoRet == null ? EPERM : errnoRet;
        if (errno < 0 || errno > Bpf.RET_DATA) {
            throw new InvalidConfigException("", errnoField, "must be within 0.." + Bpf.RET_DATA + ": " + errno);
        }
        return new SeccompAction(kind, errno);
    }
}
