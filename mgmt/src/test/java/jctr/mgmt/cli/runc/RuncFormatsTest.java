package jctr.mgmt.cli.runc;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import jctr.kernel.InvalidConfigException;
import jctr.kernel.Version;
import jctr.kernel.oci.OciJson;
import jctr.kernel.oci.ProcessSpec;
import jctr.kernel.oci.State;
import jctr.kernel.runtime.ContainerInfo;
import jctr.kernel.spi.ResourceStats;
import picocli.CommandLine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** jctr-runc's outputs in runc's shapes: log lines, tables, state and stats JSON, the default spec. */
class RuncFormatsTest {

    @TempDir
    Path tmp;

    @Test
    void logLinesLookLikeLogrus() {
        assertEquals("time=\"2025-01-02T03:04:05Z\" level=error msg=\"container \\\"x\\\" does not exist\"",
                RuncLog.textLine("error", "container \"x\" does not exist", "2025-01-02T03:04:05Z"));
        assertEquals("{\"level\":\"warning\",\"msg\":\"a\\nb\",\"time\":\"t\"}", RuncLog.jsonLine("warning", "a\nb", "t"));
    }

    @Test
    void theListTableHasRuncsColumnWidths() {
        String table = Table.format(List.of(List.of("ID", "PID", "STATUS", "BUNDLE", "CREATED", "OWNER"),
                List.of("probe", "10622", "created", "/tmp/runcspec", "2026-11-27T18:39:02.870822546Z", "root")));
        // captured from runc 1.1.5 list
        assertEquals("""
                ID          PID         STATUS      BUNDLE          CREATED                          OWNER
                probe       10622       created     /tmp/runcspec   2026-11-27T18:39:02.870822546Z   root
                """, table);
    }

    @Test
    void stateJsonHasRuncsFieldsAndIndentation() {
        var info = new ContainerInfo(new State("1.2.0", "c1", "stopped", 0, "/b", Map.of()),
                Instant.parse("2025-01-02T03:04:05.5Z"), "/b/rootfs", "root");
        assertEquals("""
                {
                  "ociVersion": "1.2.0",
                  "id": "c1",
                  "pid": 0,
                  "status": "stopped",
                  "bundle": "/b",
                  "rootfs": "/b/rootfs",
                  "created": "2025-01-02T03:04:05.500Z",
                  "owner": "root"
                }""", RuncJson.indent(RuncState.of(info), "  "));
        var annotated = new ContainerInfo(new State("1.2.0", "c1", "running", 9, "/b", Map.of("k", "v")),
                Instant.EPOCH, "/b/rootfs", "root");
        assertTrue(RuncJson.compact(RuncState.of(annotated)).contains("\"annotations\":{\"k\":\"v\"}"));
    }

    @Test
    void emptyContainersPrintLikeGo() {
        assertEquals("{\n\t\"a\": [],\n\t\"b\": {}\n}", RuncJson.indent(new java.util.TreeMap<>(Map.of("a", List.of(),
                "b", Map.of())), "\t"));
    }

    @Test
    void theDefaultSpecIsRuncsExceptForTheOciVersion() throws Exception {
        Path ours = tmp.resolve("ours");
        Path theirs = tmp.resolve("theirs");
        Files.createDirectories(ours);
        Files.createDirectories(theirs);
        assertEquals(0, RuncCommand.run("spec", "--bundle", ours.toString()));
        String text = Files.readString(ours.resolve("config.json"));
        OciJson.Parsed<jctr.kernel.oci.Spec> parsed = OciJson.readSpec(ours.resolve("config.json"));
        assertEquals(List.of(), parsed.warnings());
        assertEquals(Version.ociRuntimeSpec(), parsed.value().ociVersion());
        assertEquals(1, RuncCommand.run("spec", "--bundle", ours.toString()), "an existing config.json is kept");

        Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/sbin/runc")) || Files.isExecutable(Path.of("/usr/bin/runc")),
                "runc is not installed");
        Process p = new ProcessBuilder("runc", "spec", "--bundle", theirs.toString()).inheritIO().start();
        assertTrue(p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0);
        String runcText = Files.readString(theirs.resolve("config.json"));
        JsonNode runcTree = OciJson.mapper().readTree(runcText);
        ((ObjectNode) runcTree).put("ociVersion", Version.ociRuntimeSpec());
        assertEquals(runcTree, OciJson.mapper().readTree(text));
        assertEquals(runcText.replaceFirst("\"ociVersion\": \"[^\"]*\"", "\"ociVersion\": \"" + Version.ociRuntimeSpec() + "\""),
                text, "not byte-identical to runc spec");
    }

    @Test
    void statsUseRuncsNames() {
        var s = new ResourceStats(Instant.EPOCH,
                new ResourceStats.Memory(1000, 2000, Long.MAX_VALUE, 300, 0, Long.MAX_VALUE, 0, Map.of("rss", 700L)),
                new ResourceStats.Cpu(5000, List.of(3000L, 2000L), 4000, 1000, 10, 2, 77),
                new ResourceStats.Pids(3, 64),
                new ResourceStats.BlockIo(List.of(new ResourceStats.BlkioEntry(8, 0, "Read", 4096)), List.of()),
                Map.of("2MB", new ResourceStats.Hugetlb(0, 0, 0)));
        assertEquals("{\"type\":\"stats\",\"id\":\"c1\",\"data\":{"
                + "\"cpu\":{\"usage\":{\"total\":5000,\"percpu\":[3000,2000],\"kernel\":1000,\"user\":4000},"
                + "\"throttling\":{\"periods\":10,\"throttledPeriods\":2,\"throttledTime\":77}},"
                + "\"memory\":{\"cache\":300,\"usage\":{\"limit\":18446744073709551615,\"usage\":1000,\"max\":2000,\"failcnt\":0},"
                + "\"swap\":{\"limit\":18446744073709551615,\"failcnt\":0},\"raw\":{\"rss\":700}},"
                + "\"pids\":{\"current\":3,\"limit\":64},"
                + "\"blkio\":{\"ioServiceBytesRecursive\":[{\"major\":8,\"op\":\"Read\",\"value\":4096}]},"
                + "\"hugetlb\":{\"2MB\":{\"failcnt\":0}}}}", RuncJson.compact(RuncStats.stats("c1", s)));
        assertEquals("{\"type\":\"oom\",\"id\":\"c1\"}", RuncJson.compact(new RuncStats.Event("oom", "c1", null)));
    }

    @Test
    void psKeepsTheHeaderAndTheContainersLines() {
        String ps = """
                UID          PID    PPID  C STIME TTY          TIME CMD
                root           1       0  0 10:00 ?        00:00:01 /sbin/init
                root         123       1  0 10:01 ?        00:00:00 sleep 100
                root        1234     123  0 10:01 ?        00:00:00 sh
                """;
        assertEquals("""
                UID          PID    PPID  C STIME TTY          TIME CMD
                root         123       1  0 10:01 ?        00:00:00 sleep 100
                """, PsCommand.filter(ps, Set.of(123)));
    }

    @Test
    void sizesAndDurationsParseAsRuncs() {
        assertEquals(1024L, UpdateCommand.bytes("--memory", "1k"));
        assertEquals(256L << 20, UpdateCommand.bytes("--memory", "256M"));
        assertEquals(1L << 30, UpdateCommand.bytes("--memory", "1gb"));
        assertEquals(1L << 30, UpdateCommand.bytes("--memory", "1GiB"));
        assertEquals(12345L, UpdateCommand.bytes("--memory", "12345"));
        assertEquals(-1L, UpdateCommand.bytes("--memory-swap", "-1"));
        var e = assertThrows(InvalidConfigException.class, () -> UpdateCommand.bytes("--memory", "lots"));
        assertEquals("--memory", e.field());
        assertThrows(InvalidConfigException.class, () -> UpdateCommand.bytes("--memory", "99999999999p"));

        assertEquals(Duration.ofSeconds(5), EventsCommand.duration("5s"));
        assertEquals(Duration.ofMillis(250), EventsCommand.duration("250ms"));
        assertEquals(Duration.ofSeconds(90), EventsCommand.duration("1m30s"));
        assertEquals(Duration.ofMillis(1500), EventsCommand.duration("1.5s"));
        for (String bad : List.of("", "5", "s", "5x", "0s", "5s junk")) {
            assertThrows(InvalidConfigException.class, () -> EventsCommand.duration(bad), bad);
        }
    }

    @Test
    void execBuildsItsProcessFromTheContainersAsRuncDoes() {
        ProcessSpec base = OciJson.parse("base", """
                {"terminal": true, "user": {"uid": 5, "gid": 6, "additionalGids": [7]}, "args": ["sh"],
                 "env": ["PATH=/bin"], "cwd": "/home", "noNewPrivileges": false}""", ProcessSpec.class, true);
        ProcessSpec p = exec("-e", "A=1", "-u", "1000:100", "-g", "9", "--cwd", "/tmp", "c1", "id", "-u").fromFlags(base);
        assertEquals(List.of("id", "-u"), p.args());
        assertEquals(List.of("PATH=/bin", "A=1"), p.env());
        assertEquals("/tmp", p.cwd());
        assertEquals(1000, p.user().uid());
        assertEquals(100, p.user().gid());
        assertEquals(List.of(7L, 9L), p.user().additionalGids());
        assertEquals(false, p.wantsTerminal(), "exec has no terminal unless --tty");

        ProcessSpec q = exec("c1", "true").fromFlags(base);
        assertEquals(5, q.user().uid());
        assertEquals("/home", q.cwd());

        var noArgs = exec("c1");
        assertThrows(InvalidConfigException.class, () -> noArgs.fromFlags(base));
        var badUser = exec("-u", "bob", "c1", "true");
        assertEquals("--user", assertThrows(InvalidConfigException.class, () -> badUser.fromFlags(base)).field());
    }

    private static ExecCommand exec(String... args) {
        String[] all = new String[args.length + 1];
        all[0] = "exec";
        System.arraycopy(args, 0, all, 1, args.length);
        return (ExecCommand) RuncCommand.commandLine(new RuncCommand()).parseArgs(all).subcommand().commandSpec().userObject();
    }

    @Test
    void errorsGoToStderrInRuncsFormatWithExitCodeOne() throws IOException {
        var err = new java.io.StringWriter();
        var cmd = new RuncCommand();
        CommandLine cl = RuncCommand.commandLine(cmd);
        cl.setErr(new java.io.PrintWriter(err));
        assertEquals(1, cl.execute("--root", tmp.resolve("root").toString(), "state", "nope"));
        assertTrue(err.toString().matches("time=\"[0-9TZ:-]+\" level=error msg=\"container nope does not exist\"\\n"),
                err.toString());

        var err2 = new java.io.StringWriter();
        CommandLine cl2 = RuncCommand.commandLine(new RuncCommand());
        cl2.setErr(new java.io.PrintWriter(err2));
        Path log = tmp.resolve("log.json");
        assertEquals(1, cl2.execute("--root", tmp.resolve("root").toString(), "--log", log.toString(), "--log-format",
                "json", "kill", "nope", "KILL"));
        assertEquals("container nope does not exist\n", err2.toString());
        assertTrue(Files.readString(log).matches("\\{\"level\":\"error\",\"msg\":\"container nope does not exist\","
                + "\"time\":\"[0-9TZ:-]+\"}\\n"), Files.readString(log));

        var err3 = new java.io.StringWriter();
        CommandLine cl3 = RuncCommand.commandLine(new RuncCommand());
        cl3.setErr(new java.io.PrintWriter(err3));
        assertEquals(1, cl3.execute("--root", tmp.resolve("root").toString(), "kill", "c1", "SIGBOGUS"));
        assertTrue(err3.toString().contains("unknown signal: SIGBOGUS"), err3.toString());
    }
}
