package jctr.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DaemonFootprintTest {

    @TempDir
    Path dir;

    @Test
    void sumsTheGenerationsOfSerialGcAndSkipsMetaspace() {
        String serial = """
                12345:
                 def new generation   total 4928K, used 1203K [0x00000000e0000000, 0x00000000e0550000, 0x00000000ea000000)
                  eden space 4416K,  27% used [0x00000000e0000000, 0x00000000e012cd40, 0x00000000e0450000)
                 tenured generation   total 10944K, used 13163K [0x00000000ea000000, 0x00000000eaab0000, 0x0000000100000000)
                 Metaspace       used 31000K, committed 31500K, reserved 1114112K
                  class space    used 3900K, committed 4100K, reserved 1048576K
                """;
        assertEquals(1203 + 13163, DaemonFootprint.heapUsedKiB(serial));
    }

    @Test
    void readsG1sOneHeapLine() {
        String g1 = """
                 garbage-first heap   total 262144K, used 20480K [0x0000000700000000, 0x0000000800000000)
                  region size 1024K, 3 young (3072K), 0 survivors (0K)
                 Metaspace       used 31000K, committed 31500K, reserved 1114112K
                """;
        assertEquals(20480, DaemonFootprint.heapUsedKiB(g1));
    }

    @Test
    void failsWhenThereIsNoHeapFigure() {
        assertThrows(IllegalStateException.class, () -> DaemonFootprint.heapUsedKiB("12345:\nUnknown diagnostic command\n"));
    }

    @Test
    void countsAHardLinkedFileOnce() throws Exception {
        Files.write(dir.resolve("busybox"), new byte[1000]);
        Files.createDirectories(dir.resolve("bin"));
        Files.createLink(dir.resolve("bin/sh"), dir.resolve("busybox"));
        Files.createLink(dir.resolve("bin/sleep"), dir.resolve("busybox"));
        Files.writeString(dir.resolve("bin/other"), "12345");
        Files.createSymbolicLink(dir.resolve("bin/ls"), Path.of("../busybox"));
        assertEquals(1005, DaemonFootprint.Sample.du(dir));
        assertEquals(0, DaemonFootprint.Sample.du(dir.resolve("missing")));
    }
}
