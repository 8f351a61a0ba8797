package jctr.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;

class ProcFsTest {

    @Test
    void descendantsFollowTheTreeAndStopAtItsEdge() {
        // 1 -> 2 -> 3 -> 4; 1 -> 5; 6 is elsewhere
        Map<Long, Long> parents = Map.of(2L, 1L, 3L, 2L, 4L, 3L, 5L, 1L, 6L, 0L);
        assertEquals(Set.of(2L, 3L, 4L), ProcFs.withDescendants(Set.of(2L), parents));
        assertEquals(Set.of(1L, 2L, 3L, 4L, 5L), ProcFs.withDescendants(Set.of(1L), parents));
        assertEquals(Set.of(4L, 6L), ProcFs.withDescendants(Set.of(4L, 6L), parents));
    }

    @Test
    void readsThisProcess() {
        long self = ProcessHandle.current().pid();
        ProcFs.Footprint f = ProcFs.footprint(self).orElseThrow();
        assertTrue(f.rssKiB() > 1000, "RSS " + f.rssKiB());
        assertTrue(f.pssKiB() > 0 && f.pssKiB() <= f.rssKiB(), "PSS " + f.pssKiB() + " of RSS " + f.rssKiB());
        assertTrue(f.fds() >= 3, "fds " + f.fds());
        assertTrue(f.threads() >= 2, "threads " + f.threads());
        assertEquals(ProcessHandle.current().parent().orElseThrow().pid(), ProcFs.parents().get(self));
        assertTrue(ProcFs.exe(self).orElseThrow().toString().endsWith("/bin/java"));
        assertTrue(ProcFs.pidNamespace(self).orElseThrow().startsWith("pid:["));
    }

    @Test
    void anExitedProcessHasNoFootprint() throws Exception {
        Process p = new ProcessBuilder("true").start();
        p.waitFor();
        assertTrue(ProcFs.footprint(p.pid()).isEmpty());
        assertTrue(ProcFs.exe(p.pid()).isEmpty());
    }

    @Test
    void findsProcessesByWhereTheirExecutableLies() throws Exception {
        Process sleep = new ProcessBuilder("sleep", "30").start();
        try {
            Set<Long> found = ProcFs.runningFrom(ProcFs.exe(sleep.pid()).orElseThrow().getParent(), ProcFs.parents());
            assertTrue(found.contains(sleep.pid()), found.toString());
            assertTrue(!found.contains(ProcessHandle.current().pid()));
        } finally {
            sleep.destroyForcibly().waitFor();
        }
    }

    @Test
    void footprintsAdd() {
        assertEquals(new ProcFs.Footprint(3, 5, 7, 9),
                new ProcFs.Footprint(1, 2, 3, 4).plus(new ProcFs.Footprint(2, 3, 4, 5)));
    }
}
