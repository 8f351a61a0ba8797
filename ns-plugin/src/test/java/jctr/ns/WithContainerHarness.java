package jctr.ns;

import java.nio.file.Path;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

import jctr.kernel.testing.RootOnly;

/**
 * The set-up most of this module's integration tests share: root only, a fresh {@link ContainerHarness} in a
 * temporary directory before each test, closed after it (which removes what the test's containers left).
 */
abstract class WithContainerHarness {

    @TempDir
    Path dir;
    ContainerHarness h;

    @BeforeEach
    void setUpHarness() {
        RootOnly.assumeRoot();
        h = new ContainerHarness(dir);
    }

    @AfterEach
    void closeHarness() {
        if (h != null) {
            h.close();
        }
    }
}
