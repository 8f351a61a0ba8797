package jctr.ns;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import jctr.kernel.oci.IdMapping;
import jctr.kernel.oci.LinuxSpec;
import jctr.kernel.oci.Spec;
import jctr.kernel.oci.TimeOffset;
import jctr.kernel.spi.CgroupHandle;
import jctr.kernel.sys.ExitStatus;
import jctr.kernel.testing.MountTable;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Each namespace type really isolates, observed from inside the container and from the host. */
class NamespacesIT extends WithContainerHarness {

    private static String nsLink(int pid, String type) throws Exception {
        return Files.readSymbolicLink(Path.of("/proc/" + pid + "/ns/" + type)).toString();
    }

    @Test
    void pidNamespace() throws Exception {
        var b = h.background(h.spec("/bin/sh", "-c", "echo pid=$$; ps -o pid,comm; touch /tmp/ready; sleep 60"));
        ContainerHarness.awaitFile(h.rootfs.resolve("tmp/ready"), b);
        assertTrue(b.output().contains("pid=1\n"), b.output());
        // only the container's own processes are visible inside
        long inside = b.output().lines().filter(l -> l.matches("\\s*\\d+\\s+\\S+")).count();
        assertTrue(inside <= 2, b.output());
        int hostPid = b.process().pid();
        assertNotEquals(1, hostPid);
        assertNotEquals(nsLink(hostPid, "pid"), Files.readSymbolicLink(Path.of("/proc/self/ns/pid")).toString());
        // the host sees the container's pid 1 under its host pid, as a child of this JVM (CLONE_PARENT)
        assertEquals(ProcessHandle.current().pid(), ProcessHandle.of(hostPid).orElseThrow().parent().orElseThrow().pid());
    }

    @Test
    void utsNamespace() throws Exception {
        String hostName = Files.readString(Path.of("/proc/sys/kernel/hostname")).trim();
        var r = h.run(h.spec("/bin/hostname"));
        assertEquals("jctr-test\n", r.output());
        assertEquals(hostName, Files.readString(Path.of("/proc/sys/kernel/hostname")).trim());
    }

    @Test
    void networkNamespaceHasOnlyLoopbackAndItIsUp() throws Exception {
        var b = h.background(TestSpecs.withCaps(h.spec("/bin/sh", "-c",
                "cat /proc/net/dev; ip link; ping -c 1 -W 1 127.0.0.1 >/dev/null && echo ping-ok; touch /tmp/ready; sleep 60"),
                "CAP_NET_RAW"));
        ContainerHarness.awaitFile(h.rootfs.resolve("tmp/ready"), b);
        List<String> interfaces = b.output().lines().filter(l -> l.matches("\\s*\\w+:\\s+\\d+.*"))
                .map(l -> l.trim().split(":")[0]).toList();
        assertEquals(List.of("lo"), interfaces, b.output());
        assertTrue(b.output().contains("LOOPBACK,UP"), b.output());
        assertTrue(b.output().contains("ping-ok"), b.output());
        assertNotEquals(nsLink(b.process().pid(), "net"), Files.readSymbolicLink(Path.of("/proc/self/ns/net")).toString());
    }

    @Test
    void mountNamespaceHasItsOwnTableAndLeavesTheHostAlone() throws Exception {
        // Only what this container could leak: mounts under the test's directory or at the host's /mnt.
        List<String> hostBefore = MountTable.under(dir, Path.of("/mnt"));
        var b = h.background(TestSpecs.withCaps(h.spec("/bin/sh", "-c",
                "mount -t tmpfs inside /mnt && cat /proc/self/mountinfo; touch /tmp/ready; sleep 60"), "CAP_SYS_ADMIN"));
        ContainerHarness.awaitFile(h.rootfs.resolve("tmp/ready"), b);
        String inside = b.output();
        assertTrue(inside.contains(" /mnt "), inside);
        // the container's root is its rootfs: the host's other mount points are gone
        List<String> mountPoints = inside.lines().filter(l -> l.contains(" - ")).map(l -> l.split(" ")[4]).toList();
        assertTrue(mountPoints.contains("/"), inside);
        assertTrue(mountPoints.stream().noneMatch(mp -> mp.startsWith("/tmp/") || mp.startsWith(dir.toString())), inside);
        assertEquals(1, mountPoints.stream().filter(mp -> mp.equals("/")).count(), inside);
        assertEquals(hostBefore, MountTable.under(dir, Path.of("/mnt")),
                "the container's mounts must not appear on the host");
        h.kill(b.process());
        assertEquals(hostBefore, MountTable.under(dir, Path.of("/mnt")));
    }

    @Test
    void ipcNamespaceKeepsSysvKeysInside() throws Exception {
        h.installHelper("shm-create");
        int key = 0x4a435452;
        var b = h.background(h.spec("/bin/sh", "-c",
                "/bin/shm-create " + key + " && cat /proc/sysvipc/shm; touch /tmp/ready; sleep 60"));
        ContainerHarness.awaitFile(h.rootfs.resolve("tmp/ready"), b);
        assertTrue(b.output().contains("shmid "), b.output());
        assertTrue(keys(b.output()).contains(key), b.output());
        assertFalse(keys(Files.readString(Path.of("/proc/sysvipc/shm"))).contains(key),
                "a key created inside must not be visible on the host");
    }

    private static List<Integer> keys(String sysvipc) {
        return sysvipc.lines().skip(1).map(String::trim).filter(l -> !l.isEmpty() && Character.isDigit(l.charAt(0))
                || l.startsWith("-")).map(l -> Integer.parseInt(l.split("\\s+")[0])).toList();
    }

    @Test
    void userNamespaceMapsRootToAnUnprivilegedHostUid() throws Exception {
        Spec base = h.spec("/bin/sh", "-c", "id -u; id -g; cat /proc/self/uid_map; touch /tmp/ready; sleep 60");
        LinuxSpec linux = base.linux();
        Spec spec = base.withLinux(new LinuxSpec(TestSpecs.namespaces("pid", "network", "ipc", "uts", "mount", "user",
                "cgroup"), List.of(new IdMapping(0, 100000, 65536)), List.of(new IdMapping(0, 100000, 65536)), null,
                null, null, null, null, linux.maskedPaths(), linux.readonlyPaths(), null, null, null));
        var b = h.background(spec);
        ContainerHarness.awaitFile(h.rootfs.resolve("tmp/ready"), b);
        List<String> lines = b.output().lines().toList();
        assertEquals("0", lines.get(0), b.output());
        assertEquals("0", lines.get(1), b.output());
        assertEquals(List.of("0", "100000", "65536"), List.of(lines.get(2).trim().split("\\s+")));
        String status = Files.readString(Path.of("/proc/" + b.process().pid() + "/status"));
        String uid = status.lines().filter(l -> l.startsWith("Uid:")).findFirst().orElseThrow();
        assertEquals(List.of("Uid:", "100000", "100000", "100000", "100000"), List.of(uid.split("\\s+")));
    }

    @Test
    void cgroupNamespaceRootIsTheContainersCgroup() throws Exception {
        Path pids = Path.of("/sys/fs/cgroup/pids");
        Assumptions.assumeTrue(Files.isDirectory(pids), "needs the v1 pids hierarchy");
        Path cg = Cgroups.create(pids);
        try {
            String rel = "/" + pids.relativize(cg);
            CgroupHandle handle = new CgroupHandle("test", rel, null, List.of(cg.resolve("cgroup.procs").toString()), null);
            var b = h.background(h.spec("/bin/sh", "-c", "cat /proc/self/cgroup; touch /tmp/ready; sleep 60"), handle);
            ContainerHarness.awaitFile(h.rootfs.resolve("tmp/ready"), b);
            assertTrue(b.output().lines().anyMatch(l -> l.matches("\\d+:pids:/")), b.output());
            String outside = Files.readString(Path.of("/proc/" + b.process().pid() + "/cgroup"));
            assertTrue(outside.lines().anyMatch(l -> l.endsWith(":pids:" + rel)), outside);
            assertTrue(Files.readString(cg.resolve("cgroup.procs")).contains(Integer.toString(b.process().pid())));
            h.kill(b.process());
        } finally {
            Cgroups.remove(cg);
        }
    }

    @Test
    void cloneIntoCgroupPlacesTheInitInACgroupV2Directory() throws Exception {
        Path unified = Path.of("/sys/fs/cgroup/unified");
        Assumptions.assumeTrue(Files.exists(unified.resolve("cgroup.subtree_control")), "needs a cgroup2 hierarchy");
        Path cg = Cgroups.create(unified);
        try {
            String rel = "/" + unified.relativize(cg);
            CgroupHandle handle = new CgroupHandle("test", rel, cg.toString(), List.of(), null);
            var b = h.background(h.spec("/bin/sh", "-c", "cat /proc/self/cgroup; touch /tmp/ready; sleep 60"), handle);
            ContainerHarness.awaitFile(h.rootfs.resolve("tmp/ready"), b);
            assertTrue(b.output().lines().anyMatch(l -> l.equals("0::/")), b.output());
            String outside = Files.readString(Path.of("/proc/" + b.process().pid() + "/cgroup"));
            assertTrue(outside.lines().anyMatch(l -> l.equals("0::" + rel)), outside);
            h.kill(b.process());
        } finally {
            Cgroups.remove(cg);
        }
    }

    @Test
    void timeNamespaceOffsetsTheBootClock() throws Exception {
        Spec base = h.spec("/bin/cat", "/proc/uptime");
        LinuxSpec l = base.linux();
        Spec spec = base.withLinux(new LinuxSpec(TestSpecs.namespaces("pid", "ipc", "uts", "mount", "time"), null, null,
                null, null, null, null, null, l.maskedPaths(), l.readonlyPaths(), null, null,
                Map.of("boottime", new TimeOffset(10 * 86400, 0), "monotonic", new TimeOffset(86400, 0))));
        double hostUptime = Double.parseDouble(Files.readString(Path.of("/proc/uptime")).split(" ")[0]);
        var r = h.run(spec);
        assertEquals(ExitStatus.exited(0), r.status(), r.output());
        double inside = Double.parseDouble(r.output().split(" ")[0]);
        assertEquals(hostUptime + 10 * 86400, inside, 30.0, r.output());
    }
}
