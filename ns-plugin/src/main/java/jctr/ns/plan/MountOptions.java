package jctr.ns.plan;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import jctr.kernel.InvalidConfigException;
import jctr.kernel.UnsupportedFeatureException;

import static jctr.kernel.sys.MountFlags.MS_BIND;
import static jctr.kernel.sys.MountFlags.MS_DIRSYNC;
import static jctr.kernel.sys.MountFlags.MS_LAZYTIME;
import static jctr.kernel.sys.MountFlags.MS_MANDLOCK;
import static jctr.kernel.sys.MountFlags.MS_NOATIME;
import static jctr.kernel.sys.MountFlags.MS_NODEV;
import static jctr.kernel.sys.MountFlags.MS_NODIRATIME;
import static jctr.kernel.sys.MountFlags.MS_NOEXEC;
import static jctr.kernel.sys.MountFlags.MS_NOSUID;
import static jctr.kernel.sys.MountFlags.MS_NOSYMFOLLOW;
import static jctr.kernel.sys.MountFlags.MS_PRIVATE;
import static jctr.kernel.sys.MountFlags.MS_RDONLY;
import static jctr.kernel.sys.MountFlags.MS_REC;
import static jctr.kernel.sys.MountFlags.MS_RELATIME;
import static jctr.kernel.sys.MountFlags.MS_REMOUNT;
import static jctr.kernel.sys.MountFlags.MS_SHARED;
import static jctr.kernel.sys.MountFlags.MS_SILENT;
import static jctr.kernel.sys.MountFlags.MS_SLAVE;
import static jctr.kernel.sys.MountFlags.MS_STRICTATIME;
import static jctr.kernel.sys.MountFlags.MS_SYNCHRONOUS;
import static jctr.kernel.sys.MountFlags.MS_UNBINDABLE;

/**
 * The fstab-style {@code options} of an OCI mount, split the way mount(2) wants them: flags, propagation
 * changes, and the file-system data string (everything not a flag, e.g. {@code mode=755,size=65536k}).
 * Options apply left to right, so {@code ro,rw} is read-write.
 *
 * @param flags MS_* flags to mount with (MS_BIND and MS_REC for bind/rbind)
 * @param propagation MS_SHARED/MS_SLAVE/MS_PRIVATE/MS_UNBINDABLE, with MS_REC for the r-forms
 * @param data comma-joined file-system options; empty when none
 */
public record MountOptions(long flags, long propagation, String data) {

    /** Options that set a flag (true) or clear it (false). */
    private record Flag(long bit, boolean set) {
    }

    private static final Map<String, Flag> FLAGS = Map.ofEntries(
            Map.entry("ro", new Flag(MS_RDONLY, true)), Map.entry("rw", new Flag(MS_RDONLY, false)),
            Map.entry("nosuid", new Flag(MS_NOSUID, true)), Map.entry("suid", new Flag(MS_NOSUID, false)),
            Map.entry("nodev", new Flag(MS_NODEV, true)), Map.entry("dev", new Flag(MS_NODEV, false)),
            Map.entry("noexec", new Flag(MS_NOEXEC, true)), Map.entry("exec", new Flag(MS_NOEXEC, false)),
            Map.entry("sync", new Flag(MS_SYNCHRONOUS, true)), Map.entry("async", new Flag(MS_SYNCHRONOUS, false)),
            Map.entry("dirsync", new Flag(MS_DIRSYNC, true)),
            Map.entry("remount", new Flag(MS_REMOUNT, true)),
            Map.entry("mand", new Flag(MS_MANDLOCK, true)), Map.entry("nomand", new Flag(MS_MANDLOCK, false)),
            Map.entry("noatime", new Flag(MS_NOATIME, true)), Map.entry("atime", new Flag(MS_NOATIME, false)),
            Map.entry("nodiratime", new Flag(MS_NODIRATIME, true)), Map.entry("diratime", new Flag(MS_NODIRATIME, false)),
            Map.entry("relatime", new Flag(MS_RELATIME, true)), Map.entry("norelatime", new Flag(MS_RELATIME, false)),
            Map.entry("strictatime", new Flag(MS_STRICTATIME, true)),
            Map.entry("nostrictatime", new Flag(MS_STRICTATIME, false)),
            Map.entry("lazytime", new Flag(MS_LAZYTIME, true)), Map.entry("nolazytime", new Flag(MS_LAZYTIME, false)),
            Map.entry("silent", new Flag(MS_SILENT, true)), Map.entry("loud", new Flag(MS_SILENT, false)),
            Map.entry("nosymfollow", new Flag(MS_NOSYMFOLLOW, true)),
            Map.entry("symfollow", new Flag(MS_NOSYMFOLLOW, false)),
            Map.entry("bind", new Flag(MS_BIND, true)), Map.entry("rbind", new Flag(MS_BIND | MS_REC, true)));

    private static final Map<String, Long> PROPAGATION = Map.of(
            "private", MS_PRIVATE, "rprivate", MS_PRIVATE | MS_REC,
            "shared", MS_SHARED, "rshared", MS_SHARED | MS_REC,
            "slave", MS_SLAVE, "rslave", MS_SLAVE | MS_REC,
            "unbindable", MS_UNBINDABLE, "runbindable", MS_UNBINDABLE | MS_REC);

    /** Options jctr recognises but cannot apply yet; refusing them beats silently ignoring them. */
    private static final Map<String, String> UNSUPPORTED = Map.of(
            "tmpcopyup", "copying the image's content into a tmpfs",
            "idmap", "id-mapped mounts", "ridmap", "id-mapped mounts",
            "rro", "recursive read-only (mount_setattr)", "rrw", "recursive mount attributes",
            "rnosuid", "recursive mount attributes", "rnodev", "recursive mount attributes",
            "rnoexec", "recursive mount attributes", "rnoatime", "recursive mount attributes");

    /** Whether this is a bind mount. */
    public boolean bind() {
        return (flags & MS_BIND) != 0;
    }

    /** Whether MS_RDONLY is requested. */
    public boolean readOnly() {
        return (flags & MS_RDONLY) != 0;
    }

    /**
     * Parses mount options.
     *
     * @param field the JSON path of the options array, e.g. {@code mounts[2].options}, for errors
     * @throws UnsupportedFeatureException for an option jctr cannot apply
     * @throws InvalidConfigException for an empty option
     */
    public static MountOptions parse(List<String> options, String field) {
        long flags = 0;
        long propagation = 0;
        List<String> data = new ArrayList<>();
        for (int i = 0; i < options.size(); i++) {
            String o = options.get(i).trim();
            Flag f = FLAGS.get(o);
            Long p = PROPAGATION.get(o);
            if (f != null) {
                flags = f.set() ? flags | f.bit() : flags & ~f.bit();
            } else if (p != null) {
                propagation |= p;
            } else if (o.equals("defaults")) {
                continue;
            } else if (UNSUPPORTED.containsKey(o)) {
                throw new UnsupportedFeatureException(field + "[" + i + "]: \"" + o + "\" (" + UNSUPPORTED.get(o)
                        + ") is not supported by jctr yet");
            } else if (o.isEmpty()) {
                throw new InvalidConfigException("", field + "[" + i + "]", "empty mount option");
            } else {
                data.add(o);
            }
        }
        return new MountOptions(flags, propagation, String.join(",", data));
    }
}
