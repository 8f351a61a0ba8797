package jctr.kernel.image;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import jctr.kernel.InvalidConfigException;
import jctr.kernel.Version;
import jctr.kernel.oci.Capabilities;
import jctr.kernel.oci.DeviceRule;
import jctr.kernel.oci.LinuxResources;
import jctr.kernel.oci.LinuxSpec;
import jctr.kernel.oci.Mount;
import jctr.kernel.oci.Namespace;
import jctr.kernel.oci.ProcessSpec;
import jctr.kernel.oci.Root;
import jctr.kernel.oci.Spec;
import jctr.kernel.oci.User;

/**
 * Builds the OCI runtime spec of a container from an image config, with Docker's defaults and rules
 * ({@code docker run IMAGE [CMD]}):
 * <ul>
 *   <li>the command is Entrypoint + Cmd; a given cmd replaces the image's Cmd; a given entrypoint replaces the
 *       image's Entrypoint and also drops the image's Cmd (an empty entrypoint list removes it);</li>
 *   <li>Env is the image's, overridden by key (in place) by the given variables, with Docker's default PATH when
 *       neither sets one, {@code HOSTNAME} when a hostname is given, {@code TERM=xterm} with a tty, and
 *       {@code HOME} from the user's passwd entry;</li>
 *   <li>the working directory defaults to {@code /}; the user ({@code name}, {@code uid}, {@code uid:gid},
 *       {@code name:group}) is resolved against the rootfs's /etc/passwd and /etc/group;</li>
 *   <li>Docker's 14 default capabilities, its default mounts, masked and read-only paths, device rules,
 *       and new pid, ipc, uts, mount, network and cgroup namespaces. No seccomp profile: the engine adds it.</li>
 * </ul>
 * The hostname is left unset unless given (the engine uses the container id's first 12 characters).
 */
public final class RuntimeSpecs {

    /** Docker's default PATH. */
    public static final String DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    /** Docker's default capabilities. */
    public static final List<String> DEFAULT_CAPABILITIES = List.of("CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FSETID",
            "CAP_FOWNER", "CAP_MKNOD", "CAP_NET_RAW", "CAP_SETGID", "CAP_SETUID", "CAP_SETFCAP", "CAP_SETPCAP",
            "CAP_NET_BIND_SERVICE", "CAP_SYS_CHROOT", "CAP_KILL", "CAP_AUDIT_WRITE");

    /** Docker's masked paths: bind-mounted over with /dev/null (files) or an empty read-only tmpfs (directories). */
    public static final List<String> MASKED_PATHS = List.of("/proc/asound", "/proc/acpi", "/proc/interrupts",
            "/proc/kcore", "/proc/keys", "/proc/latency_stats", "/proc/timer_list", "/proc/timer_stats",
            "/proc/sched_debug", "/proc/scsi", "/sys/firmware", "/sys/devices/virtual/powercap");

    /** Docker's read-only paths. */
    public static final List<String> READONLY_PATHS = List.of("/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys",
            "/proc/sysrq-trigger");

    /**
     * What {@code run} may override; null members keep the image's value.
     *
     * @param entrypoint replaces the image's Entrypoint (and drops its Cmd); an empty list removes it
     * @param cmd replaces the image's Cmd
     * @param env {@code KEY=value} entries overriding the image's by key
     * @param workingDir absolute
     * @param user as in the image config's User
     * @param hostname the container's hostname (also exported as {@code HOSTNAME})
     * @param tty whether the process gets a terminal
     * @param readOnlyRootfs whether the root is mounted read-only
     */
    public record Overrides(List<String> entrypoint, List<String> cmd, List<String> env, String workingDir,
                            String user, String hostname, boolean tty, boolean readOnlyRootfs) {

        /** No overrides. */
        public static final Overrides NONE = new Overrides(null, null, null, null, null, null, false, false);

        public Overrides {
            entrypoint = entrypoint == null ? null : List.copyOf(entrypoint);
            cmd = cmd == null ? null : List.copyOf(cmd);
            env = env == null ? List.of() : List.copyOf(env);
        }

        /** These overrides with another command (what {@code run IMAGE CMD...} gives). */
        public Overrides withCmd(List<String> newCmd) {
            return new Overrides(entrypoint, newCmd, env, workingDir, user, hostname, tty, readOnlyRootfs);
        }
    }

    private RuntimeSpecs() {
    }

    /**
     * The spec for a container of an image.
     *
     * @param rootfsPath the prepared root file system (absolute); its /etc/passwd and /etc/group resolve the user
     * @throws InvalidConfigException when no command results, the working directory is relative, an env entry is not
     *         {@code KEY=value}, or the user or group is unknown
     */
    public static Spec fromImage(ImageConfig image, String rootfsPath, Overrides o) {
        ImageConfig.ContainerConfig c = image.configOrEmpty();
        List<String> args = new ArrayList<>();
        if (o.entrypoint() != null) {
            args.addAll(o.entrypoint());
            if (o.cmd() != null) {
                args.addAll(o.cmd());
            }
        } else {
            args.addAll(c.entrypoint());
            args.addAll(o.cmd() != null ? o.cmd() : c.cmd());
        }
        if (args.isEmpty() || args.getFirst().isEmpty()) {
            throw new InvalidConfigException("", "process.args", "no command specified: the image has no Entrypoint "
                    + "or Cmd, and none was given");
        }

        String cwd = o.workingDir() != null ? o.workingDir() : c.workingDir();
        if (cwd == null || cwd.isEmpty()) {
            cwd = "/";
        } else if (!cwd.startsWith("/")) {
            if (o.workingDir() != null) {
                throw new InvalidConfigException("", "workingDir", "the working directory \"" + cwd
                        + "\" is invalid: it needs to be an absolute path");
            }
            cwd = "/" + cwd; // an image's relative WorkingDir is taken from the root, as Docker does
        }

        String userSpec = o.user() != null ? o.user() : c.user();
        Path rootfs = rootfsPath == null ? null : Path.of(rootfsPath);
        ContainerUsers.Resolved user = ContainerUsers.resolve(rootfs != null && Files.isDirectory(rootfs) ? rootfs : null,
                userSpec, o.user() != null ? "user" : "config.User");

        Map<String, String> env = new LinkedHashMap<>();
        putAll(env, c.env(), "config.Env");
        putAll(env, o.env(), "env");
        env.putIfAbsent("PATH", DEFAULT_PATH);
        if (o.hostname() != null && !o.hostname().isEmpty()) {
            env.putIfAbsent("HOSTNAME", o.hostname());
        }
        if (o.tty()) {
            env.putIfAbsent("TERM", "xterm");
        }
        env.putIfAbsent("HOME", user.home());
        List<String> envList = new ArrayList<>();
        env.forEach((k, v) -> envList.add(k + "=" + v));

        ProcessSpec process = new ProcessSpec(o.tty(), null,
                new User(user.uid(), user.gid(), null, user.additionalGids(), null), args, envList, cwd,
                new Capabilities(DEFAULT_CAPABILITIES, DEFAULT_CAPABILITIES, null, DEFAULT_CAPABILITIES, null),
                null, null, null, null, null);
        LinuxSpec linux = new LinuxSpec(namespaces(), null, null, null,
                new LinuxResources(deviceRules(), null, null, null, null, null, null, null, null),
                null, null, null, MASKED_PATHS, READONLY_PATHS, null, null, null);
        return new Spec(Version.ociRuntimeSpec(), process, new Root(rootfsPath, o.readOnlyRootfs()),
                o.hostname() == null || o.hostname().isEmpty() ? null : o.hostname(), null, defaultMounts(), null, null, linux);
    }

    private static void putAll(Map<String, String> env, List<String> entries, String field) {
        for (int i = 0; i < entries.size(); i++) {
            String e = entries.get(i);
            int eq = e.indexOf('=');
            if (eq <= 0) {
                throw new InvalidConfigException("", field + "[" + i + "]", "must be KEY=value: " + e);
            }
            env.put(e.substring(0, eq), e.substring(eq + 1));
        }
    }

    /** The namespaces Docker creates for a container. */
    static List<Namespace> namespaces() {
        List<Namespace> out = new ArrayList<>();
        for (String t : List.of("pid", "ipc", "uts", "mount", "network", "cgroup")) {
            out.add(new Namespace(t, null));
        }
        return out;
    }

    /** Docker's default mounts. */
    static List<Mount> defaultMounts() {
        return List.of(
                new Mount("/proc", "proc", "proc", List.of("nosuid", "noexec", "nodev")),
                new Mount("/dev", "tmpfs", "tmpfs", List.of("nosuid", "strictatime", "mode=755", "size=65536k")),
                new Mount("/dev/pts", "devpts", "devpts", List.of("nosuid", "noexec", "newinstance", "ptmxmode=0666",
                        "mode=0620", "gid=5")),
                new Mount("/sys", "sysfs", "sysfs", List.of("nosuid", "noexec", "nodev", "ro")),
                new Mount("/sys/fs/cgroup", "cgroup", "cgroup", List.of("ro", "nosuid", "noexec", "nodev")),
                new Mount("/dev/mqueue", "mqueue", "mqueue", List.of("nosuid", "noexec", "nodev")),
                new Mount("/dev/shm", "tmpfs", "shm", List.of("nosuid", "noexec", "nodev", "mode=1777", "size=65536k")));
    }

    /** Device cgroup rules: deny all, then the devices every container gets (as runc's default allow list). */
    static List<DeviceRule> deviceRules() {
        return List.of(
                new DeviceRule(false, "a", null, null, "rwm"),
                new DeviceRule(true, "c", null, null, "m"),
                new DeviceRule(true, "b", null, null, "m"),
                new DeviceRule(true, "c", 1L, 3L, "rwm"),     // null
                new DeviceRule(true, "c", 1L, 5L, "rwm"),     // zero
                new DeviceRule(true, "c", 1L, 7L, "rwm"),     // full
                new DeviceRule(true, "c", 1L, 8L, "rwm"),     // random
                new DeviceRule(true, "c", 1L, 9L, "rwm"),     // urandom
                new DeviceRule(true, "c", 5L, 0L, "rwm"),     // tty
                new DeviceRule(true, "c", 5L, 1L, "rwm"),     // console
                new DeviceRule(true, "c", 5L, 2L, "rwm"),     // ptmx
                new DeviceRule(true, "c", 136L, null, "rwm"), // pts
                new DeviceRule(true, "c", 10L, 200L, "rwm")); // tun
    }
}
