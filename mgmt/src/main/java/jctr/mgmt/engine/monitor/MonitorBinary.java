package jctr.mgmt.engine.monitor;

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
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

import jctr.kernel.DriverUnavailableException;

/**
 * The native monitor, {@code jctr-monitor}, which Maven compiles from {@code src/main/c/jctr-monitor.c}
 * into this module's resources. Running monitors outlive the engine JVM and its jar, so the binary is
 * extracted to {@code <dir>/jctr-monitor-<first 16 hex digits of its SHA-256>} (mode 0700, written to a
 * temporary file and renamed into place) and a newer engine never overwrites the file an older monitor
 * runs from.
 */
public final class MonitorBinary {

    private static final String RESOURCE = "/jctr/mgmt/engine/jctr-monitor";

    private final Path dir;
    private volatile Path verified;

    /** A monitor binary kept in {@code dir} (created when missing). */
    public MonitorBinary(Path dir) {
        this.dir = dir;
    }

    /** The path of the extracted, verified binary, extracting it first if needed. */
    public Path path() {
        Path p = verified;
        if (p == null) {
            synchronized (this) {
                if (verified == null) {
                    verified = extract();
                }
                p = verified;
            }
        }
        return p;
    }

    private Path extract() {
        byte[] bytes = resource();
        String hash = sha256(bytes);
        Path target = dir.resolve("jctr-monitor-" + hash.substring(0, 16));
        try {
            if (Files.isRegularFile(target) && Files.size(target) == bytes.length
                    && sha256(Files.readAllBytes(target)).equals(hash)) {
                return target;
            }
            Files.createDirectories(dir);
            Path tmp = Files.createTempFile(dir, ".jctr-monitor-", ".tmp",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            try {
                try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                    ch.write(java.nio.ByteBuffer.wrap(bytes));
                    ch.force(true);
                }
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                throw new IOException("cannot rename atomically within " + dir, e);
            } finally {
                Files.deleteIfExists(tmp);
            }
            return target;
        } catch (IOException e) {
            throw new UncheckedIOException("extracting jctr-monitor to " + target, e);
        }
    }

    private static byte[] resource() {
        try (InputStream in = MonitorBinary.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new DriverUnavailableException("jctr-monitor is missing from the mgmt jar",
                        "rebuild mgmt with gcc and libc6-dev (static glibc) installed");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("reading jctr-monitor from the mgmt jar", e);
        }
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }
}
