package jctr.mgmt.api;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import jctr.kernel.InvalidConfigException;
import jctr.mgmt.engine.ContainerState;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Version prefixes, filters, Docker's human durations and stream framing. */
class ApiPartsTest {

    @Test
    void versionPrefixesAreStrippedAndChecked() {
        ApiVersions.Split s = ApiVersions.split("/v1.50/containers/json?all=1");
        assertEquals("1.50", s.version());
        assertEquals("/containers/json?all=1", s.path());
        assertNull(ApiVersions.split("/_ping").version());
        assertNull(ApiVersions.problem("1.41"));
        assertTrue(ApiVersions.problem("1.51").contains("too new"));
        assertTrue(ApiVersions.problem("1.12").contains("too old"));
        assertTrue(ApiVersions.compare("1.9", "1.10") < 0);
    }

    @Test
    void filtersAcceptBothJsonForms() {
        Filters a = Filters.parse("{\"label\":{\"a=b\":true},\"dangling\":[\"true\"]}");
        assertEquals(List.of("a=b"), a.get("label"));
        assertEquals(List.of("true"), a.get("dangling"));
        assertTrue(a.labelsMatch(Map.of("a", "b", "c", "d")));
        assertFalse(a.labelsMatch(Map.of("a", "x")));
        assertThrows(InvalidConfigException.class, () -> a.only("label"));
        assertThrows(InvalidConfigException.class, () -> Filters.parse("{bad"));
    }

    @Test
    void statusReadsLikeDockers() {
        Instant now = Instant.parse("2024-01-01T00:10:00Z");
        ContainerState running = new ContainerState("running", true, false, false, false, false, 1, 0, "",
                now.minusSeconds(3), null);
        assertEquals("Up 3 seconds", ContainerViews.status(running, now));
        ContainerState exited = new ContainerState("exited", false, false, false, false, false, 0, 3, "",
                now.minusSeconds(600), now.minusSeconds(90));
        assertEquals("Exited (3) About a minute ago", ContainerViews.status(exited, now));
        assertEquals("Created", ContainerViews.status(new ContainerState("created", false, false, false, false, false,
                0, 0, "", null, null), now));
        assertEquals("2 hours", ContainerViews.human(now.minusSeconds(7300), now));
    }

    @Test
    void framesCarryTheStreamAndBigEndianLength() {
        assertArrayEquals(new byte[] {2, 0, 0, 0, 0, 0, 0, 2, 'h', 'i'}, StreamEndpoints.frame(2, "hi".getBytes()));
    }

    @Test
    void dockerTimesAreUnixSecondsOrRfc3339() {
        assertEquals(Instant.ofEpochSecond(1700000000, 500_000_000), StreamEndpoints.time("1700000000.5", "since"));
        assertEquals(Instant.parse("2024-01-01T00:00:00Z"), StreamEndpoints.time("2024-01-01T00:00:00Z", "since"));
        assertThrows(InvalidConfigException.class, () -> StreamEndpoints.time("yesterday", "since"));
    }
}
