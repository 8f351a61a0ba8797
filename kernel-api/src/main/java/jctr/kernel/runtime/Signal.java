package jctr.kernel.runtime;

import jctr.kernel.sys.Signals;

/**
 * A signal to send to a container, parsed the way runc and docker accept it: {@code TERM}, {@code SIGTERM},
 * {@code sigterm}, {@code 15}, {@code RTMIN+3}.
 *
 * @param number the Linux signal number (1..64)
 */
public record Signal(int number) {

    public static final Signal TERM = new Signal(Signals.SIGTERM);
    public static final Signal KILL = new Signal(Signals.SIGKILL);

    public Signal {
        if (number < 1 || number > Signals.SIGRTMAX) {
            throw new IllegalArgumentException("signal number out of range: " + number);
        }
    }

    /**
     * @throws jctr.kernel.InvalidConfigException naming the text when it is not a signal
     */
    public static Signal parse(String text) {
        return new Signal(Signals.parse(text));
    }

    /** The name without {@code SIG}, e.g. {@code TERM}. */
    public String name() {
        return Signals.name(number);
    }

    @Override
    public String toString() {
        return "SIG" + name();
    }
}
