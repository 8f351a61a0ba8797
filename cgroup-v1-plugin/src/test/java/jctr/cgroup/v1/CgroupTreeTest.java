package jctr.cgroup.v1;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The subtree walk that pids and delete rely on, on plain directories; the real kernfs is in LifecycleIT. */
class CgroupTreeTest {

    @Test
    void postOrderListsChildrenBeforeParentsAndSkipsFiles(@TempDir Path tmp) throws Exception {
        Path top = tmp.resolve("c");
        Files.createDirectories(top.resolve("a/a1"));
        Files.createDirectories(top.resolve("b"));
        Files.writeString(top.resolve("cgroup.procs"), "");
        Files.writeString(top.resolve("a/cgroup.procs"), "");
        Files.writeString(top.resolve("b/tasks"), "");

        List<Path> order = CgroupTree.postOrder(top);

        assertEquals(4, order.size(), order.toString());
        assertEquals(top, order.get(3));
        assertTrue(order.indexOf(top.resolve("a/a1")) < order.indexOf(top.resolve("a")), order.toString());
        assertTrue(order.contains(top.resolve("b")), order.toString());
    }

    @Test
    void aLeafIsItselfAndAMissingDirectoryIsNothing(@TempDir Path tmp) throws Exception {
        Path leaf = Files.createDirectory(tmp.resolve("leaf"));
        Files.writeString(leaf.resolve("cgroup.procs"), "12\n34\n");
        assertEquals(2, CgroupTree.links(leaf));
        assertEquals(List.of(leaf), CgroupTree.postOrder(leaf));
        assertEquals(List.of(12, 34), CgroupTree.pids(List.of(leaf)));
        assertEquals(-1, CgroupTree.links(tmp.resolve("gone")));
        assertEquals(List.of(), CgroupTree.postOrder(tmp.resolve("gone")));
    }
}
