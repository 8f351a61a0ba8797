package jctr.kernel.host;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Reads /proc/PID/stat: whether a process is alive, and its start time, which with the pid names a
 * process unambiguously even after the pid is reused.
 *
 * @param state the one-letter state ({@code R}, {@code S}, {@code Z} for a zombie, ...)
 * @param parentPid the parent's pid
 * @param startTime clock ticks since boot when the process started (field 22)
 */
public record ProcStat(int pid, char state, int parentPid, long startTime) {

    /** The stat of {@code pid}, or empty if no such process exists. */
    public static Optional<ProcStat> read(int pid) {
        if (pid <= 0) {
            return Optional.empty();
        }
        try {
            String s = Files.readString(Path.of("/proc", Integer.toString(pid), "stat"));
            // The command name (field 2) is in parentheses and may contain spaces and ')'.
            String rest = s.substring(s.lastIndexOf(')') + 2);
            String[] f = rest.split(" ");
            return Optional.of(new ProcStat(pid, f[0].charAt(0), Integer.parseInt(f[1]), Long.parseLong(f[19])));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /**
     * Whether process {@code pid} that started at {@code startTime} still runs (a zombie does not count).
     * A {@code startTime} of 0 skips the identity check.
     */
    public static boolean alive(int pid, long startTime) {
        return read(pid).filter(st -> st.state != 'Z' && st.state != 'X')
                .filter(st -> startTime == 0 || st.startTime == startTime)
                .isPresent();
    }
}
