package jctr.mgmt.engine.monitor;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import jctr.kernel.NotFoundException;
import jctr.kernel.testing.RootOnly;
import jctr.mgmt.engine.JsonFileLog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The real jctr-monitor binary wrapping a shell that plays the launcher: it writes its own pid to the pid
 * file (so it is the watched process) and then produces output. Proves the stream, stdin, log and exit
 * handling without the isolation driver.
 */
class MonitorIT {

    private Path dir;
    private Path binary;
    private final List<Monitor> started = new ArrayList<>();

    @BeforeEach
    void setUp() throws IOException {
        RootOnly.assumeRoot();
        dir = Files.createTempDirectory(Path.of("/tmp"), "jctr-mon-");
        binary = new MonitorBinary(dir.resolve("bin")).path();
    }

    @AfterEach
    void tearDown() throws Exception {
        for (Monitor m : started) {
            m.pid().ifPresent(p -> ProcessHandle.of(p).ifPresent(ProcessHandle::destroyForcibly));
            String pid = Files.exists(m.pidFile()) ? Files.readString(m.pidFile()).trim() : "";
            if (!pid.isEmpty()) {
                ProcessHandle.of(Long.parseLong(pid)).ifPresent(ProcessHandle::destroyForcibly);
            }
        }
        if (dir != null) {
            Monitor.deleteTree(dir);
        }
    }

    /** Starts a monitor around {@code sh -c script}; {@code $PIDFILE} is the pid file. */
    private Monitor start(String name, Monitor.Options o, String script) throws Exception {
        Monitor m = Monitor.prepare(dir.resolve(name));
        started.add(m);
        List<String> cmd = new ArrayList<>(m.wrapperCommand(binary, o));
        cmd.addAll(List.of("/bin/sh", "-c", "echo $$ > " + m.pidFile() + "; " + script));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(10, TimeUnit.SECONDS), "the spawned monitor returns at once");
        assertEquals(0, p.exitValue(), out);
        return m;
    }

    private static Monitor.Options opts(Path log, boolean stdin, boolean await) {
        return new Monitor.Options(log, 0, 1, false, stdin, 0, 0, await);
    }

    private record Collected(String stdout, String stderr, int exit) {
    }

    private static Collected collect(MonitorConnection c) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = Integer.MIN_VALUE;
        MonitorConnection.Frame f;
        while ((f = c.read()) != null) {
            switch (f.type()) {
                case MonitorConnection.STDOUT -> out.write(f.payload());
                case MonitorConnection.STDERR -> err.write(f.payload());
                case MonitorConnection.EXIT -> exit = f.exitCode();
                default -> throw new AssertionError("frame type " + f.type());
            }
        }
        return new Collected(out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8), exit);
    }

    private static Monitor.Exit awaitExit(Monitor m) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (System.nanoTime() < deadline) {
            Optional<Monitor.Exit> e = m.exit();
            if (e.isPresent()) {
                return e.get();
            }
            Thread.sleep(20);
        }
        throw new AssertionError("no exit recorded in " + m.dir());
    }

    @Test
    void streamsStdinAndExitCodeToAClient() throws Exception {
        Path log = dir.resolve("c1.log");
        Monitor m = start("c1", opts(log, true, true),
                "read line; echo \"got $line\"; echo to-stderr >&2; cat; exit 3");
        try (MonitorConnection c = m.connect()) {
            c.stdin(ByteBuffer.wrap("hello\nmore input\n".getBytes(StandardCharsets.UTF_8)));
            c.closeStdin();
            Collected r = collect(c);
            assertEquals("got hello\nmore input\n", r.stdout());
            assertEquals("to-stderr\n", r.stderr());
            assertEquals(3, r.exit());
        }
        Monitor.Exit e = awaitExit(m);
        assertEquals(3, e.code());
        assertEquals(0, e.signal());
        assertFalse(m.alive());
        List<JsonFileLog.Entry> entries = new ArrayList<>();
        new JsonFileLog(log).read(new JsonFileLog.Query(true, true, null, null, -1, false), () -> false, entries::add);
        // Two pipes: the order between stdout and stderr is not defined (as with Docker); within each it is kept.
        assertEquals(List.of("got hello\n", "more input\n"), entries.stream().filter(x -> x.stream().equals("stdout"))
                .map(x -> new String(x.line(), StandardCharsets.UTF_8)).toList());
        assertEquals(List.of("to-stderr\n"), entries.stream().filter(x -> x.stream().equals("stderr"))
                .map(x -> new String(x.line(), StandardCharsets.UTF_8)).toList());
    }

    @Test
    void logsWithoutAnyClientAndRecordsTheExit() throws Exception {
        Path log = dir.resolve("c2.log");
        Monitor m = start("c2", opts(log, false, false), "i=0; while [ $i -lt 5 ]; do echo line $i; i=$((i+1)); done");
        assertEquals(0, awaitExit(m).code());
        assertEquals(5, Files.readAllLines(log).size());
        assertTrue(Files.readAllLines(log).getFirst().matches(
                "\\{\"log\":\"line 0\\\\n\",\"stream\":\"stdout\",\"time\":\"\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{9}Z\"}"),
                Files.readAllLines(log).getFirst());
        assertThrows(RuntimeException.class, m::connect, "nothing to attach to after the exit");
    }

    @Test
    void aKilledProcessExitsWith128PlusSignal() throws Exception {
        Monitor m = start("c3", opts(null, false, false), "kill -9 $$");
        Monitor.Exit e = awaitExit(m);
        assertEquals(137, e.code());
        assertEquals(9, e.signal());
    }

    @Test
    void theLogRotatesAndIsReadBackInOrder() throws Exception {
        Path log = dir.resolve("c4.log");
        Monitor m = start("c4", new Monitor.Options(log, 400, 3, false, false, 0, 0, false),
                "i=0; while [ $i -lt 40 ]; do echo line $i; i=$((i+1)); done");
        awaitExit(m);
        assertTrue(Files.exists(dir.resolve("c4.log.1")));
        assertTrue(Files.exists(dir.resolve("c4.log.2")));
        assertFalse(Files.exists(dir.resolve("c4.log.3")), "max 3 files");
        List<String> lines = new ArrayList<>();
        new JsonFileLog(log).read(new JsonFileLog.Query(true, true, null, null, -1, false), () -> false,
                e -> lines.add(new String(e.line(), StandardCharsets.UTF_8).trim()));
        assertEquals("line 39", lines.getLast());
        for (int i = 1; i < lines.size(); i++) {
            int a = Integer.parseInt(lines.get(i - 1).substring(5));
            int b = Integer.parseInt(lines.get(i).substring(5));
            assertEquals(a + 1, b, "consecutive across rotated files: " + lines);
        }
        List<String> tail = new ArrayList<>();
        new JsonFileLog(log).read(new JsonFileLog.Query(true, true, null, null, 2, false), () -> false,
                e -> tail.add(new String(e.line(), StandardCharsets.UTF_8).trim()));
        assertEquals(List.of("line 38", "line 39"), tail);
    }

    @Test
    void followReadsUntilTheWriterIsGone() throws Exception {
        Path log = dir.resolve("c5.log");
        Monitor m = start("c5", opts(log, true, false), "echo first; read x; echo second; read y; echo third");
        List<String> seen = java.util.Collections.synchronizedList(new ArrayList<>());
        Thread follower = Thread.ofVirtual().start(() -> {
            try {
                new JsonFileLog(log).read(new JsonFileLog.Query(true, true, null, null, -1, true),
                        () -> m.exit().isEmpty(), e -> seen.add(new String(e.line(), StandardCharsets.UTF_8).trim()));
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        try (MonitorConnection c = m.connect()) {
            c.stdin(ByteBuffer.wrap("go\n".getBytes(StandardCharsets.UTF_8)));
            Thread.sleep(300);
            c.stdin(ByteBuffer.wrap("go\n".getBytes(StandardCharsets.UTF_8)));
            collect(c);
        }
        follower.join(Duration.ofSeconds(20));
        assertFalse(follower.isAlive(), "follow ends once the process is gone");
        assertEquals(List.of("first", "second", "third"), seen);
    }

    @Test
    void aLauncherThatFailsLeavesExitCode127() throws Exception {
        Monitor m = Monitor.prepare(dir.resolve("c6"));
        started.add(m);
        List<String> cmd = new ArrayList<>(m.wrapperCommand(binary, opts(null, false, false)));
        cmd.add("/nonexistent/launcher");
        Process p = new ProcessBuilder(cmd).start();
        assertTrue(p.waitFor(10, TimeUnit.SECONDS));
        assertEquals(127, awaitExit(m).code());
    }

    @Test
    void connectingToAMissingMonitorIsNotFound() {
        assertThrows(NotFoundException.class, () -> Monitor.at(dir.resolve("none")).connect());
    }
}
