package jctr.kernel.image;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import jctr.kernel.InvalidConfigException;
import jctr.kernel.ResourceLimitException;
import jctr.kernel.sys.RootedDir;
import jctr.kernel.sys.SyscallException;

/**
 * Resolves a Docker {@code User} value ({@code name}, {@code uid}, {@code name:group}, {@code uid:gid}, ...)
 * against the container's {@code /etc/passwd} and {@code /etc/group}, as runc and Docker do: names must
 * exist; numeric ids need not (then the gid defaults to 0 and the home to {@code /}); without an explicit
 * group, the user's supplementary groups are those of {@code /etc/group} that list the user.
 */
final class ContainerUsers {

    private static final int FILE_LIMIT = 4 << 20;
    private static final long ID_MAX = Integer.MAX_VALUE;

    /**
     * @param home the home directory from passwd, or {@code /}
     */
    record Resolved(long uid, long gid, List<Long> additionalGids, String home) {
        Resolved {
            additionalGids = List.copyOf(additionalGids);
        }
    }

    private record PasswdEntry(String name, long uid, long gid, String home) {
    }

    private record GroupEntry(String name, long gid, List<String> members) {
    }

    private ContainerUsers() {
    }

    /**
     * @param rootfs the container's root file system (may lack /etc/passwd and /etc/group)
     * @param user the {@code User} value; empty means root
     * @param field names the value in errors, e.g. {@code config.User}
     * @throws InvalidConfigException for an unknown name or an invalid id
     */
    static Resolved resolve(Path rootfs, String user, String field) {
        String spec = user == null || user.isEmpty() ? "0" : user;
        int colon = spec.indexOf(':');
        String userPart = colon < 0 ? spec : spec.substring(0, colon);
        String groupPart = colon < 0 ? null : spec.substring(colon + 1);
        List<PasswdEntry> passwd = passwd(rootfs);
        long uid;
        long gid = 0;
        String home = "/";
        String name = null;
        PasswdEntry entry = null;
        for (PasswdEntry e : passwd) {
            if (e.name.equals(userPart) || (isNumeric(userPart) && e.uid == Long.parseLong(userPart))) {
                entry = e;
                break;
            }
        }
        if (entry != null) {
            uid = entry.uid;
            gid = entry.gid;
            home = entry.home.isEmpty() ? "/" : entry.home;
            name = entry.name;
        } else if (isNumeric(userPart)) {
            uid = id(userPart, field, "user");
        } else {
            throw new InvalidConfigException("", field, "unable to find user " + userPart
                    + ": no matching entries in passwd file");
        }
        List<GroupEntry> groups = groups(rootfs);
        List<Long> supplementary = new ArrayList<>();
        if (groupPart != null && !groupPart.isEmpty()) {
            GroupEntry g = null;
            for (GroupEntry e : groups) {
                if (e.name.equals(groupPart) || (isNumeric(groupPart) && e.gid == Long.parseLong(groupPart))) {
                    g = e;
                    break;
                }
            }
            if (g != null) {
                gid = g.gid;
            } else if (isNumeric(groupPart)) {
                gid = id(groupPart, field, "group");
            } else {
                throw new InvalidConfigException("", field, "unable to find group " + groupPart
                        + ": no matching entries in group file");
            }
        } else if (name != null) {
            for (GroupEntry e : groups) {
                if (e.members.contains(name) && e.gid != gid && !supplementary.contains(e.gid)) {
                    supplementary.add(e.gid);
                }
            }
        }
        return new Resolved(uid, gid, supplementary, home);
    }

    private static boolean isNumeric(String s) {
        return !s.isEmpty() && s.chars().allMatch(c -> c >= '0' && c <= '9') && s.length() <= 10;
    }

    private static long id(String s, String field, String what) {
        long v = Long.parseLong(s);
        if (v > ID_MAX) {
            throw new InvalidConfigException("", field, what + " id " + s + " is out of range (0.." + ID_MAX + ")");
        }
        return v;
    }

    private static List<PasswdEntry> passwd(Path rootfs) {
        List<PasswdEntry> out = new ArrayList<>();
        for (String[] f : lines(rootfs, "/etc/passwd")) {
            if (f.length >= 4 && isNumeric(f[2]) && isNumeric(f[3])) {
                out.add(new PasswdEntry(f[0], Long.parseLong(f[2]), Long.parseLong(f[3]), f.length > 5 ? f[5] : ""));
            }
        }
        return out;
    }

    private static List<GroupEntry> groups(Path rootfs) {
        List<GroupEntry> out = new ArrayList<>();
        for (String[] f : lines(rootfs, "/etc/group")) {
            if (f.length >= 3 && isNumeric(f[2])) {
                List<String> members = f.length > 3 && !f[3].isEmpty() ? List.of(f[3].split(",")) : List.of();
                out.add(new GroupEntry(f[0], Long.parseLong(f[2]), members));
            }
        }
        return out;
    }

    /**
     * The non-comment lines of {@code file} (absolute in the container), split at colons. The path is
     * resolved inside the rootfs (openat2 RESOLVE_IN_ROOT), so an image's symlinks cannot make jctr read
     * a host file; a missing file, or one that is not a regular file, has no lines.
     */
    private static List<String[]> lines(Path rootfs, String file) {
        if (rootfs == null) {
            return List.of();
        }
        Path host;
        try (RootedDir root = RootedDir.open(rootfs)) {
            host = root.resolve(file.substring(1));
        } catch (SyscallException e) {
            return List.of(); // missing, a symlink loop, or a magic link: no entries
        }
        if (!Files.isRegularFile(host, LinkOption.NOFOLLOW_LINKS)) {
            return List.of();
        }
        byte[] content;
        try (InputStream in = Files.newInputStream(host, LinkOption.NOFOLLOW_LINKS)) {
            content = in.readNBytes(FILE_LIMIT + 1);
        } catch (IOException e) {
            throw new UncheckedIOException("reading " + file + " in " + rootfs, e);
        }
        if (content.length > FILE_LIMIT) {
            throw new ResourceLimitException(file + " in the container is larger than " + FILE_LIMIT + " bytes");
        }
        return new String(content, StandardCharsets.UTF_8).lines()
                .map(String::trim)
                .filter(l -> !l.isEmpty() && !l.startsWith("#"))
                .map(l -> l.split(":", -1))
                .toList();
    }
}
