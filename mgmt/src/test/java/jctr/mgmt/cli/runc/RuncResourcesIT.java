package jctr.mgmt.cli.runc;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import jctr.kernel.oci.LinuxResources;
import jctr.kernel.oci.MemoryResources;
import jctr.kernel.oci.OciJson;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** pause/resume, update and events through {@code bin/jctr-runc} with the host's cgroup driver. */
class RuncResourcesIT {

    @TempDir
    Path tmp;

    private RuncHarness h;

    @BeforeEach
    void setUp() {
        RuncHarness.assumeRuntimeWorks();
        h = new RuncHarness(tmp);
        h.assumeCgroups();
    }

    @AfterEach
    void tearDown() {
        if (h != null) {
            h.close();
        }
    }

    private static long counter(Path file) {
        try {
            String s = Files.readString(file).trim();
            return s.isEmpty() ? -1 : Long.parseLong(s);
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
    }

    @Test
    void pauseStopsACounterAndResumeContinuesIt() throws Exception {
        var before = h.inventory();
        Path bundle = h.bundle("counter", "sh", "-c", "i=0; while true; do i=$((i+1)); echo $i > /count.tmp; "
                + "mv /count.tmp /count; sleep 0.02; done");
        Path count = bundle.resolve("rootfs/count");
        String id = h.id("counter");
        assertEquals(0, h.jctr("run", "-d", "--bundle", bundle.toString(), id).exit());
        assertTrue(RuncHarness.await(() -> counter(count) > 3, 10_000), "the counter does not count");

        var pause = h.jctr("pause", id);
        assertEquals(0, pause.exit(), pause.toString());
        assertEquals("paused", h.status(id));
        long frozen = counter(count);
        Thread.sleep(500);
        assertEquals(frozen, counter(count), "the counter moved while paused");
        assertNotEquals(0, h.jctr("pause", id).exit(), "pause of a paused container");

        assertEquals(0, h.jctr("resume", id).exit());
        assertEquals("running", h.status(id));
        assertTrue(RuncHarness.await(() -> counter(count) > frozen + 3, 10_000), "the counter did not continue");
        assertNotEquals(0, h.jctr("resume", id).exit(), "resume of a running container");

        assertEquals(0, h.jctr("pause", id).exit());
        assertEquals(0, h.jctr("delete", "--force", id).exit(), "a paused container can be force-deleted");
        h.assertNothingLeftSince(before);
    }

    @Test
    void updateChangesALiveLimitAndEventsPrintRuncShapedStats() throws Exception {
        var before = h.inventory();
        Path bundle = h.bundle("limits", "sleep", "1000");
        String id = h.id("limits");
        assertEquals(0, h.jctr("run", "-d", "--bundle", bundle.toString(), id).exit());

        var update = h.jctr("update", "--pids-limit", "42", "--memory", "64m", id);
        assertEquals(0, update.exit(), update.toString());
        var stats = h.jctr("events", "--stats", id);
        assertEquals(0, stats.exit(), stats.toString());
        JsonNode event = OciJson.mapper().readTree(stats.out());
        assertEquals("stats", event.get("type").asText());
        assertEquals(id, event.get("id").asText());
        JsonNode data = event.get("data");
        assertEquals(42, data.get("pids").get("limit").asLong(), stats.out());
        assertTrue(data.get("pids").get("current").asLong() >= 1, stats.out());
        assertEquals(64L << 20, data.get("memory").get("usage").get("limit").asLong(), stats.out());
        assertTrue(data.get("cpu").get("usage").has("kernel") && data.get("cpu").get("usage").has("user"), stats.out());

        Path resources = tmp.resolve("resources.json");
        Files.writeString(resources, "{\"pids\": {\"limit\": 7}}");
        assertEquals(0, h.jctr("update", "-r", resources.toString(), id).exit());
        JsonNode after = OciJson.mapper().readTree(h.jctr("events", "--stats", id).out());
        assertEquals(7, after.get("data").get("pids").get("limit").asLong());

        var stream = h.exec(List.of("timeout", "3", RuncHarness.projectRoot().resolve("bin/jctr-runc").toString(),
                "--root", h.root.toString(), "events", "--interval", "500ms", id),
                java.util.Map.of("JCTR_RESOURCE_DRIVER", h.resourceDriver));
        List<String> lines = stream.out().lines().toList();
        assertTrue(lines.size() >= 2, stream.toString());
        for (String line : lines) {
            JsonNode e = OciJson.mapper().readTree(line);
            assertEquals("stats", e.get("type").asText(), line);
            assertTrue(e.get("data").has("memory"), line);
        }
        assertEquals(0, h.jctr("delete", "--force", id).exit());
        h.assertNothingLeftSince(before);
    }

    @Test
    void anOomKillArrivesAsAnOomEvent() {
        var before = h.inventory();
        String id = h.id("oom");
        Path bundle = h.bundle("oom", List.of("sh", "-c",
                "sleep 3; awk 'BEGIN { s = \"x\"; while (1) s = s s }'; sleep 3"), s -> {
            var res = s.linux().resourcesOrEmpty();
            var limited = new LinuxResources(res.devices(),
                    new MemoryResources(32L << 20, null, null, null, null, null, null, null, null),
                    null, null, null, null, null, null, null);
            return s.withLinux(s.linux().withResources(limited));
        });
        assertEquals(0, h.jctr("run", "-d", "--bundle", bundle.toString(), id).exit());
        var events = h.jctr("events", "--interval", "1s", id);
        assertEquals(0, events.exit(), events.toString());
        assertTrue(events.out().lines().anyMatch(l -> l.equals("{\"type\":\"oom\",\"id\":\"" + id + "\"}")),
                events.toString());
        assertEquals(0, h.jctr("delete", id).exit());
        h.assertNothingLeftSince(before);
    }

    @Test
    void eventsEndWhenTheContainerStops() {
        // long enough to outlive the start-up of the events command on a busy machine, short for a test
        Path bundle = h.bundle("short", "sleep", "8");
        String id = h.id("short");
        assertEquals(0, h.jctr("run", "-d", "--bundle", bundle.toString(), id).exit());
        var r = h.jctr("events", "--interval", "200ms", id);
        assertEquals(0, r.exit(), r.toString());
        assertTrue(r.out().lines().count() >= 1, r.toString());
        assertEquals(0, h.jctr("delete", id).exit());
    }
}
