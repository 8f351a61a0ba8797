package jctr.kernel.sys;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

import jctr.kernel.InvalidConfigException;

/** Linux signal numbers (x86_64) and the parsing of signal names the way runc and docker accept them. */
public final class Signals {

    public static final int SIGHUP = 1;
    public static final int SIGINT = 2;
    public static final int SIGQUIT = 3;
    public static final int SIGKILL = 9;
    public static final int SIGUSR1 = 10;
    public static final int SIGUSR2 = 12;
    public static final int SIGPIPE = 13;
    public static final int SIGTERM = 15;
    public static final int SIGCHLD = 17;
    public static final int SIGCONT = 18;
    public static final int SIGSTOP = 19;
    public static final int SIGWINCH = 28;
    public static final int SIGRTMIN = 34;
    public static final int SIGRTMAX = 64;

    private static final Map<String, Integer> BY_NAME = new LinkedHashMap<>();

    static {
        String[] names = {null, "HUP", "INT", "QUIT", "ILL", "TRAP", "ABRT", "BUS", "FPE", "KILL", "USR1",
            "SEGV", "USR2", "PIPE", "ALRM", "TERM", "STKFLT", "CHLD", "CONT", "STOP", "TSTP", "TTIN", "TTOU",
            "URG", "XCPU", "XFSZ", "VTALRM", "PROF", "WINCH", "IO", "PWR", "SYS"};
        for (int i = 1; i < names.length; i++) {
            BY_NAME.put(names[i], i);
        }
        BY_NAME.put("IOT", 6);
        BY_NAME.put("POLL", 29);
        BY_NAME.put("CLD", 17);
    }

    private Signals() {
    }

    /**
     * Parses a signal as runc and docker do: a number ({@code 9}), a name with or without {@code SIG}
     * in any case ({@code TERM}, {@code sigterm}), or a real-time signal ({@code RTMIN+3}, {@code SIGRTMAX-1}).
     *
     * @throws InvalidConfigException naming the text when it is not a signal
     */
    public static int parse(String text) {
        String s = text.trim().toUpperCase(Locale.ROOT);
        if (!s.isEmpty() && s.chars().allMatch(Character::isDigit)) {
            int n = Integer.parseInt(s);
            if (n >= 1 && n <= SIGRTMAX) {
                return n;
            }
            throw new InvalidConfigException("", "signal", "signal number out of range 1.." + SIGRTMAX + ": " + text);
        }
        if (s.startsWith("SIG")) {
            s = s.substring(3);
        }
        Integer n = BY_NAME.get(s);
        if (n != null) {
            return n;
        }
        int rt = realtime(s);
        if (rt > 0) {
            return rt;
        }
        throw new InvalidConfigException("", "signal", "unknown signal: " + text);
    }

    /** The name of a signal without the SIG prefix, e.g. {@code TERM}; {@code RTMIN+n} for real-time ones. */
    public static String name(int signal) {
        for (Map.Entry<String, Integer> e : BY_NAME.entrySet()) {
            if (e.getValue() == signal) {
                return e.getKey();
            }
        }
        if (signal >= SIGRTMIN && signal <= SIGRTMAX) {
            return signal == SIGRTMIN ? "RTMIN" : "RTMIN+" + (signal - SIGRTMIN);
        }
        return Integer.toString(signal);
    }

    private static int realtime(String s) {
        try {
            if (s.equals("RTMIN")) {
                return SIGRTMIN;
            }
            if (s.equals("RTMAX")) {
                return SIGRTMAX;
            }
            if (s.startsWith("RTMIN+")) {
                int n = SIGRTMIN + Integer.parseInt(s.substring(6));
                return n <= SIGRTMAX ? n : -1;
            }
            if (s.startsWith("RTMAX-")) {
                int n = SIGRTMAX - Integer.parseInt(s.substring(6));
                return n >= SIGRTMIN ? n : -1;
            }
        } catch (NumberFormatException e) {
            return -1;
        }
        return -1;
    }
}
