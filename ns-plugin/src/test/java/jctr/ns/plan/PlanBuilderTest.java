package jctr.ns.plan;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import jctr.kernel.InvalidConfigException;
import jctr.kernel.UnsupportedFeatureException;
import jctr.kernel.oci.ConsoleSize;
import jctr.kernel.oci.Device;
import jctr.kernel.oci.IdMapping;
import jctr.kernel.oci.LinuxSpec;
import jctr.kernel.oci.Mount;
import jctr.kernel.oci.Namespace;
import jctr.kernel.oci.NamespaceType;
import jctr.kernel.oci.ProcessSpec;
import jctr.kernel.oci.Rlimit;
import jctr.kernel.oci.Root;
import jctr.kernel.oci.Seccomp;
import jctr.kernel.oci.Spec;
import jctr.kernel.oci.TimeOffset;
import jctr.kernel.oci.User;
import jctr.kernel.spi.CgroupHandle;
import jctr.kernel.spi.ExecRequest;
import jctr.kernel.spi.IsolationRequest;
import jctr.kernel.spi.Stdio;
import jctr.ns.plan.Op.ChildKind;
import jctr.ns.plan.Op.MountChild;
import jctr.ns.plan.Op.TargetKind;

import static jctr.kernel.sys.CloneFlags.CLONE_INTO_CGROUP;
import static jctr.kernel.sys.CloneFlags.CLONE_NEWNET;
import static jctr.kernel.sys.CloneFlags.CLONE_NEWNS;
import static jctr.kernel.sys.CloneFlags.CLONE_NEWPID;
import static jctr.kernel.sys.CloneFlags.CLONE_NEWTIME;
import static jctr.kernel.sys.CloneFlags.CLONE_NEWUSER;
import static jctr.kernel.sys.CloneFlags.CLONE_NEWCGROUP;
import static jctr.kernel.sys.MountFlags.MS_BIND;
import static jctr.kernel.sys.MountFlags.MS_NODEV;
import static jctr.kernel.sys.MountFlags.MS_NOEXEC;
import static jctr.kernel.sys.MountFlags.MS_NOSUID;
import static jctr.kernel.sys.MountFlags.MS_PRIVATE;
import static jctr.kernel.sys.MountFlags.MS_RDONLY;
import static jctr.kernel.sys.MountFlags.MS_REC;
import static jctr.kernel.sys.MountFlags.MS_REMOUNT;
import static jctr.kernel.sys.MountFlags.MS_SHARED;
import static jctr.kernel.sys.MountFlags.MS_SLAVE;
import static jctr.kernel.sys.MountFlags.MS_STRICTATIME;
import static jctr.kernel.sys.MountFlags.MS_UNBINDABLE;
import static jctr.kernel.sys.OpenFlags.S_IFBLK;
import static jctr.kernel.sys.OpenFlags.S_IFCHR;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PlanBuilderTest {

    private static final long CLONE_PARENT = 0x8000L;
    private static final SeccompProgram FILTER = new SeccompProgram(0, new byte[] {6, 0, 0, 0, 0, 0, (byte) 0xff, 0x7f});

    private static LaunchPlan plan(Spec spec) {
        return PlanBuilder.forCreate(Specs.request(spec), Hosts.hybrid(), null);
    }

    private static int indexOf(LaunchPlan plan, Class<? extends Op> type) {
        for (int i = 0; i < plan.ops().size(); i++) {
            if (type.isInstance(plan.ops().get(i))) {
                return i;
            }
        }
        return -1;
    }

    @Test
    void minimalConfigGivesTheWholePlanInSpecOrder() {
        LaunchPlan plan = plan(Specs.minimal());
        String rootfs = Specs.ROOTFS;
        List<Op> expected = List.of(
                new Op.Clone("linux.namespaces", CLONE_PARENT | CLONE_NEWNS, ""),
                new Op.SyncParent(""),
                new Op.NotDumpable(""),
                new Op.SessionKeyring("", "_ses.c1"),
                new Op.MountRaw("", "", "/", "", MS_SLAVE | MS_REC, ""),
                new Op.MountRaw("root.path", rootfs, rootfs, "", MS_BIND | MS_REC, ""),
                new Op.OpenRoot("root.path", rootfs),
                new Op.Device("linux.devices", "/dev/null", S_IFCHR | 0666, 1, 3, 0, 0, "/dev/null"),
                new Op.Device("linux.devices", "/dev/zero", S_IFCHR | 0666, 1, 5, 0, 0, "/dev/zero"),
                new Op.Device("linux.devices", "/dev/full", S_IFCHR | 0666, 1, 7, 0, 0, "/dev/full"),
                new Op.Device("linux.devices", "/dev/random", S_IFCHR | 0666, 1, 8, 0, 0, "/dev/random"),
                new Op.Device("linux.devices", "/dev/urandom", S_IFCHR | 0666, 1, 9, 0, 0, "/dev/urandom"),
                new Op.Device("linux.devices", "/dev/tty", S_IFCHR | 0666, 5, 0, 0, 0, "/dev/tty"),
                new Op.Symlink("", "/proc/self/fd", "/dev/fd", false),
                new Op.Symlink("", "/proc/self/fd/0", "/dev/stdin", false),
                new Op.Symlink("", "/proc/self/fd/1", "/dev/stdout", false),
                new Op.Symlink("", "/proc/self/fd/2", "/dev/stderr", false),
                new Op.Symlink("", "pts/ptmx", "/dev/ptmx", true),
                new Op.Mkdir("process.cwd", "/", 0755),
                new Op.PivotRoot("root.path"),
                new Op.Umask("process.user.umask", 0022),
                new Op.Bounding("process.capabilities.bounding", 0),
                new Op.SetGroups("process.user.additionalGids", List.of()),
                new Op.SetGid("process.user.gid", 0),
                new Op.SetUid("process.user.uid", 0),
                new Op.Capset("process.capabilities", 0, 0, 0),
                new Op.Ambient("process.capabilities.ambient", 0),
                new Op.Chdir("process.cwd", "/"),
                new Op.ResolveExec("process.args[0]", "/bin/true", "/bin"),
                new Op.Ready("", true),
                new Op.Exec("process.args", List.of("/bin/true"), List.of("PATH=/bin")));
        assertEquals(expected, plan.ops());
        assertEquals("", plan.uidMap());
        assertEquals(List.of(), plan.procsFiles());
        assertEquals(expected.size() - 2, plan.startGateIndex());
    }

    @Test
    void namespacesBecomeCloneFlagsAndJoinsWithTheUserNamespaceFirst() {
        List<Namespace> ns = List.of(new Namespace("pid", null), new Namespace("network", "/proc/42/ns/net"),
                new Namespace("mount", null), new Namespace("user", "/proc/42/ns/user"), new Namespace("cgroup", null));
        LaunchPlan plan = plan(Specs.minimal().withLinux(Specs.linux(ns)));
        assertEquals(List.of(
                new Op.NsOpen("linux.namespaces[3].path", 0, "/proc/42/ns/user"),
                new Op.NsOpen("linux.namespaces[1].path", 1, "/proc/42/ns/net"),
                new Op.SetNs("linux.namespaces[3]", 0, NamespaceType.USER),
                new Op.SetNs("linux.namespaces[1]", 1, NamespaceType.NETWORK)), plan.ops().subList(0, 4));
        // cgroup is unshared by the child after it is placed in its cgroup, not cloned
        assertEquals(new Op.Clone("linux.namespaces", CLONE_PARENT | CLONE_NEWPID | CLONE_NEWNS, ""),
                plan.opsOf(Op.Clone.class).getFirst());
        assertTrue(plan.ops().contains(new Op.Unshare("linux.namespaces[4]", CLONE_NEWCGROUP)));
        // a joined user namespace still needs its root identity; no maps are written for it
        assertTrue(plan.ops().contains(new Op.BecomeRoot("linux.namespaces[3]")));
        assertEquals("", plan.uidMap());
        // no new network namespace: lo belongs to the joined one
        assertTrue(plan.opsOf(Op.LoopbackUp.class).isEmpty());
    }

    @Test
    void aNewNetworkNamespaceGetsItsLoopbackUp() {
        LaunchPlan plan = plan(Specs.minimal().withLinux(Specs.linux(Specs.ns("mount", "network"))));
        assertEquals(List.of(new Op.LoopbackUp("linux.namespaces[1]")), plan.opsOf(Op.LoopbackUp.class));
        assertEquals(CLONE_PARENT | CLONE_NEWNS | CLONE_NEWNET, plan.opsOf(Op.Clone.class).getFirst().flags());
    }

    @Test
    void namespaceErrorsNameTheField() {
        var unknown = assertThrows(InvalidConfigException.class, () -> plan(Specs.minimal().withLinux(
                Specs.linux(List.of(new Namespace("mount", null), new Namespace("bogus", null))))));
        assertEquals("linux.namespaces[1].type", unknown.field());
        var dup = assertThrows(InvalidConfigException.class, () -> plan(Specs.minimal().withLinux(
                Specs.linux(Specs.ns("mount", "pid", "pid")))));
        assertEquals("linux.namespaces[2].type", dup.field());
        var relative = assertThrows(InvalidConfigException.class, () -> plan(Specs.minimal().withLinux(
                Specs.linux(List.of(new Namespace("mount", null), new Namespace("network", null), new Namespace("ipc", "x"))))));
        assertEquals("linux.namespaces[2].path", relative.field());
        var noMount = assertThrows(InvalidConfigException.class, () -> plan(Specs.minimal().withLinux(
                Specs.linux(Specs.ns("pid")))));
        assertEquals("linux.namespaces", noMount.field());
    }

    @Test
    void aJoinedMountNamespaceIsEnteredBeforeTheCloneAndGetsTheSameRootfsSetUp() {
        CgroupHandle v2 = new CgroupHandle("cgroup-v2", "/jctr/c1", "/sys/fs/cgroup/jctr/c1",
                List.of("/sys/fs/cgroup/jctr/c1/cgroup.procs"), null);
        LaunchPlan joined = PlanBuilder.forCreate(Specs.request(Specs.minimal().withLinux(Specs.linux(List.of(
                new Namespace("pid", null), new Namespace("mount", "/proc/42/ns/mnt")))), Stdio.inherit(), v2),
                Hosts.unified(), null);
        assertEquals(List.of(
                new Op.NsOpen("linux.namespaces[1].path", 0, "/proc/42/ns/mnt"),
                new Op.SetNs("linux.namespaces[1]", 0, NamespaceType.MOUNT),
                // no CLONE_NEWNS, and no CLONE_INTO_CGROUP: its directory would be looked up in the joined namespace
                new Op.Clone("linux.namespaces", CLONE_PARENT | CLONE_NEWPID, "")), joined.ops().subList(0, 3));
        assertEquals(v2.procsFiles(), joined.procsFiles());
        LaunchPlan fresh = PlanBuilder.forCreate(Specs.request(Specs.minimal().withLinux(Specs.linux(Specs.ns("pid",
                "mount"))), Stdio.inherit(), v2), Hosts.unified(), null);
        int j = indexOf(joined, Op.Clone.class);
        int f = indexOf(fresh, Op.Clone.class);
        assertEquals(fresh.ops().subList(f + 1, fresh.ops().size()), joined.ops().subList(j + 1, joined.ops().size()));
        assertTrue(joined.ops().contains(new Op.PivotRoot("root.path")));
    }

    @Test
    void userNamespaceMapsAreWrittenByTheParentAndTheChildBecomesRoot() {
        LinuxSpec linux = new LinuxSpec(Specs.ns("mount", "user"), List.of(new IdMapping(0, 100000, 65536)),
                List.of(new IdMapping(0, 200000, 1000), new IdMapping(1000, 300000, 1)), null, null, null, null, null,
                null, null, null, null, null);
        LaunchPlan plan = plan(Specs.minimal().withLinux(linux));
        assertEquals("0 100000 65536\n", plan.uidMap());
        assertEquals("0 200000 1000\n1000 300000 1\n", plan.gidMap());
        assertEquals(CLONE_PARENT | CLONE_NEWNS | CLONE_NEWUSER, plan.opsOf(Op.Clone.class).getFirst().flags());
        assertEquals(indexOf(plan, Op.SyncParent.class) + 1, indexOf(plan, Op.BecomeRoot.class));

        LinuxSpec noMaps = Specs.linux(Specs.ns("mount", "user"));
        var e = assertThrows(InvalidConfigException.class, () -> plan(Specs.minimal().withLinux(noMaps)));
        assertEquals("linux.uidMappings", e.field());
    }

    @Test
    void timeNamespaceIsUnsharedOffsetWrittenThenEntered() {
        LinuxSpec linux = new LinuxSpec(Specs.ns("mount", "time"), null, null, null, null, null, null, null, null,
                null, null, null, Map.of("boottime", new TimeOffset(86400, 5)));
        LaunchPlan plan = plan(Specs.minimal().withLinux(linux));
        int i = indexOf(plan, Op.Unshare.class);
        assertEquals(List.of(
                new Op.Unshare("linux.namespaces[1]", CLONE_NEWTIME),
                new Op.WriteFile("linux.timeOffsets", "/proc/self/timens_offsets", "boottime 86400 5\n"),
                new Op.NsOpen("linux.namespaces[1]", 0, "/proc/self/ns/time_for_children"),
                new Op.SetNs("linux.namespaces[1]", 0, NamespaceType.TIME)), plan.ops().subList(i, i + 4));
        assertEquals(CLONE_PARENT | CLONE_NEWNS, plan.opsOf(Op.Clone.class).getFirst().flags());
    }

    @Test
    void cgroupPlacementUsesCloneIntoCgroupWhenOfferedElseProcsFiles() {
        CgroupHandle v2 = new CgroupHandle("cgroup-v2", "/jctr/c1", "/sys/fs/cgroup/jctr/c1",
                List.of("/sys/fs/cgroup/jctr/c1/cgroup.procs"), null);
        LaunchPlan into = PlanBuilder.forCreate(Specs.request(Specs.minimal(), Stdio.inherit(), v2), Hosts.unified(), null);
        assertEquals(new Op.Clone("linux.namespaces", CLONE_PARENT | CLONE_NEWNS | CLONE_INTO_CGROUP,
                "/sys/fs/cgroup/jctr/c1"), into.opsOf(Op.Clone.class).getFirst());
        assertEquals(List.of(), into.procsFiles());

        CgroupHandle v1 = new CgroupHandle("cgroup-v1", "/jctr/c1", null,
                List.of("/sys/fs/cgroup/memory/jctr/c1/cgroup.procs", "/sys/fs/cgroup/pids/jctr/c1/cgroup.procs"), null);
        LaunchPlan procs = PlanBuilder.forCreate(Specs.request(Specs.minimal(), Stdio.inherit(), v1), Hosts.hybrid(), null);
        assertEquals(CLONE_PARENT | CLONE_NEWNS, procs.opsOf(Op.Clone.class).getFirst().flags());
        // memory is a v1 hierarchy of this host: the child joins it; pids is not mounted here: the parent writes it
        assertEquals(List.of(new Op.CgroupOpen("", 0, "/sys/fs/cgroup/memory/jctr/c1/tasks")), procs.opsOf(Op.CgroupOpen.class));
        assertEquals(List.of("/sys/fs/cgroup/pids/jctr/c1/cgroup.procs"), procs.procsFiles());
    }

    @Test
    void v1CgroupsAreJoinedByTheChildThroughTasksFilesOpenedBeforeAnyNamespaceIsJoined() {
        CgroupHandle v1 = new CgroupHandle("cgroup-v1", "/jctr/c1", null, List.of(
                "/sys/fs/cgroup/cpu,cpuacct/jctr/c1/cgroup.procs", "/sys/fs/cgroup/memory/jctr/c1/cgroup.procs",
                "/sys/fs/cgroup/systemd/jctr/c1/cgroup.procs", "/sys/fs/cgroup/unified/jctr/c1/cgroup.procs"), null);
        LaunchPlan plan = PlanBuilder.forCreate(Specs.request(Specs.minimal().withLinux(Specs.linux(List.of(
                new Namespace("mount", null), new Namespace("user", "/proc/42/ns/user"), new Namespace("cgroup", null)))),
                Stdio.inherit(), v1), Hosts.hybrid(), null);
        assertEquals(List.of(
                new Op.CgroupOpen("", 0, "/sys/fs/cgroup/cpu,cpuacct/jctr/c1/tasks"),
                new Op.CgroupOpen("", 1, "/sys/fs/cgroup/memory/jctr/c1/tasks"),
                new Op.CgroupOpen("", 2, "/sys/fs/cgroup/systemd/jctr/c1/tasks"),
                new Op.NsOpen("linux.namespaces[1].path", 0, "/proc/42/ns/user")), plan.ops().subList(0, 4));
        int sync = indexOf(plan, Op.SyncParent.class);
        assertEquals(List.of(
                new Op.CgroupJoin("", 0, "/sys/fs/cgroup/cpu,cpuacct/jctr/c1/tasks"),
                new Op.CgroupJoin("", 1, "/sys/fs/cgroup/memory/jctr/c1/tasks"),
                new Op.CgroupJoin("", 2, "/sys/fs/cgroup/systemd/jctr/c1/tasks")), plan.ops().subList(sync + 1, sync + 4));
        assertTrue(indexOf(plan, Op.Unshare.class) > sync + 3, "the cgroup namespace starts in the joined cgroups");
        // cgroup2 has no tasks file: the parent still writes that one
        assertEquals(List.of("/sys/fs/cgroup/unified/jctr/c1/cgroup.procs"), plan.procsFiles());
        assertEquals("join the cgroup /sys/fs/cgroup/memory/jctr/c1 (write 0 to /sys/fs/cgroup/memory/jctr/c1/tasks)",
                plan.opsOf(Op.CgroupJoin.class).get(1).describe());
    }

    @Test
    void bindMountsResolveRelativeSourcesAgainstTheBundleAndRemountForFlags() {
        LaunchPlan plan = plan(Specs.withMounts(
                new Mount("/data", "bind", "/srv/data", List.of("rbind", "ro", "nosuid", "rprivate")),
                new Mount("/etc/hosts", null, "hosts", List.of("bind")),
                new Mount("/x", "none", "/srv/x", List.of("rbind"))));
        assertEquals(List.of(
                new Op.Mount("mounts[0]", "/srv/data", "/data", "", MS_BIND | MS_REC, "",
                        MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID, MS_PRIVATE | MS_REC, TargetKind.LIKE_SOURCE, List.of()),
                new Op.Mount("mounts[1]", "/bundles/b1/hosts", "/etc/hosts", "", MS_BIND, "", 0, 0,
                        TargetKind.LIKE_SOURCE, List.of()),
                new Op.Mount("mounts[2]", "/srv/x", "/x", "", MS_BIND | MS_REC, "", 0, 0, TargetKind.LIKE_SOURCE,
                        List.of())), plan.opsOf(Op.Mount.class));
    }

    @Test
    void fileSystemMountsSplitFlagsFromData() {
        LaunchPlan plan = plan(Specs.withMounts(
                new Mount("/dev", "tmpfs", "tmpfs", List.of("nosuid", "strictatime", "mode=755", "size=65536k")),
                new Mount("/proc", "proc", "proc", List.of())));
        assertEquals(List.of(
                new Op.Mount("mounts[0]", "tmpfs", "/dev", "tmpfs", MS_NOSUID | MS_STRICTATIME, "mode=755,size=65536k", 0,
                        0, TargetKind.DIRECTORY, List.of()),
                new Op.Mount("mounts[1]", "proc", "/proc", "proc", 0, "", 0, 0, TargetKind.DIRECTORY, List.of())),
                plan.opsOf(Op.Mount.class));
    }

    @Test
    void aReadOnlyDevIsRemountedAfterItsDevicesAreMade() {
        LaunchPlan plan = plan(Specs.withMounts(new Mount("/dev", "tmpfs", "tmpfs", List.of("ro", "nosuid"))));
        Op.Mount dev = plan.opsOf(Op.Mount.class).getFirst();
        assertEquals(MS_NOSUID, dev.flags());
        int remount = plan.ops().indexOf(new Op.Remount("mounts[0]", "/dev", MS_RDONLY | MS_NOSUID));
        assertTrue(remount > indexOf(plan, Op.Device.class));
        assertTrue(remount > indexOf(plan, Op.PivotRoot.class));
    }

    @Test
    void aBoundDevGetsNoDevicesOrSymlinks() {
        LaunchPlan plan = plan(Specs.withMounts(new Mount("/dev", "bind", "/dev", List.of("rbind"))));
        assertTrue(plan.opsOf(Op.Device.class).isEmpty());
        assertTrue(plan.opsOf(Op.Symlink.class).isEmpty());
    }

    @Test
    void configuredDevicesReplaceDefaultsWithTheSamePath() {
        LinuxSpec linux = new LinuxSpec(Specs.ns("mount"), null, null, null, null, null, null, null, null, null, null,
                List.of(new Device("c", "/dev/null", 1, 3, 0600, 1000L, 1000L), new Device("b", "/dev/sda", 8, 0, null,
                        null, null)), null);
        LaunchPlan plan = plan(Specs.minimal().withLinux(linux));
        List<Op.Device> devices = plan.opsOf(Op.Device.class);
        assertEquals(7, devices.size());
        assertFalse(devices.stream().anyMatch(d -> d.field().equals("linux.devices") && d.path().equals("/dev/null")));
        assertTrue(devices.contains(new Op.Device("linux.devices[0]", "/dev/null", S_IFCHR | 0600, 1, 3, 1000, 1000,
                "/dev/null")));
        assertTrue(devices.contains(new Op.Device("linux.devices[1]", "/dev/sda", S_IFBLK | 0666, 8, 0, 0, 0, "/dev/sda")));
    }

    @Test
    void sysfsInAUserNamespaceWithoutItsOwnNetworkIsBoundFromTheHost() {
        LinuxSpec linux = new LinuxSpec(Specs.ns("mount", "user"), List.of(new IdMapping(0, 1000, 1)),
                List.of(new IdMapping(0, 1000, 1)), null, null, null, null, null, null, null, null, null, null);
        LaunchPlan plan = plan(Specs.minimal().withLinux(linux).withMounts(
                List.of(new Mount("/sys", "sysfs", "sysfs", List.of("ro", "nosuid")))));
        assertEquals(new Op.Mount("mounts[0]", "/sys", "/sys", "", MS_BIND | MS_REC, "",
                MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID, 0, TargetKind.DIRECTORY, List.of()),
                plan.opsOf(Op.Mount.class).getFirst());
    }

    @Test
    void cgroupMountOnAHybridHostWithACgroupNamespaceMountsEachHierarchyAgain() {
        Spec spec = Specs.minimal().withLinux(Specs.linux(Specs.ns("mount", "cgroup"))).withMounts(List.of(
                new Mount("/sys/fs/cgroup", "cgroup", "cgroup", List.of("nosuid", "ro"))));
        Op.Mount m = plan(spec).opsOf(Op.Mount.class).getFirst();
        long sub = MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC;
        assertEquals(new Op.Mount("mounts[0]", "tmpfs", "/sys/fs/cgroup", "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC,
                "mode=755", MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, 0,
                TargetKind.DIRECTORY, List.of(
                        new MountChild(ChildKind.MOUNT, "cpu,cpuacct", "cgroup", "cgroup", sub, "cpu,cpuacct"),
                        new MountChild(ChildKind.MOUNT, "memory", "cgroup", "cgroup", sub, "memory"),
                        new MountChild(ChildKind.MOUNT, "systemd", "cgroup", "cgroup", sub, "name=systemd"),
                        new MountChild(ChildKind.MOUNT, "unified", "cgroup", "cgroup2", sub, ""),
                        new MountChild(ChildKind.SYMLINK, "cpu", "cpu,cpuacct", "", 0, ""),
                        new MountChild(ChildKind.SYMLINK, "cpuacct", "cpu,cpuacct", "", 0, ""))), m);
    }

    @Test
    void cgroupMountWithoutACgroupNamespaceBindsTheContainersOwnCgroups() {
        CgroupHandle v1 = new CgroupHandle("cgroup-v1", "/jctr/c1", null,
                List.of("/sys/fs/cgroup/cpu,cpuacct/jctr/c1/cgroup.procs"), null);
        Spec spec = Specs.withMounts(new Mount("/sys/fs/cgroup", "cgroup", "cgroup", List.of("ro")));
        Op.Mount m = PlanBuilder.forCreate(Specs.request(spec, Stdio.inherit(), v1), Hosts.hybrid(), null)
                .opsOf(Op.Mount.class).getFirst();
        assertEquals(List.of(
                new MountChild(ChildKind.BIND, "cpu,cpuacct", "/sys/fs/cgroup/cpu,cpuacct/jctr/c1", "", MS_RDONLY, ""),
                new MountChild(ChildKind.BIND, "memory", "/sys/fs/cgroup/memory/supervisor/job", "", MS_RDONLY, ""),
                new MountChild(ChildKind.BIND, "systemd", "/sys/fs/cgroup/systemd", "", MS_RDONLY, ""),
                new MountChild(ChildKind.BIND, "unified", "/sys/fs/cgroup/unified", "", MS_RDONLY, "")),
                m.children().subList(0, 4));
    }

    @Test
    void cgroupMountOnAUnifiedHost() {
        Spec withNs = Specs.minimal().withLinux(Specs.linux(Specs.ns("mount", "cgroup"))).withMounts(List.of(
                new Mount("/sys/fs/cgroup", "cgroup", "cgroup", List.of("ro"))));
        assertEquals(new Op.Mount("mounts[0]", "cgroup", "/sys/fs/cgroup", "cgroup2", MS_RDONLY, "", 0, 0,
                TargetKind.DIRECTORY, List.of()),
                PlanBuilder.forCreate(Specs.request(withNs), Hosts.unified(), null).opsOf(Op.Mount.class).getFirst());
        Spec withoutNs = Specs.withMounts(new Mount("/sys/fs/cgroup", "cgroup", "cgroup", List.of("ro")));
        assertEquals(new Op.Mount("mounts[0]", "/sys/fs/cgroup/user.slice", "/sys/fs/cgroup", "", MS_BIND | MS_REC, "",
                MS_BIND | MS_REMOUNT | MS_RDONLY, 0, TargetKind.DIRECTORY, List.of()),
                PlanBuilder.forCreate(Specs.request(withoutNs), Hosts.unified(), null).opsOf(Op.Mount.class).getFirst());
    }

    @Test
    void mountErrorsNameTheField() {
        var noSource = assertThrows(InvalidConfigException.class,
                () -> plan(Specs.withMounts(new Mount("/a", "tmpfs", null, List.of()), new Mount("/b", "bind", null, List.of()))));
        assertEquals("mounts[1].source", noSource.field());
        var noType = assertThrows(InvalidConfigException.class,
                () -> plan(Specs.withMounts(new Mount("/a", null, "x", List.of()))));
        assertEquals("mounts[0].type", noType.field());
        var unsupported = assertThrows(UnsupportedFeatureException.class,
                () -> plan(Specs.withMounts(new Mount("/a", "tmpfs", "tmpfs", List.of("nosuid", "tmpcopyup")))));
        assertTrue(unsupported.getMessage().startsWith("mounts[0].options[1]"), unsupported.getMessage());
    }

    @Test
    void rootPropagationIsSetOnTheNewRootAfterPivotRootWhileTheTreeStaysASlaveUntilThen() {
        Map<String, Long> cases = Map.of("shared", MS_SHARED, "rshared", MS_SHARED | MS_REC, "slave", MS_SLAVE,
                "private", MS_PRIVATE, "rprivate", MS_PRIVATE | MS_REC, "unbindable", MS_UNBINDABLE);
        cases.forEach((name, flags) -> {
            LinuxSpec linux = new LinuxSpec(Specs.ns("mount"), null, null, null, null, null, null, name, null, null,
                    null, null, null);
            Spec spec = Specs.minimal().withLinux(linux).withRoot(new Root("/var/lib/images/c1/rootfs", null));
            LaunchPlan plan = plan(spec);
            // the bind of the rootfs copies a slave (never a shared or unbindable) mount, pivot_root accepts it
            assertEquals(List.of(
                    new Op.MountRaw("", "", "/", "", MS_SLAVE | MS_REC, ""),
                    new Op.MountRaw("root.path", "/var/lib/images/c1/rootfs", "/var/lib/images/c1/rootfs", "",
                            MS_BIND | MS_REC, ""),
                    new Op.MountRaw("linux.rootfsPropagation", "", "/", "", flags, "")),
                    plan.opsOf(Op.MountRaw.class), name);
            assertEquals(indexOf(plan, Op.PivotRoot.class) + 1,
                    plan.ops().indexOf(new Op.MountRaw("linux.rootfsPropagation", "", "/", "", flags, "")), name);
        });
        // the same after the MS_MOVE + chroot fallback: "/" is then the moved rootfs
        LinuxSpec shared = new LinuxSpec(Specs.ns("mount"), null, null, null, null, null, null, "shared", null, null,
                null, null, null);
        LaunchPlan moved = PlanBuilder.forCreate(Specs.request(Specs.minimal().withLinux(shared)), Hosts.initramfs(),
                null);
        assertEquals(indexOf(moved, Op.MoveRoot.class) + 1,
                moved.ops().indexOf(new Op.MountRaw("linux.rootfsPropagation", "", "/", "", MS_SHARED, "")));
        // unset: the tree stays the slave it was made for the bind
        assertEquals(List.of(new Op.MountRaw("", "", "/", "", MS_SLAVE | MS_REC, ""),
                new Op.MountRaw("root.path", Specs.ROOTFS, Specs.ROOTFS, "", MS_BIND | MS_REC, "")),
                plan(Specs.minimal()).opsOf(Op.MountRaw.class));
        var bad = assertThrows(InvalidConfigException.class, () -> plan(Specs.minimal().withLinux(new LinuxSpec(
                Specs.ns("mount"), null, null, null, null, null, null, "sideways", null, null, null, null, null))));
        assertEquals("linux.rootfsPropagation", bad.field());
    }

    @Test
    void noPivotAndAnInitramfsRootUseMoveAndChroot() {
        IsolationRequest noPivot = new IsolationRequest("c1", Specs.minimal(), Specs.BUNDLE, Specs.STATE, null,
                Stdio.inherit(), new IsolationRequest.Options(true, false));
        assertEquals(List.of(new Op.MoveRoot("root.path", Specs.ROOTFS)),
                PlanBuilder.forCreate(noPivot, Hosts.hybrid(), null).opsOf(Op.MoveRoot.class));
        IsolationRequest noKeyring = new IsolationRequest("c1", Specs.minimal(), Specs.BUNDLE, Specs.STATE, null,
                Stdio.inherit(), new IsolationRequest.Options(false, true));
        assertTrue(PlanBuilder.forCreate(noKeyring, Hosts.hybrid(), null).opsOf(Op.SessionKeyring.class).isEmpty());
        LaunchPlan ramfs = PlanBuilder.forCreate(Specs.request(Specs.minimal()), Hosts.initramfs(), null);
        assertEquals(1, ramfs.opsOf(Op.MoveRoot.class).size());
        assertTrue(ramfs.opsOf(Op.PivotRoot.class).isEmpty());
    }

    @Test
    void hostnameSysctlsRlimitsAndOomScore() {
        ProcessSpec p = new ProcessSpec(null, null, null, List.of("sh"), List.of(), "/", null,
                List.of(new Rlimit("RLIMIT_NOFILE", 4096, 1024), new Rlimit("RLIMIT_NPROC", -1, -1)), null, null, -500,
                null);
        LinuxSpec linux = new LinuxSpec(Specs.ns("mount", "uts", "network", "ipc"), null, null,
                Map.of("net.ipv4.ip_forward", "1"), null, null, null, null, null, null, null, null, null);
        Spec spec = new Spec("1.0.2", p, new Root(Specs.ROOTFS, true), "box", "example.org", List.of(), null, Map.of(),
                linux);
        LaunchPlan plan = plan(spec);
        assertEquals(List.of(new Op.Hostname("hostname", "box")), plan.opsOf(Op.Hostname.class));
        assertEquals(List.of(new Op.Domainname("domainname", "example.org")), plan.opsOf(Op.Domainname.class));
        assertEquals(List.of(
                new Op.WriteFile("process.oomScoreAdj", "/proc/self/oom_score_adj", "-500"),
                new Op.WriteFile("linux.sysctl.net.ipv4.ip_forward", "/proc/sys/net/ipv4/ip_forward", "1")),
                plan.opsOf(Op.WriteFile.class));
        assertEquals(List.of(new Op.Rlimit("process.rlimits[0]", 7, 1024, 4096), new Op.Rlimit("process.rlimits[1]", 6,
                -1, -1)), plan.opsOf(Op.Rlimit.class));
        assertEquals(List.of(new Op.Remount("root.readonly", "/", MS_RDONLY)), plan.opsOf(Op.Remount.class));
        // no PATH in the environment: the default search path
        assertEquals(PlanBuilder.DEFAULT_PATH, plan.opsOf(Op.ResolveExec.class).getFirst().searchPath());

    }

    @Test
    void namesAreSetInAJoinedUtsNamespaceAfterJoiningIt() {
        LinuxSpec linux = Specs.linux(List.of(new Namespace("mount", null), new Namespace("uts", "/proc/42/ns/uts")));
        Spec spec = new Spec("1.0.2", Specs.process("/bin/true"), new Root(Specs.ROOTFS, null), "box", "example.org",
                List.of(), null, Map.of(), linux);
        LaunchPlan plan = plan(spec);
        assertEquals(List.of(new Op.Hostname("hostname", "box")), plan.opsOf(Op.Hostname.class));
        assertEquals(List.of(new Op.Domainname("domainname", "example.org")), plan.opsOf(Op.Domainname.class));
        assertTrue(plan.ops().indexOf(new Op.SetNs("linux.namespaces[1]", 0, NamespaceType.UTS))
                < indexOf(plan, Op.Hostname.class));
    }

    @Test
    void badSysctlAndRlimitNamesAreRefused() {
        LinuxSpec sysctl = new LinuxSpec(Specs.ns("mount"), null, null, Map.of("../../etc/passwd", "x"), null, null,
                null, null, null, null, null, null, null);
        assertEquals("linux.sysctl.../../etc/passwd",
                assertThrows(InvalidConfigException.class, () -> plan(Specs.minimal().withLinux(sysctl))).field());
        ProcessSpec p = new ProcessSpec(null, null, null, List.of("sh"), List.of(), "/", null,
                List.of(new Rlimit("RLIMIT_BOGUS", 1, 1)), null, null, null, null);
        assertEquals("process.rlimits[0].type",
                assertThrows(InvalidConfigException.class, () -> plan(Specs.minimal().withProcess(p))).field());
        var hostname = assertThrows(InvalidConfigException.class, () -> plan(new Spec("1.0.2",
                Specs.process("/bin/true"), new Root(Specs.ROOTFS, null), "box", null, List.of(), null, Map.of(),
                Specs.linux(Specs.ns("mount")))));
        assertEquals("hostname", hostname.field());
    }

    @Test
    void credentialsFollowTheSpecOrderAndSeccompComesLastWithNoNewPrivileges() {
        ProcessSpec p = new ProcessSpec(null, null, new User(1000, 1000, 0077, List.of(10L, 20L), null),
                List.of("sh"), List.of("PATH=/usr/bin:/bin"), "/home", Specs.caps(List.of("CAP_KILL", "CAP_CHOWN")),
                null, true, null, null, null);
        Spec spec = Specs.minimal().withProcess(p).withLinux(new LinuxSpec(Specs.ns("mount"), null, null, null, null,
                null, new Seccomp("SCMP_ACT_ALLOW", null, null, null, null, null, null), null, null, null, null, null,
                null));
        LaunchPlan plan = PlanBuilder.forCreate(Specs.request(spec), Hosts.hybrid(), FILTER);
        long caps = (1L << 5) | (1L << 0);
        int from = indexOf(plan, Op.Umask.class);
        assertEquals(List.of(
                new Op.Umask("process.user.umask", 0077),
                new Op.Bounding("process.capabilities.bounding", caps),
                new Op.SetGroups("process.user.additionalGids", List.of(10L, 20L)),
                new Op.SetGid("process.user.gid", 1000),
                new Op.SetUid("process.user.uid", 1000),
                new Op.Capset("process.capabilities", caps, caps, caps),
                new Op.Ambient("process.capabilities.ambient", caps),
                new Op.Chdir("process.cwd", "/home"),
                new Op.NoNewPrivs("process.noNewPrivileges"),
                new Op.ResolveExec("process.args[0]", "sh", "/usr/bin:/bin"),
                new Op.Ready("", true),
                new Op.Seccomp("linux.seccomp", 0, FILTER.program()),
                new Op.Exec("process.args", List.of("sh"), List.of("PATH=/usr/bin:/bin"))),
                plan.ops().subList(from, plan.ops().size()));
    }

    @Test
    void withoutNoNewPrivilegesSeccompIsInstalledBeforeCapabilitiesAreDropped() {
        Spec spec = Specs.minimal().withLinux(new LinuxSpec(Specs.ns("mount"), null, null, null, null, null,
                new Seccomp("SCMP_ACT_ALLOW", null, null, null, null, null, null), null, null, null, null, null, null));
        LaunchPlan plan = PlanBuilder.forCreate(Specs.request(spec), Hosts.hybrid(), FILTER);
        assertEquals(indexOf(plan, Op.Umask.class) + 1, indexOf(plan, Op.Seccomp.class));
        assertTrue(indexOf(plan, Op.Seccomp.class) < indexOf(plan, Op.Bounding.class));
        assertEquals(1, plan.opsOf(Op.Seccomp.class).size());
    }

    @Test
    void ambientCapabilitiesNeedToBePermittedAndInheritable() {
        // runc spec's default: ambient caps with no inheritable set
        Spec spec = Specs.minimal().withProcess(new ProcessSpec(null, null, null, List.of("sh"), List.of(), "/",
                new jctr.kernel.oci.Capabilities(List.of("CAP_KILL"), List.of("CAP_KILL"), null, List.of("CAP_KILL"),
                        List.of("CAP_KILL")), null, null, null, null, null));
        assertEquals(List.of(new Op.Ambient("process.capabilities.ambient", 0)), plan(spec).opsOf(Op.Ambient.class));
    }

    @Test
    void capabilitiesAreCheckedAndThoseTheKernelLacksLeftOut() {
        assertEquals(1L << 40, PlanBuilder.capMask(List.of("CAP_CHECKPOINT_RESTORE"), "f", 40));
        assertEquals(0, PlanBuilder.capMask(List.of("CAP_CHECKPOINT_RESTORE"), "f", 39));
        var e = assertThrows(InvalidConfigException.class, () -> plan(Specs.minimal().withProcess(new ProcessSpec(null,
                null, null, List.of("sh"), List.of(), "/", new jctr.kernel.oci.Capabilities(List.of("CAP_KILL", "KILL"),
                null, null, null, null), null, null, null, null, null))));
        assertEquals("process.capabilities.bounding[1]", e.field());
    }

    @Test
    void terminalNeedsAConsoleSocketAndBecomesTheControllingTty() {
        ProcessSpec tty = Specs.process("sh").withTerminal(true);
        Spec spec = Specs.minimal().withProcess(new ProcessSpec(true, new ConsoleSize(24, 80), null, List.of("sh"),
                List.of(), "/", null, null, null, null, null, null));
        LaunchPlan plan = PlanBuilder.forCreate(Specs.request(spec, new Stdio.ConsoleSocket(Path.of("/run/c.sock")), null),
                Hosts.hybrid(), null);
        // the console socket is connected before any namespace is joined
        assertEquals(new Op.ConsoleConnect("process.terminal", "/run/c.sock"), plan.ops().getFirst());
        assertTrue(indexOf(plan, Op.SetSid.class) < indexOf(plan, Op.Console.class));
        assertEquals(indexOf(plan, Op.PivotRoot.class) + 1, indexOf(plan, Op.Console.class));
        assertEquals(new Op.Console("process.terminal", 24, 80, true), plan.opsOf(Op.Console.class).getFirst());

        var noSocket = assertThrows(InvalidConfigException.class, () -> plan(Specs.minimal().withProcess(tty)));
        assertEquals("process.terminal", noSocket.field());
        var noTerminal = assertThrows(InvalidConfigException.class, () -> PlanBuilder.forCreate(
                Specs.request(Specs.minimal(), new Stdio.ConsoleSocket(Path.of("/s")), null), Hosts.hybrid(), null));
        assertEquals("process.terminal", noTerminal.field());
    }

    @Test
    void execJoinsTheTargetAndHasNoStartGate() {
        ExecTarget target = new ExecTarget(List.of(new ExecTarget.Join(NamespaceType.PID, "/proc/9/ns/pid"),
                new ExecTarget.Join(NamespaceType.USER, "/proc/9/ns/user")),
                List.of("/sys/fs/cgroup/memory/jctr/c1/cgroup.procs", "/sys/fs/cgroup/pids/jctr/c1/cgroup.procs",
                        "/sys/fs/cgroup/unified/jctr/c1/cgroup.procs"), FILTER);
        ProcessSpec p = new ProcessSpec(null, null, new User(5, 6, null, null, null), List.of("ps"), List.of(), "/tmp",
                null, null, true, null, null, null);
        LaunchPlan plan = PlanBuilder.forExec(target, new ExecRequest(p, Stdio.inherit()), Hosts.hybrid());
        assertEquals(List.of(
                new Op.CgroupOpen("", 0, "/sys/fs/cgroup/memory/jctr/c1/tasks"),
                new Op.NsOpen("", 0, "/proc/9/ns/user"),
                new Op.NsOpen("", 1, "/proc/9/ns/pid"),
                new Op.SetNs("", 0, NamespaceType.USER),
                new Op.SetNs("", 1, NamespaceType.PID),
                new Op.Clone("", CLONE_PARENT, ""),
                new Op.SyncParent(""),
                new Op.CgroupJoin("", 0, "/sys/fs/cgroup/memory/jctr/c1/tasks"),
                new Op.NotDumpable("")), plan.ops().subList(0, 9));
        // memory is a v1 hierarchy the process joins itself; pids is not mounted on this host, unified is cgroup2
        assertEquals(List.of("/sys/fs/cgroup/pids/jctr/c1/cgroup.procs", "/sys/fs/cgroup/unified/jctr/c1/cgroup.procs"),
                plan.procsFiles());
        assertEquals(-1, plan.startGateIndex());
        assertEquals(List.of(new Op.Ready("", false)), plan.opsOf(Op.Ready.class));
        assertEquals(indexOf(plan, Op.Ready.class) + 1, indexOf(plan, Op.Seccomp.class));
        assertTrue(plan.opsOf(Op.Mount.class).isEmpty());
    }

    @Test
    void processErrorsNameTheField() {
        assertEquals("process", assertThrows(InvalidConfigException.class,
                () -> plan(Specs.minimal().withProcess(null))).field());
        assertEquals("process.args", assertThrows(InvalidConfigException.class,
                () -> plan(Specs.minimal().withProcess(Specs.process("/bin/true").withArgs(List.of())))).field());
        assertEquals("root.path", assertThrows(InvalidConfigException.class,
                () -> plan(Specs.minimal().withRoot(new Root("rootfs", null)))).field());
    }
}
