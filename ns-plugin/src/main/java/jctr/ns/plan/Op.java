package jctr.ns.plan;

import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;

import jctr.kernel.oci.NamespaceType;

/**
 * One primitive operation of a {@link LaunchPlan}, executed in order by the native launch stage
 * ({@code jctr-init}). Each operation names the config {@link #field() field} it comes from (e.g.
 * {@code mounts[3]}, {@code process.rlimits[0]}), so that a failure reported as (index, errno) becomes
 * an error that points at the field to fix; internal steps have an empty field.
 *
 * <p>Operations up to and including {@link Clone} run in the launcher (a child of the JVM), the rest
 * in the cloned process that becomes the container's init (or exec'd process). Paths in
 * {@link Mount}, {@link Mkdir}, {@link Device} and {@link Symlink} are resolved inside the rootfs opened
 * by {@link OpenRoot} (symlinks cannot lead out of it); after {@link PivotRoot}/{@link MoveRoot} plain
 * paths are the container's.
 */
public sealed interface Op {

    /** The config field this operation comes from, e.g. {@code mounts[3]}; empty for internal steps. */
    String field();

    /** What the operation does, for error messages, e.g. {@code mount /data on /mnt}. */
    String describe();

    /** Opens a namespace file into descriptor slot {@code slot} (for a later {@link SetNs}). */
    record NsOpen(String field, int slot, String path) implements Op {
        public String describe() {
            return "open namespace " + path;
        }
    }

    /** setns(2) into the namespace opened in {@code slot}. */
    record SetNs(String field, int slot, NamespaceType type) implements Op {
        public String describe() {
            return "join the " + type.specName() + " namespace";
        }
    }

    /** Connects to the console socket, to send the pty master over it later. */
    record ConsoleConnect(String field, String socketPath) implements Op {
        public String describe() {
            return "connect to the console socket " + socketPath;
        }
    }

    /**
     * clone3(2) with {@code flags} (CLONE_NEW* bits, CLONE_PARENT, CLONE_INTO_CGROUP); the launcher
     * reports the child's pid and exits, the child runs the rest of the plan.
     *
     * @param cgroupDir the cgroup v2 directory for CLONE_INTO_CGROUP, or empty
     */
    record Clone(String field, long flags, String cgroupDir) implements Op {
        public String describe() {
            return "clone3 with flags 0x" + Long.toHexString(flags) + (cgroupDir.isEmpty() ? "" : " into " + cgroupDir);
        }
    }

    /**
     * Opens a cgroup v1 hierarchy's {@code tasks} file for writing into cgroup slot {@code slot}, in the
     * launcher before any namespace is joined: host paths still mean the host's, and the kernel checks a
     * later write against the credentials of this open (host root), whatever user namespace the writer is in.
     */
    record CgroupOpen(String field, int slot, String tasksFile) implements Op {
        public String describe() {
            return "open the cgroup tasks file " + tasksFile;
        }
    }

    /**
     * Writes "0" into the tasks file opened in {@code slot}: the container process moves itself (its one
     * thread) into that cgroup, which spares the kernel's global threadgroup lock that moving another
     * process's thread group takes. {@code tasksFile} is for messages only.
     */
    record CgroupJoin(String field, int slot, String tasksFile) implements Op {
        public String describe() {
            int slash = tasksFile.lastIndexOf('/');
            return "join the cgroup " + (slash > 0 ? tasksFile.substring(0, slash) : tasksFile)
                    + " (write 0 to " + tasksFile + ")";
        }
    }

    /** Waits until the Java parent has written id maps and cgroup membership. */
    record SyncParent(String field) implements Op {
        public String describe() {
            return "wait for the parent";
        }
    }

    /** setresgid/setresuid(0) in a (new or joined) user namespace, to become its root. */
    record BecomeRoot(String field) implements Op {
        public String describe() {
            return "become root in the user namespace";
        }
    }

    /** PR_SET_DUMPABLE 0: nothing in the container can open the launcher through /proc before exec. */
    record NotDumpable(String field) implements Op {
        public String describe() {
            return "make the process non-dumpable";
        }
    }

    /** Joins a new session keyring named {@code name}, so the container does not share the caller's keys. */
    record SessionKeyring(String field, String name) implements Op {
        public String describe() {
            return "join a new session keyring " + name;
        }
    }

    /** unshare(2) for namespaces that must start after a parent step (cgroup: after placement; time). */
    record Unshare(String field, long flags) implements Op {
        public String describe() {
            return "unshare 0x" + Long.toHexString(flags);
        }
    }

    /** Writes {@code content} to a (proc) file in one write(2): sysctls, oom_score_adj, time offsets. */
    record WriteFile(String field, String path, String content) implements Op {
        public String describe() {
            return "write \"" + content.strip() + "\" to " + path;
        }
    }

    /** setsid(2): a new session, so the console can become the controlling terminal. */
    record SetSid(String field) implements Op {
        public String describe() {
            return "start a new session";
        }
    }

    /** setrlimit(2). */
    record Rlimit(String field, int resource, long soft, long hard) implements Op {
        public String describe() {
            return "setrlimit " + resource + " soft " + Long.toUnsignedString(soft) + " hard " + Long.toUnsignedString(hard);
        }
    }

    /** sethostname(2). */
    record Hostname(String field, String name) implements Op {
        public String describe() {
            return "sethostname " + name;
        }
    }

    /** setdomainname(2). */
    record Domainname(String field, String name) implements Op {
        public String describe() {
            return "setdomainname " + name;
        }
    }

    /** Brings the new network namespace's loopback interface up. */
    record LoopbackUp(String field) implements Op {
        public String describe() {
            return "bring up lo";
        }
    }

    /** mount(2) with host paths as given (propagation of "/", the rootfs bind); empty strings are NULL. */
    record MountRaw(String field, String source, String target, String fsType, long flags, String data)
            implements Op {
        public String describe() {
            return "mount " + (source.isEmpty() ? "(none)" : source) + " on " + target + flagText(flags);
        }
    }

    /** Opens the rootfs; later rootfs-relative paths resolve inside it. */
    record OpenRoot(String field, String path) implements Op {
        public String describe() {
            return "open the rootfs " + path;
        }
    }

    /** How the target of a {@link Mount} is created when missing. */
    enum TargetKind {
        /** A directory (mkdir -p). */
        DIRECTORY,
        /** An empty file (its parents with mkdir -p). */
        FILE,
        /** A file or directory, like the (host) source. */
        LIKE_SOURCE
    }

    /** What a {@link MountChild} is. */
    enum ChildKind {
        /** mount(source, dest/name, fsType, flags, data). */
        MOUNT,
        /** A recursive bind of a host path on dest/name, remounted with {@code flags} when non-zero. */
        BIND,
        /** A symlink dest/name pointing to {@code source}. */
        SYMLINK
    }

    /** A mount or symlink created inside a {@link Mount}'s target (the cgroup hierarchies under /sys/fs/cgroup). */
    record MountChild(ChildKind kind, String name, String source, String fsType, long flags, String data) {
        public MountChild {
            Objects.requireNonNull(kind, "kind");
        }
    }

    /**
     * One entry of {@code mounts}: the target is created inside the rootfs if missing, mounted with
     * {@code flags}/{@code data}, then its children are created, then it is remounted with
     * {@code remountFlags} (non-zero: e.g. MS_BIND|MS_REMOUNT|MS_RDONLY for a read-only bind), then the
     * {@code propagation} bits (MS_SHARED, MS_SLAVE, MS_PRIVATE, MS_UNBINDABLE, maybe MS_REC) are applied.
     */
    record Mount(String field, String source, String destination, String fsType, long flags, String data,
                 long remountFlags, long propagation, TargetKind target, List<MountChild> children) implements Op {
        public Mount {
            children = List.copyOf(children);
        }

        public String describe() {
            return "mount " + (source.isEmpty() ? fsType : source) + " on " + destination
                    + (fsType.isEmpty() ? "" : " (" + fsType + ")");
        }
    }

    /** mkdir -p inside the rootfs. */
    record Mkdir(String field, String path, int mode) implements Op {
        public String describe() {
            return "mkdir -p " + path;
        }
    }

    /**
     * mknod inside the rootfs (replacing what is there) and chown; when the kernel refuses mknod (in a
     * user namespace) and {@code hostPath} is not empty, an empty file with the host node bound on it.
     *
     * @param mode file type bits (S_IFCHR, S_IFBLK, S_IFIFO) and permissions
     */
    record Device(String field, String path, int mode, long major, long minor, long uid, long gid, String hostPath)
            implements Op {
        public String describe() {
            return "create device " + path + " (" + major + ":" + minor + ")";
        }
    }

    /** A symlink inside the rootfs; an existing entry is kept unless {@code replace}. */
    record Symlink(String field, String target, String path, boolean replace) implements Op {
        public String describe() {
            return "symlink " + path + " -> " + target;
        }
    }

    /** pivot_root(2) into the rootfs and detach the old root. */
    record PivotRoot(String field) implements Op {
        public String describe() {
            return "pivot_root";
        }
    }

    /** MS_MOVE of the rootfs onto / and chroot, for a host root that is a ramfs (where pivot_root fails). */
    record MoveRoot(String field, String rootfs) implements Op {
        public String describe() {
            return "move " + rootfs + " to / and chroot";
        }
    }

    /**
     * Allocates a pty in the container's /dev/pts, sends the master over the console socket, and makes
     * the slave the controlling terminal and stdio (and bind-mounts it on /dev/console when asked).
     */
    record Console(String field, int rows, int cols, boolean bindDevConsole) implements Op {
        public String describe() {
            return "set up the console";
        }
    }

    /** A bind remount of a mount point with {@code flags} (MS_RDONLY and the like). */
    record Remount(String field, String path, long flags) implements Op {
        public String describe() {
            return "remount " + path + flagText(flags);
        }
    }

    /** Bind a path on itself and remount it read-only; a missing path is skipped. */
    record ReadonlyPath(String field, String path) implements Op {
        public String describe() {
            return "make " + path + " read-only";
        }
    }

    /** Hide a path: /dev/null over a file, a read-only tmpfs over a directory; a missing path is skipped. */
    record MaskPath(String field, String path) implements Op {
        public String describe() {
            return "mask " + path;
        }
    }

    /** umask(2). */
    record Umask(String field, int mask) implements Op {
        public String describe() {
            return "umask 0" + Integer.toOctalString(mask);
        }
    }

    /**
     * seccomp(SECCOMP_SET_MODE_FILTER, flags, program).
     *
     * @param program classic BPF, little-endian {@code struct sock_filter} entries of 8 bytes
     */
    record Seccomp(String field, int flags, byte[] program) implements Op {
        public Seccomp {
            program = program.clone();
        }

        @Override
        public byte[] program() {
            return program.clone();
        }

        public String describe() {
            return "install the seccomp filter (" + program.length / 8 + " instructions)";
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Seccomp s && s.field.equals(field) && s.flags == flags && Arrays.equals(s.program, program);
        }

        @Override
        public int hashCode() {
            return Objects.hash(field, flags, Arrays.hashCode(program));
        }

        @Override
        public String toString() {
            return "Seccomp[field=" + field + ", flags=" + flags + ", program=" + HexFormat.of().formatHex(program) + "]";
        }
    }

    /** Drops every capability not in {@code keep} (a bit mask by capability number) from the bounding set. */
    record Bounding(String field, long keep) implements Op {
        public String describe() {
            return "limit the bounding set to 0x" + Long.toHexString(keep);
        }
    }

    /** setgroups(2). */
    record SetGroups(String field, List<Long> gids) implements Op {
        public SetGroups {
            gids = List.copyOf(gids);
        }

        public String describe() {
            return "setgroups " + gids;
        }
    }

    /** setresgid(2) to {@code gid}. */
    record SetGid(String field, long gid) implements Op {
        public String describe() {
            return "setgid " + gid;
        }
    }

    /** setresuid(2) to {@code uid}, keeping the permitted capabilities for the following {@link Capset}. */
    record SetUid(String field, long uid) implements Op {
        public String describe() {
            return "setuid " + uid;
        }
    }

    /** capset(2) with bit masks by capability number. */
    record Capset(String field, long effective, long permitted, long inheritable) implements Op {
        public String describe() {
            return "capset effective 0x" + Long.toHexString(effective) + " permitted 0x" + Long.toHexString(permitted)
                    + " inheritable 0x" + Long.toHexString(inheritable);
        }
    }

    /** Clears the ambient set and raises the capabilities in {@code raise}. */
    record Ambient(String field, long raise) implements Op {
        public String describe() {
            return "raise ambient capabilities 0x" + Long.toHexString(raise);
        }
    }

    /** chdir(2). */
    record Chdir(String field, String path) implements Op {
        public String describe() {
            return "chdir " + path;
        }
    }

    /** PR_SET_NO_NEW_PRIVS. */
    record NoNewPrivs(String field) implements Op {
        public String describe() {
            return "set no_new_privs";
        }
    }

    /** Finds the program like execvp: {@code name} itself when it has a slash, else in {@code searchPath}. */
    record ResolveExec(String field, String name, String searchPath) implements Op {
        public String describe() {
            return name.contains("/") ? "find " + name : "find " + name + " in PATH " + searchPath;
        }
    }

    /**
     * Tells the parent that everything before exec is done. With {@code startGate}, the process then
     * makes the gate's two pipes (reported with READY), closes the parent's socket and waits until
     * {@code start} writes into the go pipe; later failures go to the result pipe.
     */
    record Ready(String field, boolean startGate) implements Op {
        public String describe() {
            return startGate ? "wait for start" : "report ready";
        }
    }

    /** execve(2) of the program found by {@link ResolveExec}. */
    record Exec(String field, List<String> argv, List<String> env) implements Op {
        public Exec {
            argv = List.copyOf(argv);
            env = List.copyOf(env);
        }

        public String describe() {
            return "exec " + (argv.isEmpty() ? "" : argv.getFirst());
        }
    }

    private static String flagText(long flags) {
        return flags == 0 ? "" : " (flags 0x" + Long.toHexString(flags) + ")";
    }
}
