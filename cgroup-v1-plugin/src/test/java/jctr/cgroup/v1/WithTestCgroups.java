package jctr.cgroup.v1;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/** Root integration tests: each test gets fresh {@link TestCgroups}, removed afterwards whatever happened. */
abstract class WithTestCgroups {

    protected TestCgroups cg;

    @BeforeEach
    void createTestCgroups() {
        cg = new TestCgroups();
    }

    @AfterEach
    void removeTestCgroups() throws Exception {
        if (cg != null) {
            cg.close();
        }
    }
}
