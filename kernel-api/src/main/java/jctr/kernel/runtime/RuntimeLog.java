package jctr.kernel.runtime;

/**
 * Where the runtime reports what is worth knowing but is not an error of the operation: unknown config
 * fields, failed poststart/poststop hooks, cleanup that did not fully succeed. The command line writes
 * it to its log (runc's {@code --log}); tests collect it.
 */
@FunctionalInterface
public interface RuntimeLog {

    /** How important a message is. */
    enum Level {
        /** Detail for {@code --debug}. */
        DEBUG,
        /** Something the user asked for did not fully happen, but the operation went on. */
        WARN
    }

    void log(Level level, String message);

    default void warn(String message) {
        log(Level.WARN, message);
    }

    default void debug(String message) {
        log(Level.DEBUG, message);
    }

    /** A log that drops everything. */
    static RuntimeLog discard() {
        return (level, message) -> { };
    }
}
