package jctr.kernel.testing;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Assumptions;

/** Guards for integration tests that need root and real kernel features. */
public final class RootOnly {

    private RootOnly() {
    }

    /** Skips the calling test unless it runs as root. CI always runs as root, so these tests run there. */
    public static void assumeRoot() {
        Assumptions.assumeTrue(isRoot(), "needs root");
    }

    /** Whether the test JVM runs with effective uid 0. */
    public static boolean isRoot() {
        boolean root;
        try {
            root = Files.readString(Path.of("/proc/self/status")).lines()
                    .filter(l -> l.startsWith("Uid:")).anyMatch(l -> l.split("\\s+")[2].equals("0"));
        } catch (java.io.IOException e) {
            root = false;
        }
        return root;
    }
}
