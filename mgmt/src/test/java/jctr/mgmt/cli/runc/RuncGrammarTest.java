package jctr.mgmt.cli.runc;

import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;

import picocli.CommandLine;
import picocli.CommandLine.ParseResult;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every jctr-runc command and flag parses as runc's would (picocli only; nothing runs). */
class RuncGrammarTest {

    private RuncCommand top;

    private Object parse(String... args) {
        top = new RuncCommand();
        ParseResult result = RuncCommand.commandLine(top).parseArgs(args);
        return result.subcommand().commandSpec().userObject();
    }

    @Test
    void globalFlagsHaveRuncsDefaultsAndNames() {
        var c = assertInstanceOf(StateCommand.class, parse("state", "x"));
        assertEquals(Path.of("/run/jctr-runc"), top.root);
        assertNull(top.logFile);
        assertEquals("text", top.logFormat);
        assertFalse(top.debug);
        assertFalse(top.systemdCgroup);
        assertEquals("x", c.id);

        parse("--root", "/tmp/r", "--log", "/tmp/l", "--log-format", "json", "--debug", "--systemd-cgroup", "state", "y");
        assertEquals(Path.of("/tmp/r"), top.root);
        assertEquals(Path.of("/tmp/l"), top.logFile);
        assertEquals("json", top.logFormat);
        assertTrue(top.debug);
        assertTrue(top.systemdCgroup);
    }

    @Test
    void create() {
        var c = assertInstanceOf(CreateCommand.class, parse("create", "c1"));
        assertEquals(Path.of(""), c.bundle);
        assertNull(c.pidFile);
        assertNull(c.consoleSocket);
        assertFalse(c.noPivot);
        assertFalse(c.noNewKeyring);
        c = assertInstanceOf(CreateCommand.class, parse("create", "--bundle", "/b", "--pid-file", "/p",
                "--console-socket", "/s", "--no-pivot", "--no-new-keyring", "c1"));
        assertEquals(Path.of("/b"), c.bundle);
        assertEquals(Path.of("/p"), c.pidFile);
        assertEquals(Path.of("/s"), c.consoleSocket);
        assertTrue(c.noPivot);
        assertTrue(c.noNewKeyring);
        assertEquals("c1", c.id);
        assertEquals(Path.of("/b2"), assertInstanceOf(CreateCommand.class, parse("create", "-b", "/b2", "c1")).bundle);
    }

    @Test
    void startStatePauseResume() {
        assertEquals("a", assertInstanceOf(StartCommand.class, parse("start", "a")).id);
        assertEquals("b", assertInstanceOf(StateCommand.class, parse("state", "b")).id);
        assertEquals("c", assertInstanceOf(PauseCommand.class, parse("pause", "c")).id);
        assertEquals("d", assertInstanceOf(ResumeCommand.class, parse("resume", "d")).id);
    }

    @Test
    void killTakesTheSignalPositionally() {
        var k = assertInstanceOf(KillCommand.class, parse("kill", "c1"));
        assertEquals("TERM", k.signal);
        assertFalse(k.all);
        for (String sig : List.of("KILL", "SIGKILL", "9", "USR1")) {
            assertEquals(sig, assertInstanceOf(KillCommand.class, parse("kill", "c1", sig)).signal);
        }
        k = assertInstanceOf(KillCommand.class, parse("kill", "--all", "c1", "TERM"));
        assertTrue(k.all);
        assertTrue(assertInstanceOf(KillCommand.class, parse("kill", "-a", "c1")).all);
        assertThrows(CommandLine.ParameterException.class, () -> parse("kill"));
        assertThrows(CommandLine.ParameterException.class, () -> parse("kill", "c1", "TERM", "extra"));
    }

    @Test
    void delete() {
        var d = assertInstanceOf(DeleteCommand.class, parse("delete", "c1"));
        assertFalse(d.force);
        assertTrue(assertInstanceOf(DeleteCommand.class, parse("delete", "--force", "c1")).force);
        assertTrue(assertInstanceOf(DeleteCommand.class, parse("delete", "-f", "c1")).force);
    }

    @Test
    void run() {
        var r = assertInstanceOf(RunCommand.class, parse("run", "c1"));
        assertEquals(Path.of(""), r.bundle);
        assertFalse(r.detach);
        r = assertInstanceOf(RunCommand.class, parse("run", "--bundle", "/b", "--detach", "--pid-file", "/p",
                "--console-socket", "/s", "--no-pivot", "--no-new-keyring", "c1"));
        assertEquals(Path.of("/b"), r.bundle);
        assertTrue(r.detach);
        assertEquals(Path.of("/p"), r.pidFile);
        assertEquals(Path.of("/s"), r.consoleSocket);
        assertTrue(r.noPivot && r.noNewKeyring);
        assertTrue(assertInstanceOf(RunCommand.class, parse("run", "-d", "-b", "/x", "c1")).detach);
    }

    @Test
    void execTakesTheProgramAfterTheId() {
        var e = assertInstanceOf(ExecCommand.class, parse("exec", "--tty", "--env", "A=1", "-e", "B=2", "--cwd", "/tmp",
                "--user", "1000:100", "-g", "5", "--additional-gids", "6", "--process", "/p.json", "--detach",
                "--pid-file", "/pid", "--console-socket", "/s", "--no-new-privs", "c1", "sh", "-c", "echo hi"));
        assertTrue(e.tty);
        assertEquals(List.of("A=1", "B=2"), e.env);
        assertEquals("/tmp", e.cwd);
        assertEquals("1000:100", e.user);
        assertEquals(List.of(5L, 6L), e.additionalGids);
        assertEquals(Path.of("/p.json"), e.process);
        assertTrue(e.detach);
        assertEquals(Path.of("/pid"), e.pidFile);
        assertEquals(Path.of("/s"), e.consoleSocket);
        assertTrue(e.noNewPrivs);
        assertEquals("c1", e.id);
        assertEquals(List.of("sh", "-c", "echo hi"), e.args);
        e = assertInstanceOf(ExecCommand.class, parse("exec", "-t", "-u", "0", "-d", "-p", "/q", "c2", "ls"));
        assertTrue(e.tty && e.detach);
        assertEquals("0", e.user);
        assertEquals(Path.of("/q"), e.process);
    }

    @Test
    void psAndList() {
        var p = assertInstanceOf(PsCommand.class, parse("ps", "c1"));
        assertEquals("table", p.format);
        assertEquals(List.of(), p.psArgs);
        p = assertInstanceOf(PsCommand.class, parse("ps", "--format", "json", "c1"));
        assertEquals("json", p.format);
        p = assertInstanceOf(PsCommand.class, parse("ps", "-f", "table", "c1", "-o", "pid,comm"));
        assertEquals(List.of("-o", "pid,comm"), p.psArgs);

        var l = assertInstanceOf(ListCommand.class, parse("list"));
        assertEquals("table", l.format);
        assertFalse(l.quiet);
        assertTrue(assertInstanceOf(ListCommand.class, parse("list", "-q")).quiet);
        assertEquals("json", assertInstanceOf(ListCommand.class, parse("list", "--format", "json")).format);
        assertEquals("json", assertInstanceOf(ListCommand.class, parse("list", "-f", "json")).format);
    }

    @Test
    void spec() {
        assertEquals(Path.of(""), assertInstanceOf(SpecCommand.class, parse("spec")).bundle);
        assertEquals(Path.of("/b"), assertInstanceOf(SpecCommand.class, parse("spec", "--bundle", "/b")).bundle);
        assertEquals(Path.of("/c"), assertInstanceOf(SpecCommand.class, parse("spec", "-b", "/c")).bundle);
    }

    @Test
    void updateFlagsBecomeLinuxResources() {
        var u = assertInstanceOf(UpdateCommand.class, parse("update", "--memory", "256m", "--memory-reservation", "128m",
                "--memory-swap", "-1", "--cpu-quota", "20000", "--cpu-period", "100000", "--cpu-shares", "512",
                "--cpu-rt-period", "1000", "--cpu-rt-runtime", "500", "--cpuset-cpus", "0-1", "--cpuset-mems", "0",
                "--pids-limit", "64", "--blkio-weight", "300", "c1"));
        var r = u.resources();
        assertEquals(268435456L, r.memory().limit());
        assertEquals(134217728L, r.memory().reservation());
        assertEquals(-1L, r.memory().swap());
        assertEquals(20000L, r.cpu().quota());
        assertEquals(100000L, r.cpu().period());
        assertEquals(512L, r.cpu().shares());
        assertEquals(1000L, r.cpu().realtimePeriod());
        assertEquals(500L, r.cpu().realtimeRuntime());
        assertEquals("0-1", r.cpu().cpus());
        assertEquals("0", r.cpu().mems());
        assertEquals(64L, r.pids().limit());
        assertEquals(300, r.blockIO().weight());
        assertEquals(512L, assertInstanceOf(UpdateCommand.class, parse("update", "--cpu-share", "512", "c1"))
                .resources().cpu().shares());

        var only = assertInstanceOf(UpdateCommand.class, parse("update", "--pids-limit", "10", "c1")).resources();
        assertNull(only.memory());
        assertNull(only.cpu());
        assertNull(only.blockIO());
        assertEquals("/r.json", assertInstanceOf(UpdateCommand.class, parse("update", "-r", "/r.json", "c1")).resourcesFile);
        assertEquals("-", assertInstanceOf(UpdateCommand.class, parse("update", "--resources", "-", "c1")).resourcesFile);
    }

    @Test
    void events() {
        var e = assertInstanceOf(EventsCommand.class, parse("events", "c1"));
        assertEquals("5s", e.interval);
        assertFalse(e.stats);
        e = assertInstanceOf(EventsCommand.class, parse("events", "--stats", "--interval", "250ms", "c1"));
        assertTrue(e.stats);
        assertEquals("250ms", e.interval);
    }

    @Test
    void optionsAfterTheIdBelongToTheProgramForExecAndPs() {
        var e = assertInstanceOf(ExecCommand.class, parse("exec", "c1", "ls", "-l", "--tty"));
        assertFalse(e.tty);
        assertEquals(List.of("ls", "-l", "--tty"), e.args);
        assertEquals(List.of("-e", "pid"), assertInstanceOf(PsCommand.class, parse("ps", "c1", "-e", "pid")).psArgs);
    }

    @Test
    void unknownCommandsAndFlagsAreUsageErrors() {
        assertThrows(CommandLine.UnmatchedArgumentException.class, () -> parse("checkpoint", "c1"));
        assertThrows(CommandLine.UnmatchedArgumentException.class, () -> parse("create", "--bogus", "c1"));
        assertThrows(CommandLine.MissingParameterException.class, () -> parse("start"));
    }

    @Test
    void aCommandLineRegistersOnlyTheCommandItRunsButHelpKnowsAll() {
        assertEquals("run", RuncCommand.commandName(new String[] {"--root", "/x", "--debug", "run", "--bundle", "b", "c1"}));
        assertEquals("state", RuncCommand.commandName(new String[] {"--log=/l", "--log-format", "json", "state", "c1"}));
        assertNull(RuncCommand.commandName(new String[] {"--root", "/x", "--help"}));

        String[] run = {"--root", "/x", "run", "c1"};
        assertEquals(List.of("run"), List.copyOf(RuncCommand.commandLine(new RuncCommand(), run).getSubcommands().keySet()));
        for (String[] args : List.of(new String[] {"--help"}, new String[] {"help", "run"}, new String[] {"checkpoint"})) {
            assertEquals(15, RuncCommand.commandLine(new RuncCommand(), args).getSubcommands().size(), List.of(args)::toString);
        }
    }
}
