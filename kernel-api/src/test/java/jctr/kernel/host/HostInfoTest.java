package jctr.kernel.host;

import java.nio.file.Path;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HostInfoTest {

    private static final String HYBRID = """
            22 1 254:0 / / rw,relatime shared:1 - ext4 /dev/vda rw
            25 22 0:21 / /sys/fs/cgroup ro,nosuid,nodev,noexec shared:9 - tmpfs tmpfs ro,mode=755
            26 25 0:22 / /sys/fs/cgroup/unified rw,nosuid,nodev,noexec,relatime shared:10 - cgroup2 cgroup2 rw,nsdelegate
            28 25 0:24 / /sys/fs/cgroup/cpu,cpuacct rw,nosuid,nodev,noexec,relatime shared:12 - cgroup cgroup rw,cpu,cpuacct
            29 25 0:25 / /sys/fs/cgroup/memory rw,nosuid,nodev,noexec,relatime shared:13 - cgroup cgroup rw,memory
            30 25 0:26 / /sys/fs/cgroup/systemd rw,nosuid,nodev,noexec,relatime shared:14 - cgroup cgroup rw,xattr,name=systemd
            31 22 0:50 / /mnt/with\\040space rw,relatime - tmpfs tmpfs rw
            """;

    @Test
    void hybridLayoutIsRecognised() {
        HostInfo h = HostInfo.fromMounts("6.1", "x86_64", MountEntry.parseAll(HYBRID), Set.of("overlay"), true);
        assertEquals(CgroupMode.HYBRID, h.cgroupMode());
        assertEquals(Path.of("/sys/fs/cgroup/unified"), h.unifiedMount());
        assertEquals(Set.of("cpu", "cpuacct", "memory"), h.v1Controllers().keySet());
        assertEquals(Path.of("/sys/fs/cgroup/cpu,cpuacct"), h.v1Controllers().get("cpuacct"));
    }

    @Test
    void unifiedAndLegacyLayouts() {
        List<MountEntry> unified = MountEntry.parseAll(
                "30 22 0:26 / /sys/fs/cgroup rw,nosuid - cgroup2 cgroup2 rw,nsdelegate\n");
        assertEquals(CgroupMode.UNIFIED, HostInfo.fromMounts("6", "x", unified, Set.of(), true).cgroupMode());
        List<MountEntry> legacy = MountEntry.parseAll(
                "29 25 0:25 / /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory\n");
        assertEquals(CgroupMode.LEGACY, HostInfo.fromMounts("6", "x", legacy, Set.of(), true).cgroupMode());
        assertEquals(CgroupMode.NONE, HostInfo.fromMounts("6", "x", List.of(), Set.of(), true).cgroupMode());
    }

    @Test
    void mountinfoEscapesAreDecoded() {
        MountEntry m = MountEntry.parseAll(HYBRID).getLast();
        assertEquals("/mnt/with space", m.mountPoint());
        assertEquals("tmpfs", m.fsType());
    }

    @Test
    void thisHostIsReadable() {
        HostInfo h = HostInfo.detect();
        assertTrue(h.filesystems().contains("proc"));
        assertTrue(!h.kernelRelease().isEmpty());
    }

    @Test
    void procStatOfThisProcess() {
        int self = (int) ProcessHandle.current().pid();
        ProcStat st = ProcStat.read(self).orElseThrow();
        assertEquals(self, st.pid());
        assertTrue(st.startTime() > 0);
        assertTrue(ProcStat.alive(self, st.startTime()));
        assertTrue(!ProcStat.alive(self, st.startTime() + 1));
        assertTrue(ProcStat.read(Integer.MAX_VALUE - 1).isEmpty());
    }
}
