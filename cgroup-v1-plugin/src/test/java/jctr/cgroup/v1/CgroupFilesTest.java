package jctr.cgroup.v1;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import jctr.kernel.KernelException;
import jctr.kernel.NotFoundException;
import jctr.kernel.UnsupportedFeatureException;
import jctr.kernel.sys.Errno;
import jctr.kernel.sys.SyscallException;

class CgroupFilesTest {

    @Test
    void limitsReadMaxAndV1UnlimitedAsLongMax() {
        assertEquals(Long.MAX_VALUE, CgroupFiles.parseLimit("max"));
        assertEquals(Long.MAX_VALUE, CgroupFiles.parseLimit("9223372036854771712"));
        assertEquals(Long.MAX_VALUE, CgroupFiles.parseLimit("18446744073709551615"));
        assertEquals(4096, CgroupFiles.parseLimit("4096"));
        assertEquals(-1, CgroupFiles.parseLimit("-1"));
        assertThrows(KernelException.class, () -> CgroupFiles.parseLimit("lots"));
    }

    @Test
    void aMissingFileIsUnsupportedForAFieldAndNotFoundOtherwise(@TempDir Path tmp) {
        UnsupportedFeatureException e = assertThrows(UnsupportedFeatureException.class,
                () -> CgroupFiles.write(tmp.resolve("cpu.idle"), "1", "linux.resources.cpu.idle"));
        assertTrue(e.getMessage().startsWith("linux.resources.cpu.idle: "), e.getMessage());
        assertThrows(NotFoundException.class, () -> CgroupFiles.write(tmp.resolve("freezer.state"), "FROZEN", null));
        assertTrue(Files.notExists(tmp.resolve("cpu.idle")), "a write must never create a control file");
    }

    @Test
    void theErrnoOfAJavaNioFailureIsRecovered(@TempDir Path tmp) {
        SyscallException e = assertThrows(SyscallException.class, () -> CgroupFiles.write(tmp, "1", null));
        assertEquals(Errno.EISDIR, e.errno(), e.getMessage());
    }

    @Test
    void writesReplaceTheContentAndListsParse(@TempDir Path tmp) throws Exception {
        Path f = tmp.resolve("cgroup.procs");
        Files.writeString(f, "123456789\n");
        CgroupFiles.write(f, "42", null);
        assertEquals("42", Files.readString(f));
        Files.writeString(f, "1\n22\n333\n");
        assertEquals(List.of(1L, 22L, 333L), CgroupFiles.readNumbers(f));
    }
}
