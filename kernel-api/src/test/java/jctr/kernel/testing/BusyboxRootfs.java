package jctr.kernel.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Builds a minimal root file system from Debian's statically linked busybox ({@code busybox-static}),
 * for tests that run real containers: {@code /bin/busybox} plus a symlink per applet in /bin, the
 * usual empty mount points, and /etc/passwd and /etc/group with root and nobody.
 */
public final class BusyboxRootfs {

    private BusyboxRootfs() {
    }

    /** The busybox binary the tests use: {@code -Djctr.test.busybox} or /bin/busybox. */
    public static Path busybox() {
        Path p = Path.of(System.getProperty("jctr.test.busybox", "/bin/busybox"));
        if (!Files.isExecutable(p)) {
            throw new IllegalStateException("no busybox at " + p + ": apt-get install busybox-static");
        }
        return p;
    }

    /** Creates the rootfs in {@code dir} (created if missing) and returns {@code dir}. */
    public static Path create(Path dir) {
        try {
            Files.createDirectories(dir);
            for (String d : List.of("bin", "dev", "proc", "sys", "tmp", "etc", "root", "var", "run", "home", "mnt")) {
                Files.createDirectories(dir.resolve(d));
            }
            Files.setPosixFilePermissions(dir.resolve("tmp"), PosixFilePermissions.fromString("rwxrwxrwx"));
            Path bin = dir.resolve("bin");
            Files.copy(busybox(), bin.resolve("busybox"), StandardCopyOption.REPLACE_EXISTING,
                    StandardCopyOption.COPY_ATTRIBUTES);
            for (String applet : applets()) {
                Path link = bin.resolve(applet);
                if (!applet.equals("busybox") && !Files.exists(link, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                    Files.createSymbolicLink(link, Path.of("busybox"));
                }
            }
            // sbin and usr paths point at /bin so that PATH lookups of /usr/bin/env and friends work.
            for (String alias : List.of("sbin", "usr")) {
                Path p = dir.resolve(alias);
                if (!Files.exists(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                    Files.createSymbolicLink(p, alias.equals("usr") ? Path.of(".") : Path.of("bin"));
                }
            }
            Files.writeString(dir.resolve("etc/passwd"),
                    "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n");
            Files.writeString(dir.resolve("etc/group"), "root:x:0:\nnogroup:x:65534:\n");
            Files.writeString(dir.resolve("etc/hostname"), "busybox\n");
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException("building busybox rootfs in " + dir, e);
        }
    }

    /** The applet names busybox offers ({@code busybox --list}). */
    public static List<String> applets() {
        try {
            Process p = new ProcessBuilder(busybox().toString(), "--list").redirectErrorStream(true).start();
            List<String> names = new String(p.getInputStream().readAllBytes()).lines()
                    .map(String::trim).filter(s -> !s.isEmpty() && !s.contains("/")).toList();
            if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IllegalStateException("busybox --list failed");
            }
            return names;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
