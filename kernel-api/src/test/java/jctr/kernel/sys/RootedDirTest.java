package jctr.kernel.sys;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** openat2 RESOLVE_IN_ROOT: symlinks and ".." stay inside the root. */
class RootedDirTest {

    @TempDir
    Path tmp;

    @Test
    void symlinksResolveInsideTheRoot() throws IOException {
        Path root = Files.createDirectories(tmp.resolve("root"));
        Files.createDirectories(root.resolve("etc/sub"));
        Files.createDirectories(tmp.resolve("outside"));
        Files.createSymbolicLink(root.resolve("abs"), Path.of("/etc"));
        Files.createSymbolicLink(root.resolve("up"), Path.of("../../../.."));
        Files.createSymbolicLink(root.resolve("host"), tmp.resolve("outside"));
        Files.createSymbolicLink(root.resolve("loop"), Path.of("loop"));
        Files.writeString(root.resolve("file"), "x");
        try (RootedDir r = RootedDir.open(root)) {
            Path real = root.toRealPath();
            assertEquals(real.resolve("etc/sub"), r.resolveDirectory("abs/sub"));
            assertEquals(real, r.resolveDirectory("up"));
            assertEquals(real.resolve("etc"), r.resolveDirectory("up/../etc/sub/../../etc"));
            assertEquals(real, r.resolveDirectory(""));
            SyscallException e = assertThrows(SyscallException.class, () -> r.resolveDirectory("host"));
            assertTrue(e.is(Errno.ENOENT), e.getMessage());
            assertTrue(assertThrows(SyscallException.class, () -> r.resolveDirectory("loop")).is(Errno.ELOOP));
            assertTrue(assertThrows(SyscallException.class, () -> r.resolveDirectory("file")).is(Errno.ENOTDIR));
            assertTrue(assertThrows(SyscallException.class, () -> r.resolveDirectory("/proc/self/root")).is(Errno.ENOENT));
        }
    }

    @Test
    void filesResolveInsideTheRootWithTheLastSymlinkFollowed() throws IOException {
        Path root = Files.createDirectories(tmp.resolve("root"));
        Files.createDirectories(root.resolve("etc"));
        Files.createDirectories(root.resolve("lib"));
        Files.writeString(root.resolve("lib/passwd"), "inside");
        Files.createSymbolicLink(root.resolve("etc/passwd"), Path.of("/../../lib/passwd"));
        Files.createSymbolicLink(root.resolve("etc/group"), Path.of("/etc/group"));
        try (RootedDir r = RootedDir.open(root)) {
            Path real = root.toRealPath();
            assertEquals(real.resolve("lib/passwd"), r.resolve("etc/passwd"), "the absolute target resolves in the root");
            assertEquals(real.resolve("lib/passwd"), r.resolve("lib/passwd"));
            assertTrue(assertThrows(SyscallException.class, () -> r.resolve("etc/group")).is(Errno.ELOOP),
                    "a link to itself loops instead of reaching the host's /etc/group");
            assertTrue(assertThrows(SyscallException.class, () -> r.resolve("etc/shadow")).is(Errno.ENOENT));
        }
    }
}
