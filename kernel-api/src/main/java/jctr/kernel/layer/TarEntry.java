package jctr.kernel.layer;

import java.time.Instant;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * One member of a tar archive: its header, with the PAX extended header and GNU long name/link
 * records already applied.
 *
 * @param name the path as stored (may start with {@code ./} or {@code /}, contain {@code ..}, end in
 *             {@code /}: it is untrusted; {@link LayerUnpacker} decides what it means)
 * @param type what kind of file
 * @param mode permission bits including setuid, setgid, sticky (07777)
 * @param uid numeric owner
 * @param gid numeric group
 * @param size bytes of content that follow (regular files only; 0 for every other type)
 * @param mtime modification time, to the nanosecond if a PAX header gave one
 * @param atime access time if a PAX header gave one, else null
 * @param linkName the target of a symlink (any text) or hard link (a member path); empty otherwise
 * @param devMajor major number of a character or block device
 * @param devMinor minor number of a character or block device
 * @param xattrs extended attributes ({@code SCHILY.xattr.*} PAX records), name to raw value
 */
public record TarEntry(String name, Type type, int mode, int uid, int gid, long size, Instant mtime, Instant atime,
                       String linkName, int devMajor, int devMinor, Map<String, byte[]> xattrs) {

    /** The member types jctr reads and writes. */
    public enum Type {
        REGULAR('0'), HARDLINK('1'), SYMLINK('2'), CHAR_DEVICE('3'), BLOCK_DEVICE('4'), DIRECTORY('5'), FIFO('6');

        private final char flag;

        Type(char flag) {
            this.flag = flag;
        }

        /** The ustar typeflag character. */
        public char flag() {
            return flag;
        }

        /** Whether members of this type carry content bytes. */
        public boolean hasContent() {
            return this == REGULAR;
        }
    }

    public TarEntry {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(mtime, "mtime");
        linkName = linkName == null ? "" : linkName;
        xattrs = xattrs == null || xattrs.isEmpty() ? Map.of() : Collections.unmodifiableMap(new TreeMap<>(xattrs));
        if (size < 0) {
            throw new IllegalArgumentException("negative size " + size + " for " + name);
        }
        if (!type.hasContent() && size != 0) {
            throw new IllegalArgumentException(type + " " + name + " cannot have content (size " + size + ")");
        }
    }

    /** A directory member. */
    public static TarEntry directory(String name, int mode, int uid, int gid, Instant mtime) {
        return new TarEntry(name, Type.DIRECTORY, mode, uid, gid, 0, mtime, null, "", 0, 0, Map.of());
    }

    /** A regular file member of {@code size} bytes. */
    public static TarEntry file(String name, int mode, int uid, int gid, long size, Instant mtime) {
        return new TarEntry(name, Type.REGULAR, mode, uid, gid, size, mtime, null, "", 0, 0, Map.of());
    }

    /** A symlink member pointing at {@code target}. */
    public static TarEntry symlink(String name, String target, int uid, int gid, Instant mtime) {
        return new TarEntry(name, Type.SYMLINK, 0777, uid, gid, 0, mtime, null, target, 0, 0, Map.of());
    }

    /** A hard link member: another name for the earlier member {@code target}. */
    public static TarEntry hardLink(String name, String target, Instant mtime) {
        return new TarEntry(name, Type.HARDLINK, 0644, 0, 0, 0, mtime, null, target, 0, 0, Map.of());
    }

    /** This entry with other extended attributes. */
    public TarEntry withXattrs(Map<String, byte[]> newXattrs) {
        return new TarEntry(name, type, mode, uid, gid, size, mtime, atime, linkName, devMajor, devMinor, newXattrs);
    }

    /** This entry under another name. */
    public TarEntry withName(String newName) {
        return new TarEntry(newName, type, mode, uid, gid, size, mtime, atime, linkName, devMajor, devMinor, xattrs);
    }
}
