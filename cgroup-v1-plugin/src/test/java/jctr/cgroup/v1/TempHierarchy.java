package jctr.cgroup.v1;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;

/** A {@link FakeHierarchy} in a fresh temporary directory, for jqwik properties (which have no @TempDir). */
final class TempHierarchy implements AutoCloseable {

    final Path dir;
    final FakeHierarchy fs;

    TempHierarchy(String cgroup) {
        try {
            dir = Files.createTempDirectory("jctr-cgv1-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        fs = new FakeHierarchy(dir).cgroup(cgroup);
    }

    @Override
    public void close() {
        try (var paths = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) paths.sorted(Comparator.reverseOrder())::iterator) {
                Files.delete(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
