package jctr.cgroup.v1;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

import jctr.kernel.InvalidConfigException;

class CgroupPathTest {

    @Test
    void absentPathGoesUnderTheParentByContainerId() {
        assertEquals("jctr/abc", CgroupPath.resolve("abc", null, "jctr"));
        assertEquals("jctr-test/x1/abc", CgroupPath.resolve("abc", "", "/jctr-test/x1/"));
    }

    @Test
    void absolutePathIsRelativeToTheHierarchyRoot() {
        assertEquals("machine/ctr", CgroupPath.resolve("abc", "/machine/ctr", "jctr"));
        assertEquals("a/b", CgroupPath.resolve("abc", "//a///b/", "jctr"));
    }

    @Test
    void relativePathGoesUnderTheParent() {
        assertEquals("jctr/pods/p1", CgroupPath.resolve("abc", "pods/p1", "jctr"));
    }

    @Test
    void climbingOutOrNamingTheRootIsRejectedWithTheField() {
        for (String bad : new String[] {"/a/../b", "../x", "./x", "/"}) {
            InvalidConfigException e = assertThrows(InvalidConfigException.class,
                    () -> CgroupPath.resolve("abc", bad, "jctr"), bad);
            assertEquals("linux.cgroupsPath", e.field(), bad);
        }
    }

    @Test
    void badContainerIdIsRejectedForTheDefaultPath() {
        assertThrows(InvalidConfigException.class, () -> CgroupPath.resolve("a/b", null, "jctr"));
    }
}
