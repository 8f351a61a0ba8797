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
 * later launch, in this JVM and others. An existing file is compared with the binary once per directory
 * and JVM (the driver's probe and its initialization share the result: each check reads and hashes the
 * 700 KB binary, a measurable part of a {@code jctr-runc} start) and replaced if it differs. The name only
 * tells builds apart (the content is compared before use): two CRCs, which the JVM computes with intrinsics
 * even in the interpreter, where a SHA-256 in Java took ~25 ms of a {@code jctr-runc run}.
 */
public final class LauncherBinary {

    private static final String RESOURCE = "/jctr/ns/jctr-init";

    /** Extracted and verified launchers of this JVM, by directory. */
    private static final Map<Path, Path> VERIFIED = new ConcurrentHashMap<>();

    private final Path dir;

    /** A launcher binary kept in {@code dir} (created when missing). */
    public LauncherBinary(Path dir) {
        this.dir = dir;
    }

    /** The path of the extracted, verified launcher, extracting it first if needed. */
    public Path path() {
        return VERIFIED.computeIfAbsent(dir.toAbsolutePath().normalize(), d -> extract());
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
