package jctr.kernel.runtime;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import jctr.kernel.InvalidConfigException;
import jctr.kernel.lifecycle.ContainerStatus;
import jctr.kernel.oci.OciJson;
import jctr.kernel.oci.State;
import jctr.kernel.spi.IsolatedProcess;
import jctr.kernel.state.ContainerRecord;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The small value types of the runtime: signals, pid files, the state JSON and the persisted record. */
class RuntimeValuesTest {

    @TempDir
    Path tmp;

    @Test
    void signalsParseTheWaysRuncAccepts() {
        for (String s : List.of("TERM", "SIGTERM", "sigterm", "term", "15")) {
            assertEquals(15, Signal.parse(s).number(), s);
        }
        assertEquals(9, Signal.parse("KILL").number());
        assertEquals(10, Signal.parse("USR1").number());
        assertEquals(37, Signal.parse("SIGRTMIN+3").number());
        assertEquals("SIGHUP", Signal.parse("1").toString());
        for (String bad : List.of("", "SIGFOO", "0", "65", "-9", "RTMIN+99")) {
            assertThrows(InvalidConfigException.class, () -> Signal.parse(bad), bad);
        }
    }

    @Test
    void aPidFileHoldsOnlyDigitsAndIsReplacedWhole() throws IOException {
        Path f = tmp.resolve("pid");
        Files.writeString(f, "a much longer previous content\n");
        PidFile.write(f, 4242);
        assertEquals("4242", Files.readString(f));
        try (var entries = Files.list(tmp)) {
            assertEquals(List.of(f), entries.toList(), "a temp file was left behind");
        }
    }

    @Test
    void theStateJsonHasTheOciFieldsInOrder() {
        State running = new State("1.2.0", "c1", "running", 77, "/b", Map.of("k", "v"));
        assertEquals("{\"ociVersion\":\"1.2.0\",\"id\":\"c1\",\"status\":\"running\",\"pid\":77,\"bundle\":\"/b\","
                + "\"annotations\":{\"k\":\"v\"}}", new String(OciJson.writeCompact(running)));
        // A stopped container reports pid 0, which must still be present (runc prints it).
        State stopped = new State("1.2.0", "c1", "stopped", 0, "/b", Map.of());
        assertEquals("{\"ociVersion\":\"1.2.0\",\"id\":\"c1\",\"status\":\"stopped\",\"pid\":0,\"bundle\":\"/b\"}",
                new String(OciJson.writeCompact(stopped)));
    }

    @Test
    void theRecordRoundTripsThroughJsonWithItsCreationTime() {
        ContainerRecord r = new ContainerRecord("c1", ContainerStatus.RUNNING, "/b",
                new IsolatedProcess(5, 99, Map.of("fifo", "/x")), null, null,
                new ContainerRecord.DriverNames("namespaces", "none", null), Instant.parse("2025-01-02T03:04:05.123456789Z"),
                null, Map.of("a", "b"));
        String json = new String(OciJson.writeCompact(r));
        assertEquals(r, OciJson.parse("state.json", json, ContainerRecord.class, true));
        var bad = assertThrows(InvalidConfigException.class, () -> OciJson.parse("state.json",
                json.replace("2025-01-02T03:04:05.123456789Z", "yesterday"), ContainerRecord.class, true));
        assertEquals("created", bad.field());
    }
}
