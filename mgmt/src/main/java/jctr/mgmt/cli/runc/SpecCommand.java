package jctr.mgmt.cli.runc;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

import jctr.kernel.AlreadyExistsException;
import jctr.kernel.Version;
import jctr.kernel.oci.Capabilities;
import jctr.kernel.oci.DeviceRule;
import jctr.kernel.oci.LinuxResources;
import jctr.kernel.oci.LinuxSpec;
import jctr.kernel.oci.Mount;
import jctr.kernel.oci.Namespace;
import jctr.kernel.oci.ProcessSpec;
import jctr.kernel.oci.Rlimit;
import jctr.kernel.oci.Root;
import jctr.kernel.oci.Spec;
import jctr.kernel.oci.User;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code spec}: writes runc's default {@code config.json} (the same document {@code runc spec} writes,
 * with the OCI version jctr implements): {@code sh} on a terminal in a read-only {@code rootfs}, with
 * pid, network, ipc, uts and mount namespaces and runc's default mounts, capabilities and masked paths.
 */
@Command(name = "spec", description = "Write a default config.json (runc's) into the bundle directory")
final class SpecCommand extends RuncSubcommand {

    @Option(names = {"-b", "--bundle"}, paramLabel = "DIR", description = "Bundle directory (default: the current directory)")
    Path bundle = Path.of("");

    @Override
    public Integer call() {
        Path file = bundle.resolve("config.json");
        try {
            Files.writeString(file, RuncJson.indent(runcDefault(), "\t"), StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        } catch (FileAlreadyExistsException e) {
            throw new AlreadyExistsException("File " + file + " exists. Remove it first");
        } catch (IOException e) {
            throw new UncheckedIOException("writing " + file, e);
        }
        return 0;
    }

    /** runc's default spec. */
    static Spec runcDefault() {
        List<String> caps = List.of("CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE");
        ProcessSpec process = new ProcessSpec(true, null, new User(0, 0, null, null, null), List.of("sh"),
                List.of("PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "TERM=xterm"), "/",
                new Capabilities(caps, caps, null, caps, caps), List.of(new Rlimit("RLIMIT_NOFILE", 1024, 1024)),
                true, null, null, null);
        List<Mount> mounts = List.of(
                new Mount("/proc", "proc", "proc", null),
                new Mount("/dev", "tmpfs", "tmpfs", List.of("nosuid", "strictatime", "mode=755", "size=65536k")),
                new Mount("/dev/pts", "devpts", "devpts",
                        List.of("nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5")),
                new Mount("/dev/shm", "tmpfs", "shm", List.of("nosuid", "noexec", "nodev", "mode=1777", "size=65536k")),
                new Mount("/dev/mqueue", "mqueue", "mqueue", List.of("nosuid", "noexec", "nodev")),
                new Mount("/sys", "sysfs", "sysfs", List.of("nosuid", "noexec", "nodev", "ro")),
                new Mount("/sys/fs/cgroup", "cgroup", "cgroup", List.of("nosuid", "noexec", "nodev", "relatime", "ro")));
        LinuxResources resources = new LinuxResources(List.of(new DeviceRule(false, null, null, null, "rwm")),
                null, null, null, null, null, null, null, null);
        List<Namespace> namespaces = List.of(new Namespace("pid", null), new Namespace("network", null),
                new Namespace("ipc", null), new Namespace("uts", null), new Namespace("mount", null));
        LinuxSpec linux = new LinuxSpec(namespaces, null, null, null, resources, null, null, null,
                List.of("/proc/acpi", "/proc/asound", "/proc/kcore", "/proc/keys", "/proc/latency_stats",
                        "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug", "/sys/firmware", "/proc/scsi"),
                List.of("/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"), null, null, null);
        return new Spec(Version.ociRuntimeSpec(), process, new Root("rootfs", true), "runc", null, mounts, null, null,
                linux);
    }
}
