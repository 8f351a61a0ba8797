package jctr.kernel.sys;

/**
 * How a process ended: it exited with a code, or a signal killed it.
 *
 * @param signaled true when a signal terminated the process
 * @param code the exit code (0..255) when not signaled
 * @param signal the terminating signal when signaled
 */
public record ExitStatus(boolean signaled, int code, int signal) {

    public static ExitStatus exited(int code) {
        return new ExitStatus(false, code, 0);
    }

    public static ExitStatus killed(int signal) {
        return new ExitStatus(true, 0, signal);
    }

    /** The status as a shell reports it: the exit code, or 128 + the signal number. */
    public int shellCode() {
        return signaled ? 128 + signal : code;
    }

    @Override
    public String toString() {
        return signaled ? "killed by SIG" + Signals.name(signal) : "exited with " + code;
    }
}
