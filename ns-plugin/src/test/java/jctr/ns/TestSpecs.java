package jctr.ns;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import jctr.kernel.oci.Capabilities;
import jctr.kernel.oci.LinuxSpec;
import jctr.kernel.oci.Mount;
import jctr.kernel.oci.Namespace;
import jctr.kernel.oci.ProcessSpec;
import jctr.kernel.oci.Rlimit;
import jctr.kernel.oci.Root;
import jctr.kernel.oci.Spec;
import jctr.kernel.oci.User;

/** Configs for tests, shaped like the default a runtime generates (runc spec): the usual mounts and paths. */
final class TestSpecs {

    static final List<String> DEFAULT_CAPS = List.of("CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE");

    private TestSpecs() {
    }

    static List<Mount> defaultMounts() {
        return List.of(
                new Mount("/proc", "proc", "proc", List.of()),
                new Mount("/dev", "tmpfs", "tmpfs", List.of("nosuid", "strictatime", "mode=755", "size=65536k")),
                new Mount("/dev/pts", "devpts", "devpts",
                        List.of("nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5")),
                new Mount("/dev/shm", "tmpfs", "shm", List.of("nosuid", "noexec", "nodev", "mode=1777", "size=65536k")),
                new Mount("/dev/mqueue", "mqueue", "mqueue", List.of("nosuid", "noexec", "nodev")),
                new Mount("/sys", "sysfs", "sysfs", List.of("nosuid", "noexec", "nodev", "ro")),
                new Mount("/sys/fs/cgroup", "cgroup", "cgroup", List.of("nosuid", "noexec", "nodev", "relatime", "ro")));
    }

    static List<Namespace> namespaces(String... types) {
        List<Namespace> out = new ArrayList<>();
        for (String t : types) {
            out.add(new Namespace(t, null));
        }
        return out;
    }

    static ProcessSpec process(String... args) {
        return new ProcessSpec(false, null, new User(0, 0, null, null, null), List.of(args),
                List.of("PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "TERM=xterm"), "/",
                Capabilities.allSets(DEFAULT_CAPS), List.of(new Rlimit("RLIMIT_NOFILE", 1024, 1024)), true, null, null,
                null);
    }

    /** The same config with {@code extra} capabilities added to every set. */
    static Spec withCaps(Spec spec, String... extra) {
        List<String> caps = new ArrayList<>(DEFAULT_CAPS);
        caps.addAll(List.of(extra));
        ProcessSpec p = spec.process();
        return spec.withProcess(new ProcessSpec(p.terminal(), p.consoleSize(), p.user(), p.args(), p.env(), p.cwd(),
                Capabilities.allSets(caps), p.rlimits(), p.noNewPrivileges(), p.apparmorProfile(), p.oomScoreAdj(),
                p.selinuxLabel()));
    }

    /** A runc-like default config for {@code rootfs} running {@code args}. */
    static Spec spec(String rootfs, String... args) {
        LinuxSpec linux = new LinuxSpec(namespaces("pid", "network", "ipc", "uts", "mount", "cgroup"), null, null,
                null, null, null, null, null,
                List.of("/proc/acpi", "/proc/asound", "/proc/kcore", "/proc/keys", "/proc/latency_stats",
                        "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug", "/sys/firmware", "/proc/scsi"),
                List.of("/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"),
                null, null, null);
        return new Spec("1.0.2", process(args), new Root(rootfs, false), "jctr-test", null, defaultMounts(), null,
                Map.of(), linux);
    }
}
