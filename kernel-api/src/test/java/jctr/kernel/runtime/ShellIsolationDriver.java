package jctr.kernel.runtime;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import jctr.kernel.UnsupportedFeatureException;
import jctr.kernel.host.ProcStat;
import jctr.kernel.oci.ProcessSpec;
import jctr.kernel.spi.DriverContext;
import jctr.kernel.spi.ExecRequest;
import jctr.kernel.spi.IsolatedProcess;
import jctr.kernel.spi.IsolationDriver;
import jctr.kernel.spi.IsolationRequest;
import jctr.kernel.spi.ProbeResult;
import jctr.kernel.spi.Stdio;
import jctr.kernel.sys.OpenFlags;
import jctr.kernel.sys.PosixFiles;
import jctr.kernel.sys.Processes;
import jctr.kernel.sys.Signals;
import jctr.kernel.sys.SyscallException;

/**
 * Test double of an isolation driver without isolation: the "init" is a shell on the host that waits on
 * an exec fifo in the container's state dir and then execs {@code process.args}; it is started in the
 * background of a short-lived shell, so that (like a real launch stage) it is this JVM's grandchild and
 * becomes its child only through the subreaper. Good enough to drive the runtime's lifecycle without root.
 */
final class ShellIsolationDriver implements IsolationDriver {

    /** Fails the next create after launching the init, to test cleanup. */
    volatile boolean failAfterLaunch;
    final AtomicInteger creates = new AtomicInteger();
    final List<IsolatedProcess> launched = new ArrayList<>();

    @Override
    public String name() {
        return "shell";
    }

    @Override
    public ProbeResult probe(DriverContext context) {
        return ProbeResult.available("test double");
    }

    @Override
    public IsolatedProcess create(IsolationRequest request) {
        creates.incrementAndGet();
        Path fifo = request.stateDir().resolve("exec.fifo");
        PosixFiles.mkfifo(fifo, 0600);
        IsolatedProcess p = launch(fifo.toString(), request.spec().process(), request.stdio(),
                Map.of("fifo", fifo.toString()));
        synchronized (launched) {
            launched.add(p);
        }
        if (failAfterLaunch) {
            // A driver that fails cleans up what it started (the SPI contract); the runtime removes the rest.
            Processes.kill(p.pid(), Signals.SIGKILL);
            throw new UnsupportedFeatureException("test double told to fail after launching pid " + p.pid());
        }
        return p;
    }

    @Override
    public void start(IsolatedProcess process) {
        release(Path.of(process.driverState().get("fifo")), process);
    }

    /** Opens the fifo for writing and closes it, which lets the waiting process exec its program. */
    private static void release(Path fifo, IsolatedProcess process) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (true) {
            try {
                int fd = PosixFiles.open(fifo, OpenFlags.O_WRONLY | OpenFlags.O_NONBLOCK | OpenFlags.O_CLOEXEC, 0);
                PosixFiles.close(fd);
                return;
            } catch (SyscallException e) {
                // ENXIO: the init has not opened its end yet
                if (System.nanoTime() > deadline || !ProcStat.alive(process.pid(), process.startTime())) {
                    throw e;
                }
                Thread.onSpinWait();
            }
        }
    }

    @Override
    public IsolatedProcess exec(IsolatedProcess target, ExecRequest request) {
        // The process waits on a fifo too, until the launching shell is gone: a shell reaps a background
        // child that exits while it still runs, and then nobody could learn its exit status.
        try {
            Path dir = Files.createTempDirectory("exec-");
            Path fifo = dir.resolve("fifo");
            PosixFiles.mkfifo(fifo, 0600);
            IsolatedProcess p = launch(fifo.toString(), request.process(), request.stdio(), Map.of());
            release(fifo, p);
            Files.delete(fifo);
            Files.delete(dir);
            return p;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Starts the process's args with exactly its env in the background of a shell, after waiting on {@code fifo}. */
    private static IsolatedProcess launch(String fifo, ProcessSpec process, Stdio stdio, Map<String, String> state) {
        String in = "/dev/null";
        String out = "/dev/null";
        String err = "/dev/null";
        if (stdio instanceof Stdio.Files f) {
            in = f.stdin() == null ? in : f.stdin().toString();
            out = f.stdout() == null ? out : f.stdout().toString();
            err = f.stderr() == null ? err : f.stderr().toString();
        }
        String script = "f=$1; i=$2; o=$3; e=$4; shift 4; "
                + "( read _ < \"$f\"; exec \"$@\" ) <\"$i\" >>\"$o\" 2>>\"$e\" & echo $!";
        List<String> cmd = new ArrayList<>(List.of("/bin/sh", "-c", script, "sh", fifo, in, out, err));
        cmd.add("/usr/bin/env");
        cmd.add("-i");
        cmd.addAll(process.env());
        cmd.addAll(process.args());
        try {
            Process sh = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String line;
            try (BufferedReader r = new BufferedReader(new InputStreamReader(sh.getInputStream()))) {
                line = r.readLine();
            }
            sh.waitFor();
            int pid = Integer.parseInt(line.trim());
            long start = ProcStat.read(pid).map(ProcStat::startTime).orElse(0L);
            return new IsolatedProcess(pid, start, state);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Test helper: whether every launched process is gone. */
    boolean allGone() {
        synchronized (launched) {
            return launched.stream().noneMatch(p -> ProcStat.alive(p.pid(), p.startTime()));
        }
    }
}
