package jctr.kernel.image;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

import jctr.kernel.InvalidConfigException;
import jctr.kernel.NotFoundException;
import jctr.kernel.ResourceLimitException;
import jctr.kernel.state.AtomicFiles;

/**
 * Content-addressed, immutable blobs: {@code <images>/blobs/<algorithm>/<hex>}.
 *
 * <h2>Writes</h2>
 * Content streams into a temp file under {@code <images>/tmp} while it is hashed; only when the digest
 * (and size, when known) match is the file fsynced and renamed into place. On a mismatch the temp file
 * is removed and {@link DigestMismatchException} is thrown: a blob file always holds the content its
 * name promises, as far as this process wrote it.
 *
 * <h2>Reads</h2>
 * Every read verifies again, streaming: {@link #open} hashes while the caller reads and fails at the end
 * of the stream if the content no longer matches (disk corruption, tampering). The alternative, a
 * "verified" mark cached after the first check, would make reads free but trust the disk from then on;
 * SHA-256 runs at well over 1 GB/s, cheap next to unpacking a layer, and blobs are read rarely (unpack,
 * export), so jctr verifies every time. A consumer that stops reading early must call
 * {@link Reader#finish()} (which drains and verifies).
 *
 * <p>The caller must hold the store's GC lock (shared) while it writes blobs that no image references
 * yet, so that a concurrent prune does not collect them; see {@link ImageStore}.
 */
public final class BlobStore {

    private static final int BUFFER = 64 * 1024;

    private final Path blobs;
    private final Path tmp;

    /** A store under {@code imagesRoot} ({@code <dataRoot>/images}); directories are created when missing. */
    public BlobStore(Path imagesRoot) {
        this.blobs = imagesRoot.resolve("blobs");
        this.tmp = imagesRoot.resolve("tmp");
        try {
            Files.createDirectories(blobs.resolve("sha256"));
            Files.createDirectories(tmp);
        } catch (IOException e) {
            throw new UncheckedIOException("creating blob store in " + imagesRoot, e);
        }
    }

    /** The file of blob {@code d} (it may not exist). */
    public Path path(Digest d) {
        return blobs.resolve(d.algorithm()).resolve(d.hex());
    }

    /** Whether blob {@code d} is stored (its content is checked on read, not here). */
    public boolean has(Digest d) {
        return Files.isRegularFile(path(d));
    }

    /**
     * The stored size of blob {@code d}.
     *
     * @throws NotFoundException if it is not stored
     */
    public long size(Digest d) {
        try {
            return Files.size(path(d));
        } catch (NoSuchFileException e) {
            throw new NotFoundException("blob " + d + " is not in the image store", e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Stores {@code content}; see {@link #put(InputStream, Digest, long, String)}. */
    public Digest put(byte[] content, Digest expected, String what) {
        try {
            return put(new java.io.ByteArrayInputStream(content), expected, content.length, what);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Stores the content of {@code in} (read to its end, not closed).
     *
     * @param expected the digest the content must have, or null to accept any (its sha256 names it)
     * @param expectedSize the exact size, or -1 when unknown
     * @param what names the content in errors, e.g. {@code layer 3 of archive.tar}
     * @return the content's digest
     * @throws DigestMismatchException if the content does not match {@code expected}; nothing is stored
     */
    public Digest put(InputStream in, Digest expected, long expectedSize, String what) throws IOException {
        return putTracked(in, expected, expectedSize, what).digest();
    }

    /** The outcome of a write: the digest, and whether this write created the blob (it was not stored before). */
    record Stored(Digest digest, boolean created) {
    }

    /** {@link #put(InputStream, Digest, long, String)}, telling whether the blob is new. */
    Stored putTracked(InputStream in, Digest expected, long expectedSize, String what) throws IOException {
        Path file = newTempFile("blob-");
        try {
            String alg = expected != null ? expected.algorithm() : "sha256";
            MessageDigest md = expected != null ? expected.newMessageDigest() : Digest.newSha256();
            long n = 0;
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE);
                 OutputStream out = Channels.newOutputStream(ch)) {
                byte[] buf = new byte[BUFFER];
                int r;
                while ((r = in.read(buf)) >= 0) {
                    n += r;
                    if (expectedSize >= 0 && n > expectedSize) {
                        throw new ResourceLimitException(what + ": content is larger than its declared size " + expectedSize);
                    }
                    md.update(buf, 0, r);
                    out.write(buf, 0, r);
                }
                out.flush();
                ch.force(true);
            }
            Digest actual = Digest.of(alg, md);
            if (expected != null && !actual.equals(expected)) {
                throw new DigestMismatchException(what, expected, actual);
            }
            if (expectedSize >= 0 && n != expectedSize) {
                throw new InvalidConfigException("", "", what + ": size is " + n
                        + " bytes, its descriptor says " + expectedSize);
            }
            return new Stored(actual, install(file, actual));
        } finally {
            Files.deleteIfExists(file);
        }
    }

    /**
     * Verifies a complete file (a finished download) and moves it into the store as blob {@code expected}.
     * On a mismatch the file is deleted.
     *
     * @throws DigestMismatchException if the file's content does not match
     */
    public void commit(Path file, Digest expected, long expectedSize, String what) {
        MessageDigest md = expected.newMessageDigest();
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buf = new byte[BUFFER];
            int r;
            while ((r = in.read(buf)) >= 0) {
                md.update(buf, 0, r);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("storing " + what, e);
        }
        commitHashed(file, Digest.of(expected.algorithm(), md), expected, expectedSize, what);
    }

    /**
     * Moves a complete file whose content the caller hashed while writing it ({@code actual}) into the store
     * as blob {@code expected}. On a mismatch the file is deleted.
     *
     * @throws DigestMismatchException if {@code actual} is not {@code expected}
     */
    void commitHashed(Path file, Digest actual, Digest expected, long expectedSize, String what) {
        try {
            if (!actual.equals(expected)) {
                Files.deleteIfExists(file);
                throw new DigestMismatchException(what, expected, actual);
            }
            long n = Files.size(file);
            if (expectedSize >= 0 && n != expectedSize) {
                Files.deleteIfExists(file);
                throw new InvalidConfigException("", "", what + ": size is " + n
                        + " bytes, its descriptor says " + expectedSize);
            }
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
                ch.force(true);
            }
            install(file, actual);
            Files.deleteIfExists(file); // still there when the blob was stored already
        } catch (IOException e) {
            throw new UncheckedIOException("storing " + what, e);
        }
    }

    /** Moves a verified file into place; false if the blob was there already (blobs are immutable). */
    private boolean install(Path file, Digest d) throws IOException {
        Path target = path(d);
        Files.createDirectories(target.getParent());
        if (Files.exists(target)) {
            return false;
        }
        Files.setPosixFilePermissions(file, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
        try {
            // link(2) rather than rename(2): it fails instead of replacing a blob a concurrent writer installed.
            Files.createLink(target, file);
        } catch (FileAlreadyExistsException e) {
            return false;
        }
        Files.delete(file);
        AtomicFiles.fsyncDirectory(target.getParent());
        return true;
    }

    /**
     * Opens blob {@code d} for reading; the stream verifies the content as it is read.
     *
     * @param what names the content in errors
     * @throws NotFoundException if it is not stored
     */
    public Reader open(Digest d, String what) {
        try {
            InputStream in = Files.newInputStream(path(d));
            return new Reader(new VerifyingInputStream(new java.io.BufferedInputStream(in, BUFFER), d, -1, what));
        } catch (NoSuchFileException e) {
            throw new NotFoundException(what + ": blob " + d + " is not in the image store", e);
        } catch (IOException e) {
            throw new UncheckedIOException("opening blob " + d, e);
        }
    }

    /**
     * The whole content of blob {@code d}, verified.
     *
     * @param limit the largest size accepted (documents are small; this bounds memory)
     * @throws NotFoundException if it is not stored
     * @throws ResourceLimitException if it is larger than {@code limit}
     */
    public byte[] read(Digest d, long limit, String what) {
        if (size(d) > limit) {
            throw new ResourceLimitException(what + ": blob " + d + " is larger than " + limit + " bytes");
        }
        try (Reader r = open(d, what)) {
            byte[] content = r.stream().readAllBytes();
            r.finish();
            return content;
        } catch (IOException e) {
            throw new UncheckedIOException("reading blob " + d, e);
        }
    }

    /** Removes blob {@code d}; a missing blob is fine. */
    public void delete(Digest d) {
        try {
            Files.deleteIfExists(path(d));
        } catch (IOException e) {
            throw new UncheckedIOException("removing blob " + d, e);
        }
    }

    /** Every stored blob. */
    public List<Digest> list() {
        List<Digest> out = new ArrayList<>();
        try (DirectoryStream<Path> algs = Files.newDirectoryStream(blobs)) {
            for (Path alg : algs) {
                try (DirectoryStream<Path> files = Files.newDirectoryStream(alg)) {
                    for (Path f : files) {
                        try {
                            out.add(new Digest(alg.getFileName().toString(), f.getFileName().toString()));
                        } catch (IllegalArgumentException e) {
                            // not a blob (a stray file); GC ignores it
                        }
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("listing " + blobs, e);
        }
        return out;
    }

    /**
     * The file a download of blob {@code d} accumulates in. It survives a failed download so that the
     * next attempt (in this or a later process) resumes where it stopped.
     */
    public Path partialFile(Digest d) {
        return tmp.resolve("download-" + d.algorithm() + "-" + d.hex());
    }

    /** A new, empty temp file in the store (same file system as the blobs, so it can be renamed into place). */
    Path newTempFile(String prefix) throws IOException {
        Path p = tmp.resolve(prefix + Long.toHexString(ThreadLocalRandom.current().nextLong()));
        Files.createFile(p);
        return p;
    }

    /** Removes every temp and partial file; the caller must hold the GC lock exclusively. Returns bytes freed. */
    long clearTemp() {
        long freed = 0;
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(tmp)) {
            for (Path p : ds) {
                freed += Files.size(p);
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cleaning " + tmp, e);
        }
        return freed;
    }

    /** A verifying reader of one blob. */
    public static final class Reader implements AutoCloseable {
        private final VerifyingInputStream in;

        Reader(VerifyingInputStream in) {
            this.in = in;
        }

        /** The content; it throws {@link DigestMismatchException} at its end if the content is not intact. */
        public InputStream stream() {
            return in;
        }

        /** Reads what the consumer left and verifies the whole content. */
        public void finish() throws IOException {
            in.drain();
        }

        @Override
        public void close() throws IOException {
            in.close();
        }
    }
}
