package jctr.bench;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The memory part of the report, from a memory.json that a real run of {@link MemoryFootprint} wrote. */
class ReportMemoryTest {

    @TempDir
    Path dir;

    @Test
    void rendersTheDaemonTheInProcessRuntimeAndRuncSideBySide() throws Exception {
        try (InputStream in = ReportMemoryTest.class.getResourceAsStream("memory.json")) {
            Files.copy(in, dir.resolve("memory.json"));
        }
        Report.main(new String[] {dir.toString()});
        String md = Files.readString(dir.resolve("summary.md"));
        assertTrue(md.contains("## Memory: 50 running `sleep` containers (cgroup-v1)"), md);
        assertTrue(md.contains("storage overlay, AOT cache used"), md);
        // idle, with 50, after removal, with 50 again; per container in both rounds
        assertTrue(md.contains("| daemon RSS (KiB) | 218916 | 266904 | 264972 | 273852 | 960 | 178 |"), md);
        assertTrue(md.contains("| monitor processes | 0 | 50 | 0 | 50 | 1.00 | 1.00 |"), md);
        assertTrue(md.contains("| their PSS (KiB) | 0 | 4612 | 0 | 4632 | 92.2 | 92.6 |"), md);
        assertTrue(md.contains("| processes outside the container | 1.00 (monitor) | 0.00 | 0.00 |"), md);
        assertTrue(md.contains("| engine RSS growth | 960 KiB (2nd round 178) | 240 KiB | - |"), md);
        assertTrue(md.contains("| runtime state files (tmpfs) | 27204 B | 3860 B | 6530 B |"), md);
        assertTrue(md.contains("Not installed here, so not measured: `dockerd`, `containerd`"), md);
    }
}
