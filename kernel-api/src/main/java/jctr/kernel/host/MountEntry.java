package jctr.kernel.host;

import java.util.List;

/**
 * One line of /proc/self/mountinfo.
 *
 * @param mountPoint where it is mounted (octal escapes decoded)
 * @param fsType file system type, e.g. {@code cgroup2}
 * @param source the mount source
 * @param mountOptions per-mount options (ro, nosuid, ...)
 * @param superOptions per-superblock options (for v1 cgroups: the controllers)
 */
public record MountEntry(int id, int parentId, String root, String mountPoint, String fsType, String source,
                         List<String> mountOptions, List<String> superOptions) {

    /** Parses /proc/self/mountinfo text. */
    public static List<MountEntry> parseAll(String mountinfo) {
        return mountinfo.lines().filter(l -> !l.isBlank()).map(MountEntry::parse).toList();
    }

    /** Parses one mountinfo line. */
    public static MountEntry parse(String line) {
        String[] f = line.split(" ");
        int sep = 6;
        while (sep < f.length && !f[sep].equals("-")) {
            sep++;
        }
        if (sep + 3 > f.length) {
            throw new IllegalArgumentException("malformed mountinfo line: " + line);
        }
        return new MountEntry(Integer.parseInt(f[0]), Integer.parseInt(f[1]), unescape(f[3]), unescape(f[4]),
                f[sep + 1], unescape(f[sep + 2]), List.of(f[5].split(",")),
                sep + 3 < f.length ? List.of(f[sep + 3].split(",")) : List.of());
    }

    /** Decodes mountinfo's octal escapes (\040 for space, \011, \012, \134). */
    static String unescape(String s) {
        if (s.indexOf('\\') < 0) {
            return s;
        }
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' && i + 3 < s.length()
                    && s.substring(i + 1, i + 4).chars().allMatch(ch -> ch >= '0' && ch <= '7')) {
                sb.append((char) Integer.parseInt(s.substring(i + 1, i + 4), 8));
                i += 3;
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }
}
