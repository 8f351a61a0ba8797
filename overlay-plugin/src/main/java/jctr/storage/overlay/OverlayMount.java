package jctr.storage.overlay;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import jctr.kernel.KernelException;
import jctr.kernel.ResourceLimitException;
import jctr.kernel.host.MountEntry;
import jctr.kernel.sys.Errno;
import jctr.kernel.sys.MountContext;
import jctr.kernel.sys.MountFlags;
import jctr.kernel.sys.Mounts;
import jctr.kernel.sys.SyscallException;

/**
 * Mounting and unmounting one overlay. The options, the same in both mount APIs:
 * <ul>
 *   <li>{@code index=off}: the inode index keeps hard links intact across copy-up and enables NFS
 *       export, but records the lower layers' file handles in the upper dir and ties an upper dir to
 *       one exact lower stack; jctr needs neither, and the kernel default depends on its build config.</li>
 *   <li>{@code redirect_dir=off}: renaming a lower directory fails with EXDEV (tools fall back to
 *       copying) instead of leaving a redirect xattr in the upper dir. With redirects, {@code diff} would
 *       have to follow them into the lower layers to produce a correct OCI layer.</li>
 *   <li>{@code metacopy=off}: a chmod/chown copies the whole file up instead of only its metadata;
 *       otherwise the upper dir would hold files without data and {@code diff} could not stream them.</li>
 *   <li>not {@code volatile}: the upper dir must survive a crash like any other data.</li>
 * </ul>
 */
final class OverlayMount {

    /** mount(2) copies at most one page of option data. */
    static final int LEGACY_DATA_MAX = 4095;

    private OverlayMount() {
    }

    /**
     * Mounts an overlay at {@code merged}.
     *
     * @param lowers lower directories, top layer first
     * @param newApi fsopen/fsconfig with one {@code lowerdir+} per layer (Linux 6.8+) instead of mount(2)
     */
    static void mount(List<Path> lowers, Path upper, Path work, Path merged, boolean newApi) {
        if (newApi) {
            try (MountContext ctx = MountContext.open("overlay")) {
                ctx.set("source", "overlay");
                for (Path lower : lowers) {
                    ctx.set("lowerdir+", lower.toString());
                }
                ctx.set("upperdir", upper.toString()).set("workdir", work.toString());
                ctx.set("index", "off").set("redirect_dir", "off").set("metacopy", "off");
                ctx.mountAt(merged, 0);
            }
            return;
        }
        String data = legacyData(lowers, upper, work);
        Mounts.mount("overlay", merged, "overlay", 0, data);
    }

    /** The mount(2) option string; fails if it does not fit into a page. */
    static String legacyData(List<Path> lowers, Path upper, Path work) {
        List<String> lowerStrings = new ArrayList<>();
        for (Path p : lowers) {
            lowerStrings.add(p.toString());
        }
        String data = "lowerdir=" + String.join(":", lowerStrings) + ",upperdir=" + upper + ",workdir=" + work
                + ",index=off,redirect_dir=off,metacopy=off";
        if (data.getBytes(StandardCharsets.UTF_8).length > LEGACY_DATA_MAX) {
            throw new ResourceLimitException(lowers.size() + " layers do not fit into the " + LEGACY_DATA_MAX
                    + " bytes of mount(2) options (" + data.length() + " needed); Linux 6.8 or newer mounts any number "
                    + "with the new mount API");
        }
        return data;
    }

    /**
     * Whether this kernel's overlayfs takes {@code lowerdir+} (Linux 6.8+), tried by configuring (not
     * mounting) a context with {@code dir} as a lower dir.
     */
    static boolean supportsLowerdirPlus(Path dir) {
        try (MountContext ctx = MountContext.open("overlay")) {
            ctx.set("lowerdir+", dir.toString());
            return true;
        } catch (SyscallException e) {
            if (e.is(Errno.EINVAL) || e.is(Errno.ENOSYS)) {
                return false;
            }
            throw e;
        }
    }

    /** Whether something is mounted at {@code path} (in this process's mount namespace). */
    static boolean isMounted(Path path) {
        String target = path.toAbsolutePath().normalize().toString();
        return mountTable().stream().anyMatch(m -> m.mountPoint().equals(target));
    }

    /** The mounts of this process's namespace. */
    static List<MountEntry> mountTable() {
        try {
            return MountEntry.parseAll(Files.readString(Path.of("/proc/self/mountinfo")));
        } catch (IOException e) {
            throw new UncheckedIOException("reading /proc/self/mountinfo", e);
        }
    }

    /**
     * Unmounts {@code merged} (every mount stacked there); a busy mount is detached lazily (MNT_DETACH):
     * it disappears from the tree now and goes away when its last user (e.g. a process still inside)
     * is gone. Not being mounted is fine.
     */
    static void unmount(Path merged) {
        // Several mounts may be stacked on the path (a prepare that raced a crash); take them all off.
        for (int i = 0; i < 16 && isMounted(merged); i++) {
            try {
                Mounts.unmount(merged, 0);
            } catch (SyscallException e) {
                if (e.is(Errno.EBUSY)) {
                    Mounts.unmount(merged, MountFlags.MNT_DETACH);
                } else if (e.is(Errno.EINVAL)) {
                    return; // not a mount point after all
                } else {
                    throw e;
                }
            }
        }
        if (isMounted(merged)) {
            throw new KernelException(KernelException.Category.INTERNAL, merged + " is still mounted after 16 unmounts");
        }
    }
}
