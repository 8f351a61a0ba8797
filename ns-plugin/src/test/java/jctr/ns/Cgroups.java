package jctr.ns;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;

/** Test cgroups, only ever under a parent named jctr-test, removed after use. */
final class Cgroups {

    private Cgroups() {
    }

    /** Creates {@code <hierarchy>/jctr-test/<unique>} and returns it. */
    static Path create(Path hierarchy) {
        Path dir = hierarchy.resolve("jctr-test").resolve("ns-" + UUID.randomUUID().toString().substring(0, 8));
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return dir;
    }

    /** Removes a test cgroup (retrying while the kernel still counts an exited process) and, if empty, jctr-test. */
    static void remove(Path dir) {
        for (int i = 0; i < 100 && Files.exists(dir); i++) {
            try {
                Files.delete(dir);
            } catch (FileSystemException e) {
                sleep();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        if (Files.exists(dir)) {
            throw new IllegalStateException("could not remove test cgroup " + dir);
        }
        try {
            Files.deleteIfExists(dir.getParent());
        } catch (DirectoryNotEmptyException e) {
            // another test's cgroup is still there
        } catch (IOException e) {
            // busy or shared with a parallel test run: leave the parent
        }
    }

    private static void sleep() {
        try {
            Thread.sleep(20);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
