package jctr.ns.launch;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.zip.CRC32;
import java.util.zip.CRC32C;

import jctr.kernel.DriverUnavailableException;

/**
 * The native launch stage, {@code jctr-init}, which Maven compiles from {@code src/main/c/jctr-init.c}
 * into this module's resources. To be executed it must be a file: it is extracted once to
 * {@code <dir>/jctr-init-<its CRC-32 and CRC-32C, 16 hex digits>} (mode 0700, written to a temporary file
 * and renamed into place atomically, so concurrent engines never see half a binary) and reused by every
 * later launch, in this JVM and others. An existing file is compared byte for byte with the binary and
 * replaced if it differs. A JVM compares a file once and then only checks, with one stat, that it is still
 * the same file unchanged (inode, size, mtime, ctime): the comparison reads the 700 KB binary, a measurable
 * part of a {@code jctr-runc} start, while a file damaged or replaced since must still be caught. The name
 * only tells builds apart (the content is compared before use): two CRCs, which the JVM computes with
 * intrinsics even in the interpreter, where a SHA-256 in Java took ~25 ms of a {@code jctr-runc run}.
 */
public final class LauncherBinary {

    private static final String RESOURCE = "/jctr/ns/jctr-init";

    /** Extracted and verified launchers of this JVM, by directory, with the identity they had then. */
    private static final Map<Path, Verified> VERIFIED = new ConcurrentHashMap<>();

    /** A launcher file as it was when compared: any write or replacement changes at least one of these. */
    private record Verified(Path path, Map<String, Object> identity) {
    }

    private final Path dir;

    /** A launcher binary kept in {@code dir} (created when missing). */
    public LauncherBinary(Path dir) {
        this.dir = dir;
    }

    /** The path of the extracted, verified launcher, extracting it first if needed. */
    public Path path() {
        Path key = dir.toAbsolutePath().normalize();
        Verified known = VERIFIED.get(key);
        if (known != null && known.identity().equals(identity(known.path()))) {
            return known.path();
        }
        Path target = extract();
        VERIFIED.put(key, new Verified(target, identity(target)));
        return target;
    }

    /** The file's inode, size, mtime and ctime; empty when it is gone. */
    private static Map<String, Object> identity(Path file) {
        try {
            return Files.readAttributes(file, "unix:ino,size,lastModifiedTime,ctime");
        } catch (IOException e) {
            return Map.of();
        }
    }

    private Path extract() {
        byte[] bytes = resource();
        Path target = dir.resolve("jctr-init-" + checksums(bytes));
        try {
            if (Files.isRegularFile(target) && Files.size(target) == bytes.length
                    && Arrays.equals(Files.readAllBytes(target), bytes)) {
                return target;
            }
            Files.createDirectories(dir);
            Path tmp = Files.createTempFile(dir, ".jctr-init-", ".tmp",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            try {
                try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                    ch.write(java.nio.ByteBuffer.wrap(bytes));
                    ch.force(true);
                }
                moveAtomically(tmp, target);
            } finally {
                Files.deleteIfExists(tmp);
            }
            return target;
        } catch (IOException e) {
            throw new UncheckedIOException("extracting the jctr-init launcher to " + target, e);
        }
    }

    private static void moveAtomically(Path tmp, Path target) throws IOException {
        try {
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            throw new IOException("cannot rename atomically within " + target.getParent(), e);
        }
    }

    private static byte[] resource() {
        try (InputStream in = LauncherBinary.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new DriverUnavailableException("the jctr-init launcher is missing from the ns-plugin jar",
                        "rebuild ns-plugin with gcc and libc6-dev (static glibc) installed");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("reading the jctr-init launcher from the ns-plugin jar", e);
        }
    }

    /** CRC-32 and CRC-32C of {@code bytes}, as 16 hex digits. */
    private static String checksums(byte[] bytes) {
        CRC32 crc32 = new CRC32();
        crc32.update(bytes);
        CRC32C crc32c = new CRC32C();
        crc32c.update(bytes);
        return HexFormat.of().toHexDigits((int) crc32.getValue()) + HexFormat.of().toHexDigits((int) crc32c.getValue());
    }
}
