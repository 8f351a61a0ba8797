package jctr.kernel.runtime;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import jctr.kernel.KernelException.Category;
import jctr.kernel.host.ProcStat;
import jctr.kernel.oci.Hook;
import jctr.kernel.oci.State;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Hooks run as real processes: state on stdin, exact env, timeouts, failures named by config path. */
class HooksTest {

    @TempDir
    Path tmp;

    private final State state = new State("1.2.0", "c1", "creating", 42, "/bundle", Map.of("a", "b"));

    @Test
    void aHookThatOutlivesItsTimeoutIsKilledAndNamed() {
        Hook sleep = new Hook("/bin/sleep", List.of("sleep", "30"), List.of(), 1);
        long t0 = System.nanoTime();
        var e = assertThrows(HookFailedException.class,
                () -> Hooks.runAll("createRuntime", List.of(sleep), state, tmp));
        long millis = (System.nanoTime() - t0) / 1_000_000;
        assertEquals("hooks.createRuntime[0]: /bin/sleep timed out after 1s", e.getMessage());
        assertEquals(Category.TIMEOUT, e.category());
        assertTrue(millis >= 1000 && millis < 10_000, "took " + millis + " ms");
    }

    @Test
    void aTimeoutKillsWhatTheHookStartedToo() throws IOException {
        Path pidFile = tmp.resolve("child.pid");
        Hook hook = new Hook("/bin/sh", List.of("sh", "-c", "sleep 30 & echo $! > " + pidFile + "; wait"), List.of(), 1);
        assertThrows(HookFailedException.class, () -> Hooks.runAll("poststart", List.of(hook), state, tmp));
        int child = Integer.parseInt(Files.readString(pidFile).trim());
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (ProcStat.alive(child, 0) && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        assertFalse(ProcStat.alive(child, 0), "the hook's child survived");
    }

    @Test
    void theStateArrivesOnStdinAndTheEnvironmentIsExactlyTheHooks() throws IOException {
        Path out = tmp.resolve("out");
        Hook hook = new Hook("/bin/sh", List.of("sh", "-c", "cat > stdin.json; env | sort > env.txt; pwd > cwd.txt"),
                List.of("A=1", "B=two=2"), null);
        Hooks.runAll("createRuntime", List.of(hook), state, tmp);
        assertEquals("{\"ociVersion\":\"1.2.0\",\"id\":\"c1\",\"status\":\"creating\",\"pid\":42,\"bundle\":\"/bundle\","
                + "\"annotations\":{\"a\":\"b\"}}", Files.readString(tmp.resolve("stdin.json")));
        List<String> env = Files.readAllLines(tmp.resolve("env.txt")).stream()
                .filter(l -> !l.startsWith("PWD=") && !l.startsWith("SHLVL=") && !l.startsWith("_=")).toList();
        assertEquals(List.of("A=1", "B=two=2"), env);
        assertEquals(tmp.toString(), Files.readString(tmp.resolve("cwd.txt")).trim());
        assertTrue(Files.notExists(out));
    }

    @Test
    void theFirstFailureStopsTheListAndQuotesTheOutput() throws IOException {
        Path second = tmp.resolve("second-ran");
        List<Hook> hooks = List.of(
                new Hook("/bin/true", List.of(), List.of(), null),
                new Hook("/bin/sh", List.of("sh", "-c", "echo broken config >&2; exit 5"), List.of(), null),
                new Hook("/bin/touch", List.of("touch", second.toString()), List.of(), null));
        var e = assertThrows(HookFailedException.class, () -> Hooks.runAll("prestart", hooks, state, tmp));
        assertEquals("hooks.prestart[1]: /bin/sh exited with status 5: broken config", e.getMessage());
        assertEquals("hooks.prestart[1]", e.hook());
        assertTrue(Files.notExists(second));
    }

    @Test
    void warningHooksAllRunAndEachFailureIsLogged() throws IOException {
        Path third = tmp.resolve("third-ran");
        List<String> warnings = new java.util.ArrayList<>();
        List<Hook> hooks = List.of(
                new Hook("/nonexistent", List.of(), List.of(), null),
                new Hook("/bin/false", List.of(), List.of(), null),
                new Hook("/bin/touch", List.of("touch", third.toString()), List.of(), null));
        Hooks.runAllWarning("poststop", hooks, state, tmp, (level, m) -> warnings.add(m));
        assertTrue(Files.exists(third));
        assertEquals(2, warnings.size(), warnings.toString());
        assertTrue(warnings.get(0).startsWith("hooks.poststop[0]: cannot run /nonexistent"), warnings.get(0));
        assertEquals("hooks.poststop[1]: /bin/false exited with status 1", warnings.get(1));
    }
}
