package jctr.mgmt.engine.monitor;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

import jctr.kernel.host.ProcStat;

/**
 * One {@code jctr-monitor} process and its directory, seen from the engine: how to start it (as the
 * isolation driver's launch wrapper), where its sockets are, whether it still runs, and the exit status
 * it recorded. Everything is found again from the directory alone, so an engine that restarts re-adopts
 * the monitors of the containers that kept running.
 */
public final class Monitor {

    /**
     * How the monitor handles the process's streams.
     *
     * @param log the json-file log to append to, or null for none (exec sessions)
     * @param logMaxSize rotate the log before it exceeds this many bytes (0: never)
     * @param logMaxFiles how many log files to keep, the current one included
     * @param tty whether the process gets a terminal (its master arrives on {@link #consoleSocket()})
     * @param stdin whether the process gets a stdin pipe (else /dev/null)
     * @param rows initial terminal rows (0: leave the default)
     * @param cols initial terminal columns
     * @param awaitClient hold the output until the first attach client connects (for a process that runs
     *                    as soon as it is launched, such as an exec'd one)
     */
    public record Options(Path log, long logMaxSize, int logMaxFiles, boolean tty, boolean stdin, int rows, int cols,
                          boolean awaitClient) {
    }

    /**
     * The exit the monitor recorded.
     *
     * @param code shell-style exit code (128+signal when killed)
     * @param signal the signal that killed the process, or 0
     * @param finishedAt when the monitor saw it end
     */
    public record Exit(int code, int signal, Instant finishedAt) {
    }

    private final Path dir;

    private Monitor(Path dir) {
        this.dir = dir;
    }

    /** Creates a fresh, private directory for a new monitor (an old one at that path is removed). */
    public static Monitor prepare(Path dir) {
        try {
            deleteTree(dir);
            Files.createDirectories(dir.getParent());
            Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            return new Monitor(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("creating monitor directory " + dir, e);
        }
    }

    /** The monitor whose directory is {@code dir} (which may be gone). */
    public static Monitor at(Path dir) {
        return new Monitor(dir);
    }

    public Path dir() {
        return dir;
    }

    /** Where the runtime must write the pid of the process the monitor watches. */
    public Path pidFile() {
        return dir.resolve("pid");
    }

    /** Tells the monitor that the launch failed: nothing will be watched, it may end. */
    public void launchFailed() {
        try {
            if (Files.isDirectory(dir) && !Files.exists(pidFile())) {
                Files.writeString(pidFile(), "0");
            }
        } catch (IOException e) {
            // the monitor ends on its own after its deadline
        }
    }

    /** Where the launcher must send the pty master when {@link Options#tty} is set. */
    public Path consoleSocket() {
        return dir.resolve("console.sock");
    }

    public Path attachSocket() {
        return dir.resolve("attach.sock");
    }

    /** The monitor's own diagnostics. */
    public Path diagnostics() {
        return dir.resolve("monitor.log");
    }

    /**
     * The argument list that runs the monitor as a launch wrapper: the isolation driver appends its
     * launcher's command line.
     */
    public List<String> wrapperCommand(Path binary, Options o) {
        List<String> cmd = new ArrayList<>(List.of(binary.toString(), "-d", dir.toString(), "-p", pidFile().toString()));
        if (o.log() != null) {
            cmd.addAll(List.of("-l", o.log().toString(), "-s", Long.toString(o.logMaxSize()),
                    "-n", Integer.toString(Math.max(1, o.logMaxFiles()))));
        }
        if (o.tty()) {
            cmd.add("-t");
        }
        if (o.stdin()) {
            cmd.add("-i");
        }
        if (o.tty() && o.rows() > 0 && o.cols() > 0) {
            cmd.addAll(List.of("-W", o.rows() + "," + o.cols()));
        }
        if (o.awaitClient()) {
            cmd.add("-a");
        }
        cmd.add("--");
        return cmd;
    }

    /** The monitor's pid, if it has started. */
    public Optional<Integer> pid() {
        try {
            return Optional.of(Integer.parseInt(Files.readString(dir.resolve("monitor.pid")).trim()));
        } catch (NoSuchFileException | NumberFormatException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Whether the monitor process still runs. */
    public boolean alive() {
        return pid().filter(p -> ProcStat.read(p).filter(st -> st.state() != 'Z' && st.state() != 'X')
                .filter(st -> Files.exists(attachSocket()) || Files.exists(dir.resolve("exit"))).isPresent()).isPresent()
                && !Files.exists(dir.resolve("exit"));
    }

    /** The exit the monitor recorded, once the process has ended. */
    public Optional<Exit> exit() {
        try {
            String[] f = Files.readString(dir.resolve("exit")).trim().split(" ");
            return Optional.of(new Exit(Integer.parseInt(f[0]), Integer.parseInt(f[1]), Instant.parse(f[2])));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Connects an attach client. */
    public MonitorConnection connect() {
        return MonitorConnection.open(attachSocket());
    }

    /** Removes the directory (after the exit has been consumed). */
    public void remove() {
        deleteTree(dir);
    }

    static void deleteTree(Path p) {
        if (!Files.exists(p)) {
            return;
        }
        try (Stream<Path> s = Files.walk(p)) {
            for (Path x : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(x);
            }
        } catch (NoSuchFileException | UncheckedIOException e) {
            // removed meanwhile (the monitor deletes its sockets as it ends)
            if (Files.exists(p)) {
                deleteTree(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("removing " + p, e);
        }
    }
}
