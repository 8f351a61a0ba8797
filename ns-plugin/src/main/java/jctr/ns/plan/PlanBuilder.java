package jctr.ns.plan;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

import jctr.kernel.InvalidConfigException;
import jctr.kernel.UnsupportedFeatureException;
import jctr.kernel.oci.Capabilities;
import jctr.kernel.oci.Capability;
import jctr.kernel.oci.Device;
import jctr.kernel.oci.IdMapping;
import jctr.kernel.oci.LinuxSpec;
import jctr.kernel.oci.Mount;
import jctr.kernel.oci.Namespace;
import jctr.kernel.oci.NamespaceType;
import jctr.kernel.oci.ProcessSpec;
import jctr.kernel.oci.RlimitType;
import jctr.kernel.oci.Spec;
import jctr.kernel.oci.TimeOffset;
import jctr.kernel.oci.User;
import jctr.kernel.spi.CgroupHandle;
import jctr.kernel.spi.ExecRequest;
import jctr.kernel.spi.IsolationRequest;
import jctr.kernel.spi.Stdio;
import jctr.ns.plan.HostView.CgroupHierarchy;
import jctr.ns.plan.Op.ChildKind;
import jctr.ns.plan.Op.MountChild;
import jctr.ns.plan.Op.TargetKind;

import static jctr.kernel.sys.CloneFlags.CLONE_INTO_CGROUP;
import static jctr.kernel.sys.CloneFlags.CLONE_NEWCGROUP;
import static jctr.kernel.sys.CloneFlags.CLONE_NEWTIME;
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
import static jctr.kernel.sys.MountFlags.MS_UNBINDABLE;
import static jctr.kernel.sys.OpenFlags.S_IFBLK;
import static jctr.kernel.sys.OpenFlags.S_IFCHR;
import static jctr.kernel.sys.OpenFlags.S_IFIFO;

/**
 * Computes {@link LaunchPlan}s: pure functions of the request and the {@link HostView}, no I/O, so every
 * plan can be asserted operation by operation without root.
 *
 * <p>A container's init follows the runtime spec's order (runtime.md "create", config.md,
 * config-linux.md): open the v1 cgroups' tasks files, join namespaces given by path (user first), clone3
 * into the new ones (and the v2 cgroup), wait while the parent writes id maps (and cgroup2 membership),
 * move into the v1 cgroups, unshare the cgroup and time
 * namespaces, join a new session keyring (unless {@code noNewKeyring}), then rlimits, hostname, sysctls, the root mount and {@code mounts} in order, devices and
 * /dev symlinks, pivot_root, the root's propagation, console, read-only root, readonly and masked paths, then the process's
 * credentials: umask, seccomp (before dropping capabilities unless no_new_privs), bounding set, groups,
 * gid, uid, capabilities, ambient set, cwd, no_new_privs, PATH lookup, the start gate, seccomp (with
 * no_new_privs, as late as possible) and execve.
 */
public final class PlanBuilder {

    /** PATH for the lookup of {@code args[0]} when {@code process.env} has none. */
    public static final String DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    private static final long CLONE_PARENT = 0x00008000L;
    /** CGROUP_SLOTS in jctr-init.c. */
    private static final int MAX_CGROUP_SLOTS = 64;
    private static final Pattern SYSCTL = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.\\-/]*");
    private static final List<Device> DEFAULT_DEVICES = List.of(
            new Device("c", "/dev/null", 1, 3, 0666, 0L, 0L),
            new Device("c", "/dev/zero", 1, 5, 0666, 0L, 0L),
            new Device("c", "/dev/full", 1, 7, 0666, 0L, 0L),
            new Device("c", "/dev/random", 1, 8, 0666, 0L, 0L),
            new Device("c", "/dev/urandom", 1, 9, 0666, 0L, 0L),
            new Device("c", "/dev/tty", 5, 0, 0666, 0L, 0L));
    /** Mount flags that a bind remount can change per mount point. */
    private static final long PER_MOUNT_FLAGS = MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC;

    private PlanBuilder() {
    }

    /**
     * The plan for a container's init.
     *
     * @param seccomp the compiled {@code linux.seccomp} filter, or null when the config has none
     * @throws InvalidConfigException naming the field for what the plan cannot be built from
     * @throws UnsupportedFeatureException for config jctr cannot apply
     */
    public static LaunchPlan forCreate(IsolationRequest request, HostView host, SeccompProgram seccomp) {
        Spec spec = request.spec();
        ProcessSpec process = requireProcess(spec.process());
        LinuxSpec linux = spec.linuxOrEmpty();
        if (spec.root() == null || spec.root().path() == null || !spec.root().path().startsWith("/")) {
            throw new InvalidConfigException("", "root.path", "must be an absolute path");
        }
        String rootfs = Path.of(spec.root().path()).normalize().toString();
        Namespaces ns = Namespaces.of(linux.namespaces());
        if (!ns.has(NamespaceType.MOUNT)) {
            throw new InvalidConfigException("", "linux.namespaces", "needs a mount namespace ({\"type\": \"mount\"}, "
                    + "new or joined by path): jctr sets up the root file system in the container's mount namespace, "
                    + "never in the runtime's");
        }
        // A joined mount namespace gets the same root file system set-up as a new one: root, mounts,
        // rootfsPropagation and the paths apply to the container whichever way its namespace came to be.
        boolean terminal = checkTerminal(process, request.stdio());
        List<Op> ops = new ArrayList<>();
        // Host paths first: joining namespaces changes what paths mean and drops host privileges.
        if (terminal) {
            ops.add(new Op.ConsoleConnect("process.terminal", ((Stdio.ConsoleSocket) request.stdio()).path().toString()));
        }
        CgroupHandle cgroup = request.cgroup();
        // After joining another mount namespace the cgroup directory's path would be looked up there: the
        // child is then placed through its cgroup.procs files, written from here.
        String cloneInto = cgroup != null && cgroup.cloneIntoDir() != null && ns.created.containsKey(NamespaceType.MOUNT)
                ? cgroup.cloneIntoDir() : "";
        List<String> procsFiles = cgroup == null || !cloneInto.isEmpty() ? List.of() : cgroup.procsFiles();
        List<String> tasksFiles = v1TasksFiles(procsFiles, host);
        openTasksFiles(tasksFiles, ops);
        int slot = ns.joinOps(ops);
        long flags = CLONE_PARENT;
        for (NamespaceType t : ns.created.keySet()) {
            if (t != NamespaceType.CGROUP && t != NamespaceType.TIME) {
                flags |= t.cloneFlag();
            }
        }
        if (!cloneInto.isEmpty()) {
            flags |= CLONE_INTO_CGROUP;
        }
        ops.add(new Op.Clone("linux.namespaces", flags, cloneInto));

        ops.add(new Op.SyncParent(""));
        // First thing after the go-ahead, before the cgroup namespace (its root is the cgroup it starts in).
        joinCgroups(tasksFiles, ops);
        if (ns.has(NamespaceType.USER)) {
            ops.add(new Op.BecomeRoot(ns.field(NamespaceType.USER)));
        }
        ops.add(new Op.NotDumpable(""));
        if (!request.options().noNewKeyring()) {
            ops.add(new Op.SessionKeyring("", "_ses." + request.containerId()));
        }
        if (ns.created.containsKey(NamespaceType.CGROUP)) {
            ops.add(new Op.Unshare(ns.field(NamespaceType.CGROUP), CLONE_NEWCGROUP));
        }
        if (ns.created.containsKey(NamespaceType.TIME)) {
            String f = ns.field(NamespaceType.TIME);
            ops.add(new Op.Unshare(f, CLONE_NEWTIME));
            if (!linux.timeOffsets().isEmpty()) {
                ops.add(new Op.WriteFile("linux.timeOffsets", "/proc/self/timens_offsets", timeOffsets(linux)));
            }
            // unshare does not move the caller into the new time namespace; joining it does.
            ops.add(new Op.NsOpen(f, slot, "/proc/self/ns/time_for_children"));
            ops.add(new Op.SetNs(f, slot, NamespaceType.TIME));
        }
        if (terminal) {
            ops.add(new Op.SetSid("process.terminal"));
        }
        limits(process, ops);
        hostnames(spec, ns, ops);
        if (ns.created.containsKey(NamespaceType.NETWORK)) {
            ops.add(new Op.LoopbackUp(ns.field(NamespaceType.NETWORK)));
        }
        for (Map.Entry<String, String> e : linux.sysctl().entrySet()) {
            String key = e.getKey();
            String field = "linux.sysctl." + key;
            if (!SYSCTL.matcher(key).matches() || key.contains("..")) {
                throw new InvalidConfigException("", field, "not a sysctl name");
            }
            ops.add(new Op.WriteFile(field, "/proc/sys/" + key.replace('.', '/'), e.getValue()));
        }

        long rootPropagation = rootPropagation(linux.rootfsPropagation());
        // Until the new root is in place the whole tree is a slave: nothing mounted here reaches the host,
        // the rootfs can be bound (an unbindable source could not) and pivot_root accepts it (it refuses
        // shared mounts). The requested propagation is the new root's, set once it is "/".
        ops.add(new Op.MountRaw("", "", "/", "", MS_SLAVE | MS_REC, ""));
        ops.add(new Op.MountRaw("root.path", rootfs, rootfs, "", MS_BIND | MS_REC, ""));
        ops.add(new Op.OpenRoot("root.path", rootfs));

        MountContext ctx = new MountContext(request.bundle(), host, ns, cgroup);
        List<Op> deferred = new ArrayList<>();
        for (int i = 0; i < spec.mounts().size(); i++) {
            ops.add(mount(i, spec.mounts().get(i), ctx, deferred));
        }
        boolean setupDev = spec.mounts().stream().noneMatch(m -> isDev(m.destination()) && isBind(m));
        if (setupDev) {
            devices(linux, ops);
        }
        ops.add(new Op.Mkdir("process.cwd", process.cwd(), 0755));
        if (request.options().noPivot() || host.rootIsRamfs()) {
            ops.add(new Op.MoveRoot("root.path", rootfs));
        } else {
            ops.add(new Op.PivotRoot("root.path"));
        }
        if (rootPropagation != 0) {
            ops.add(new Op.MountRaw("linux.rootfsPropagation", "", "/", "", rootPropagation, ""));
        }
        if (terminal) {
            ops.add(console(process, true));
        }
        ops.addAll(deferred);
        if (spec.root().readOnly()) {
            ops.add(new Op.Remount("root.readonly", "/", MS_RDONLY));
        }
        for (int i = 0; i < linux.readonlyPaths().size(); i++) {
            ops.add(new Op.ReadonlyPath("linux.readonlyPaths[" + i + "]", linux.readonlyPaths().get(i)));
        }
        for (int i = 0; i < linux.maskedPaths().size(); i++) {
            ops.add(new Op.MaskPath("linux.maskedPaths[" + i + "]", linux.maskedPaths().get(i)));
        }
        credentialsAndExec(process, seccomp, host.lastCap(), true, ops);

        return new LaunchPlan(ops, idMap(linux.uidMappings(), ns, "linux.uidMappings"),
                idMap(linux.gidMappings(), ns, "linux.gidMappings"),
                parentWritten(procsFiles, tasksFiles), request.stdio());
    }

    private static void openTasksFiles(List<String> tasksFiles, List<Op> ops) {
        for (int i = 0; i < tasksFiles.size(); i++) {
            ops.add(new Op.CgroupOpen("", i, tasksFiles.get(i)));
        }
    }

    private static void joinCgroups(List<String> tasksFiles, List<Op> ops) {
        for (int i = 0; i < tasksFiles.size(); i++) {
            ops.add(new Op.CgroupJoin("", i, tasksFiles.get(i)));
        }
    }

    /** The cgroup.procs files left for the parent: those without a tasks file the child joins. */
    private static List<String> parentWritten(List<String> procsFiles, List<String> tasksFiles) {
        return procsFiles.stream().filter(p -> !tasksFiles.contains(tasksFile(p))).toList();
    }

    /**
     * The tasks files of those {@code procsFiles} that lie in a cgroup v1 hierarchy: the child joins these
     * itself (see {@link Op.CgroupJoin}). A cgroup2 file has no tasks file and stays the parent's to write.
     *
     * @throws UnsupportedFeatureException past the native stage's {@value #MAX_CGROUP_SLOTS} slots
     */
    private static List<String> v1TasksFiles(List<String> procsFiles, HostView host) {
        List<CgroupHierarchy> hierarchies = host.cgroupHierarchies();
        List<String> tasks = procsFiles.stream()
                .filter(p -> {
                    Path file = Path.of(p).normalize();
                    // The innermost hierarchy holding the file decides (a v1 mount could sit above cgroup2's).
                    return file.getFileName() != null && file.getFileName().toString().equals("cgroup.procs")
                            && hierarchies.stream().filter(h -> file.startsWith(h.mountPoint()))
                            .max(Comparator.comparingInt(h -> h.mountPoint().length()))
                            .map(h -> h.fsType().equals("cgroup")).orElse(false);
                })
                .map(PlanBuilder::tasksFile).toList();
        if (tasks.size() > MAX_CGROUP_SLOTS) {
            throw new UnsupportedFeatureException("the container's cgroup spans " + tasks.size()
                    + " v1 hierarchies; jctr-init joins at most " + MAX_CGROUP_SLOTS);
        }
        return tasks;
    }

    private static String tasksFile(String procsFile) {
        return Path.of(procsFile).resolveSibling("tasks").toString();
    }

    /**
     * The plan for a process started in a running container: open the v1 cgroups' tasks files, join its
     * namespaces, get placed in its cgroups (v1: by itself, right after the parent's go-ahead), then the
     * same credential steps as an init, without a start gate.
     *
     * @param host the host's cgroup hierarchies (which cgroups are v1) and last capability
     */
    public static LaunchPlan forExec(ExecTarget target, ExecRequest request, HostView host) {
        ProcessSpec process = requireProcess(request.process());
        boolean terminal = checkTerminal(process, request.stdio());
        List<Op> ops = new ArrayList<>();
        if (terminal) {
            ops.add(new Op.ConsoleConnect("process.terminal", ((Stdio.ConsoleSocket) request.stdio()).path().toString()));
        }
        List<String> tasksFiles = v1TasksFiles(target.procsFiles(), host);
        openTasksFiles(tasksFiles, ops);
        List<ExecTarget.Join> joins = new ArrayList<>(target.namespaces());
        joins.sort(Comparator.comparing(j -> j.type() != NamespaceType.USER));
        for (int i = 0; i < joins.size(); i++) {
            ops.add(new Op.NsOpen("", i, joins.get(i).path()));
        }
        for (int i = 0; i < joins.size(); i++) {
            ops.add(new Op.SetNs("", i, joins.get(i).type()));
        }
        ops.add(new Op.Clone("", CLONE_PARENT, ""));
        ops.add(new Op.SyncParent(""));
        joinCgroups(tasksFiles, ops);
        ops.add(new Op.NotDumpable(""));
        if (terminal) {
            ops.add(new Op.SetSid("process.terminal"));
        }
        limits(process, ops);
        if (terminal) {
            ops.add(console(process, false));
        }
        credentialsAndExec(process, target.seccomp(), host.lastCap(), false, ops);
        return new LaunchPlan(ops, "", "", parentWritten(target.procsFiles(), tasksFiles), request.stdio());
    }

    private static ProcessSpec requireProcess(ProcessSpec process) {
        if (process == null) {
            throw new InvalidConfigException("", "process", "is required to start a process");
        }
        if (process.args().isEmpty() || process.args().getFirst().isEmpty()) {
            throw new InvalidConfigException("", "process.args", "must name the program to run");
        }
        if (process.cwd() == null || !process.cwd().startsWith("/")) {
            throw new InvalidConfigException("", "process.cwd", "must be an absolute path");
        }
        return process;
    }

    private static boolean checkTerminal(ProcessSpec process, Stdio stdio) {
        boolean console = stdio instanceof Stdio.ConsoleSocket;
        if (process.wantsTerminal() && !console) {
            throw new InvalidConfigException("", "process.terminal",
                    "a terminal needs a console socket to send the pty master to (--console-socket)");
        }
        if (!process.wantsTerminal() && console) {
            throw new InvalidConfigException("", "process.terminal",
                    "a console socket was given but process.terminal is false");
        }
        return console;
    }

    private static Op.Console console(ProcessSpec process, boolean bindDevConsole) {
        int rows = process.consoleSize() == null ? 0 : process.consoleSize().height();
        int cols = process.consoleSize() == null ? 0 : process.consoleSize().width();
        return new Op.Console("process.terminal", rows, cols, bindDevConsole);
    }

    private static void limits(ProcessSpec process, List<Op> ops) {
        if (process.oomScoreAdj() != null) {
            ops.add(new Op.WriteFile("process.oomScoreAdj", "/proc/self/oom_score_adj",
                    Integer.toString(process.oomScoreAdj())));
        }
        for (int i = 0; i < process.rlimits().size(); i++) {
            var r = process.rlimits().get(i);
            String field = "process.rlimits[" + i + "]";
            RlimitType type = RlimitType.parse(r.type() == null ? "" : r.type()).orElseThrow(() ->
                    new InvalidConfigException("", field + ".type", "unknown rlimit type: " + r.type()));
            ops.add(new Op.Rlimit(field, type.number(), r.soft(), r.hard()));
        }
    }

    /** Sets the names in the container's uts namespace, new or joined (never in the runtime's own). */
    private static void hostnames(Spec spec, Namespaces ns, List<Op> ops) {
        if (spec.hostname() != null && !spec.hostname().isEmpty()) {
            if (!ns.has(NamespaceType.UTS)) {
                throw new InvalidConfigException("", "hostname", "setting a hostname needs a uts namespace "
                        + "(new, or joined by path)");
            }
            ops.add(new Op.Hostname("hostname", spec.hostname()));
        }
        if (spec.domainname() != null && !spec.domainname().isEmpty()) {
            if (!ns.has(NamespaceType.UTS)) {
                throw new InvalidConfigException("", "domainname", "setting a domainname needs a uts namespace "
                        + "(new, or joined by path)");
            }
            ops.add(new Op.Domainname("domainname", spec.domainname()));
        }
    }

    private static String timeOffsets(LinuxSpec linux) {
        StringBuilder sb = new StringBuilder();
        for (Map.Entry<String, TimeOffset> e : linux.timeOffsets().entrySet()) {
            if (!e.getKey().equals("monotonic") && !e.getKey().equals("boottime")) {
                throw new InvalidConfigException("", "linux.timeOffsets." + e.getKey(),
                        "unknown clock (expected monotonic or boottime)");
            }
            sb.append(e.getKey()).append(' ').append(e.getValue().secs()).append(' ')
                    .append(e.getValue().nanosecs()).append('\n');
        }
        return sb.toString();
    }

    /** The propagation flags of {@code linux.rootfsPropagation}, or 0 when it is not set. */
    private static long rootPropagation(String name) {
        if (name == null || name.isEmpty()) {
            return 0;
        }
        long rec = name.startsWith("r") ? MS_REC : 0;
        return rec | switch (rec != 0 ? name.substring(1) : name) {
            case "shared" -> MS_SHARED;
            case "slave" -> MS_SLAVE;
            case "private" -> MS_PRIVATE;
            case "unbindable" -> MS_UNBINDABLE;
            default -> throw new InvalidConfigException("", "linux.rootfsPropagation", "unknown propagation: " + name
                    + " (expected shared, slave, private, unbindable, or their r-forms)");
        };
    }

    /** What mount planning needs besides the entry itself. */
    private record MountContext(Path bundle, HostView host, Namespaces ns, CgroupHandle cgroup) {
    }

    private static boolean isBind(Mount m) {
        return "bind".equals(m.type()) || m.options().contains("bind") || m.options().contains("rbind");
    }

    private static boolean isDev(String destination) {
        return destination != null && Path.of(destination).normalize().toString().equals("/dev");
    }

    /** Exactly one {@link Op.Mount} per config mount; a read-only /dev is remounted later (after its devices). */
    private static Op mount(int i, Mount m, MountContext ctx, List<Op> deferred) {
        String field = "mounts[" + i + "]";
        if (m.destination() == null || m.destination().isEmpty()) {
            throw new InvalidConfigException("", field + ".destination", "is required");
        }
        if (!m.uidMappings().isEmpty() || !m.gidMappings().isEmpty()) {
            throw new UnsupportedFeatureException(field + ": id-mapped mounts (uidMappings/gidMappings) are not "
                    + "supported by jctr yet");
        }
        MountOptions opts = MountOptions.parse(m.options(), field + ".options");
        String type = m.type() == null ? "" : m.type();
        String dest = m.destination();
        long rest = opts.flags() & ~(MS_BIND | MS_REC | MS_REMOUNT);
        if (type.equals("bind") || opts.bind()) {
            if (m.source() == null || m.source().isEmpty()) {
                throw new InvalidConfigException("", field + ".source", "a bind mount needs a source");
            }
            // Relative bind sources are relative to the bundle (config.md, "mounts").
            String source = Path.of(m.source()).isAbsolute() ? m.source() : ctx.bundle().resolve(m.source()).toString();
            return new Op.Mount(field, source, dest, "", MS_BIND | (opts.flags() & MS_REC), "",
                    rest == 0 ? 0 : MS_BIND | MS_REMOUNT | rest, opts.propagation(), TargetKind.LIKE_SOURCE, List.of());
        }
        if (type.isEmpty()) {
            throw new InvalidConfigException("", field + ".type", "is required for a mount that is not a bind mount");
        }
        if (type.equals("cgroup") || type.equals("cgroup2")) {
            return cgroupMount(field, dest, opts, ctx);
        }
        if (type.equals("sysfs") && ctx.ns().created.containsKey(NamespaceType.USER)
                && !ctx.ns().created.containsKey(NamespaceType.NETWORK)) {
            // The kernel refuses sysfs to a user namespace that does not own the network namespace.
            return new Op.Mount(field, "/sys", dest, "", MS_BIND | MS_REC, "",
                    MS_BIND | MS_REMOUNT | (rest & PER_MOUNT_FLAGS), opts.propagation(), TargetKind.DIRECTORY, List.of());
        }
        long flags = opts.flags() & ~MS_REMOUNT;
        if (isDev(dest) && (flags & MS_RDONLY) != 0) {
            flags &= ~MS_RDONLY;
            deferred.add(new Op.Remount(field, "/dev", MS_RDONLY | (flags & PER_MOUNT_FLAGS)));
        }
        String source = m.source() == null ? "" : m.source();
        return new Op.Mount(field, source, dest, type, flags, opts.data(), 0, opts.propagation(),
                TargetKind.DIRECTORY, List.of());
    }

    /**
     * The host's cgroup hierarchies as the container should see them: with a cgroup namespace, mounted
     * again (the kernel shows the namespace root); without one, the container's own cgroup bound from the
     * host. On v1 and hybrid hosts they sit on a tmpfs like the host's /sys/fs/cgroup.
     */
    private static Op cgroupMount(String field, String dest, MountOptions opts, MountContext ctx) {
        boolean cgroupNs = ctx.ns().created.containsKey(NamespaceType.CGROUP);
        long flags = opts.flags() & ~MS_REMOUNT;
        long perMount = flags & PER_MOUNT_FLAGS;
        List<CgroupHierarchy> hierarchies = ctx.host().cgroupHierarchies();
        if (hierarchies.isEmpty()) {
            throw new UnsupportedFeatureException(field + ": this host has no cgroup file system mounted at "
                    + HostView.CGROUP_ROOT);
        }
        if (hierarchies.size() == 1 && hierarchies.getFirst().mountPoint().equals(HostView.CGROUP_ROOT)) {
            CgroupHierarchy h = hierarchies.getFirst();
            if (cgroupNs) {
                return new Op.Mount(field, "cgroup", dest, "cgroup2", flags, opts.data(), 0, opts.propagation(),
                        TargetKind.DIRECTORY, List.of());
            }
            return new Op.Mount(field, containerCgroupDir(h, ctx), dest, "", MS_BIND | MS_REC, "",
                    perMount == 0 ? 0 : MS_BIND | MS_REMOUNT | perMount, opts.propagation(), TargetKind.DIRECTORY,
                    List.of());
        }
        List<MountChild> children = new ArrayList<>();
        for (CgroupHierarchy h : hierarchies) {
            String name = Path.of(h.mountPoint()).getFileName().toString();
            if (cgroupNs) {
                children.add(new MountChild(ChildKind.MOUNT, name, "cgroup", h.fsType(), flags | MS_NOSUID | MS_NODEV
                        | MS_NOEXEC, h.controllers()));
            } else {
                children.add(new MountChild(ChildKind.BIND, name, containerCgroupDir(h, ctx), "", perMount, ""));
            }
        }
        ctx.host().cgroupSymlinks().entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(e ->
                children.add(new MountChild(ChildKind.SYMLINK, e.getKey(), e.getValue(), "", 0, "")));
        long tmpfsFlags = (flags & ~MS_RDONLY) | MS_NOSUID | MS_NODEV | MS_NOEXEC;
        return new Op.Mount(field, "tmpfs", dest, "tmpfs", tmpfsFlags, "mode=755",
                (flags & MS_RDONLY) != 0 ? MS_BIND | MS_REMOUNT | MS_RDONLY | (tmpfsFlags & PER_MOUNT_FLAGS) : 0,
                opts.propagation(), TargetKind.DIRECTORY, children);
    }

    /** The host directory of the container's cgroup in hierarchy {@code h}: its handle's, else the caller's. */
    private static String containerCgroupDir(CgroupHierarchy h, MountContext ctx) {
        if (ctx.cgroup() != null) {
            List<String> dirs = new ArrayList<>(ctx.cgroup().procsFiles().stream()
                    .map(f -> Path.of(f).getParent().toString()).toList());
            if (ctx.cgroup().cloneIntoDir() != null) {
                dirs.add(ctx.cgroup().cloneIntoDir());
            }
            for (String dir : dirs) {
                if (Path.of(dir).startsWith(Path.of(h.mountPoint()))) {
                    return dir;
                }
            }
        }
        String own = ctx.host().ownCgroup(h);
        return own.equals("/") ? h.mountPoint() : h.mountPoint() + own;
    }

    private static void devices(LinuxSpec linux, List<Op> ops) {
        Set<String> configured = new HashSet<>();
        linux.devices().forEach(d -> configured.add(Path.of(d.path()).normalize().toString()));
        for (Device d : DEFAULT_DEVICES) {
            if (!configured.contains(d.path())) {
                ops.add(device("linux.devices", d));
            }
        }
        for (int i = 0; i < linux.devices().size(); i++) {
            ops.add(device("linux.devices[" + i + "]", linux.devices().get(i)));
        }
        ops.add(new Op.Symlink("", "/proc/self/fd", "/dev/fd", false));
        ops.add(new Op.Symlink("", "/proc/self/fd/0", "/dev/stdin", false));
        ops.add(new Op.Symlink("", "/proc/self/fd/1", "/dev/stdout", false));
        ops.add(new Op.Symlink("", "/proc/self/fd/2", "/dev/stderr", false));
        ops.add(new Op.Symlink("", "pts/ptmx", "/dev/ptmx", true));
    }

    private static Op.Device device(String field, Device d) {
        int typeBits = switch (d.type() == null ? "" : d.type()) {
            case "c", "u" -> S_IFCHR;
            case "b" -> S_IFBLK;
            case "p" -> S_IFIFO;
            default -> throw new InvalidConfigException("", field + ".type", "must be c, b, u or p: " + d.type());
        };
        if (d.path() == null || !d.path().startsWith("/")) {
            throw new InvalidConfigException("", field + ".path", "must be an absolute path: " + d.path());
        }
        int mode = d.fileMode() == null ? 0666 : d.fileMode() & 07777;
        String path = Path.of(d.path()).normalize().toString();
        return new Op.Device(field, path, typeBits | mode, d.major(), d.minor(),
                d.uid() == null ? 0 : d.uid(), d.gid() == null ? 0 : d.gid(), typeBits == S_IFIFO ? "" : path);
    }

    private static void credentialsAndExec(ProcessSpec process, SeccompProgram seccomp, int lastCap, boolean startGate,
                                           List<Op> ops) {
        User user = process.userOrRoot();
        ops.add(new Op.Umask("process.user.umask", user.umask() == null ? 0022 : user.umask()));
        boolean nnp = process.wantsNoNewPrivileges();
        if (seccomp != null && !nnp) {
            // Without no_new_privs, installing a filter needs CAP_SYS_ADMIN: do it before dropping it.
            ops.add(new Op.Seccomp("linux.seccomp", seccomp.flags(), seccomp.program()));
        }
        Capabilities caps = process.capabilities() != null ? process.capabilities()
                : new Capabilities(null, null, null, null, null);
        ops.add(new Op.Bounding("process.capabilities.bounding",
                capMask(caps.bounding(), "process.capabilities.bounding", lastCap)));
        ops.add(new Op.SetGroups("process.user.additionalGids", user.additionalGids()));
        ops.add(new Op.SetGid("process.user.gid", user.gid()));
        ops.add(new Op.SetUid("process.user.uid", user.uid()));
        long permitted = capMask(caps.permitted(), "process.capabilities.permitted", lastCap);
        long inheritable = capMask(caps.inheritable(), "process.capabilities.inheritable", lastCap);
        ops.add(new Op.Capset("process.capabilities",
                capMask(caps.effective(), "process.capabilities.effective", lastCap), permitted, inheritable));
        // The kernel raises an ambient capability only if it is permitted and inheritable; like runc, the
        // others are left out instead of failing (runc's own default config lists ambient caps alone).
        ops.add(new Op.Ambient("process.capabilities.ambient",
                capMask(caps.ambient(), "process.capabilities.ambient", lastCap) & permitted & inheritable));
        ops.add(new Op.Chdir("process.cwd", process.cwd()));
        if (nnp) {
            ops.add(new Op.NoNewPrivs("process.noNewPrivileges"));
        }
        ops.add(new Op.ResolveExec("process.args[0]", process.args().getFirst(), searchPath(process.env())));
        ops.add(new Op.Ready("", startGate));
        if (seccomp != null && nnp) {
            ops.add(new Op.Seccomp("linux.seccomp", seccomp.flags(), seccomp.program()));
        }
        ops.add(new Op.Exec("process.args", process.args(), process.env()));
    }

    /**
     * A capability bit mask. Names the kernel does not know (above {@code lastCap}) are left out, as runc
     * does, so a config written for a newer kernel still runs.
     */
    static long capMask(List<String> names, String field, int lastCap) {
        long mask = 0;
        for (int i = 0; i < names.size(); i++) {
            String name = names.get(i);
            String at = field + "[" + i + "]";
            int n = Capability.parse(name).filter(c -> name.startsWith("CAP_")).map(Capability::number)
                    .orElseThrow(() -> new InvalidConfigException("", at, "unknown capability: " + name));
            if (n <= lastCap) {
                mask |= 1L << n;
            }
        }
        return mask;
    }

    private static String searchPath(List<String> env) {
        for (int i = env.size() - 1; i >= 0; i--) {
            if (env.get(i).startsWith("PATH=")) {
                return env.get(i).substring(5);
            }
        }
        return DEFAULT_PATH;
    }

    private static String idMap(List<IdMapping> mappings, Namespaces ns, String field) {
        if (!ns.created.containsKey(NamespaceType.USER)) {
            return "";
        }
        if (mappings.isEmpty()) {
            throw new InvalidConfigException("", field, "a new user namespace needs uidMappings and gidMappings");
        }
        StringBuilder sb = new StringBuilder();
        for (IdMapping m : mappings) {
            sb.append(m.containerId()).append(' ').append(m.hostId()).append(' ').append(m.size()).append('\n');
        }
        return sb.toString();
    }

    /** The namespaces of a config: which to create (with their field), which to join by path. */
    private record Namespaces(Map<NamespaceType, String> created, List<Joined> joined) {

        record Joined(NamespaceType type, String path, String field) {
        }

        static Namespaces of(List<Namespace> list) {
            Map<NamespaceType, String> created = new EnumMap<>(NamespaceType.class);
            List<Joined> joined = new ArrayList<>();
            Set<NamespaceType> seen = new HashSet<>();
            for (int i = 0; i < list.size(); i++) {
                Namespace n = list.get(i);
                String field = "linux.namespaces[" + i + "]";
                NamespaceType type = NamespaceType.fromSpecName(n.type() == null ? "" : n.type()).orElseThrow(() ->
                        new InvalidConfigException("", field + ".type", "unknown namespace type: " + n.type()
                                + " (expected pid, network, mount, ipc, uts, user, cgroup or time)"));
                if (!seen.add(type)) {
                    throw new InvalidConfigException("", field + ".type", "duplicate namespace type: " + n.type());
                }
                if (n.path() == null || n.path().isEmpty()) {
                    created.put(type, field);
                } else if (!n.path().startsWith("/")) {
                    throw new InvalidConfigException("", field + ".path", "must be an absolute path: " + n.path());
                } else {
                    joined.add(new Joined(type, n.path(), field));
                }
            }
            // The user namespace is joined first: it grants the rights to join the others.
            joined.sort(Comparator.comparing(j -> j.type() != NamespaceType.USER));
            return new Namespaces(created, joined);
        }

        boolean has(NamespaceType type) {
            return created.containsKey(type) || joinedField(type) != null;
        }

        String field(NamespaceType type) {
            String f = created.get(type);
            return f != null ? f : joinedField(type);
        }

        String joinedField(NamespaceType type) {
            return joined.stream().filter(j -> j.type() == type).map(Joined::field).findFirst().orElse(null);
        }

        /** Adds the opens and setns calls for joined namespaces; returns the next free descriptor slot. */
        int joinOps(List<Op> ops) {
            for (int i = 0; i < joined.size(); i++) {
                ops.add(new Op.NsOpen(joined.get(i).field() + ".path", i, joined.get(i).path()));
            }
            for (int i = 0; i < joined.size(); i++) {
                ops.add(new Op.SetNs(joined.get(i).field(), i, joined.get(i).type()));
            }
            return joined.size();
        }
    }
}
