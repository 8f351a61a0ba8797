package jctr.kernel.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import jctr.kernel.host.MountEntry;

/**
 * The mounts a test can be responsible for: those at or below the directories it owns. Leak checks
 * compare these instead of the whole host table, which other work on the machine may change meanwhile.
 */
public final class MountTable {

    private MountTable() {
    }

    /** "mount-point fstype source" of every mount at or below one of {@code roots}, sorted. */
    public static List<String> under(Path... roots) {
        try {
            return MountEntry.parseAll(Files.readString(Path.of("/proc/self/mountinfo"))).stream()
                    .filter(m -> within(Path.of(m.mountPoint()), roots))
                    .map(m -> m.mountPoint() + " " + m.fsType() + " " + m.source())
                    .sorted()
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static boolean within(Path mountPoint, Path... roots) {
        for (Path root : roots) {
            if (mountPoint.startsWith(root.toAbsolutePath().normalize())) {
                return true;
            }
        }
        return false;
    }
}
