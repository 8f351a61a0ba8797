package jctr.kernel.image;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;

/**
 * A blob download accumulating in the store's partial file, hashed as it grows, so that the digest is
 * known when the last byte arrives instead of after reading the file again. A partial file left by an
 * earlier attempt or process is hashed once when the download resumes.
 */
final class PartialDownload {

    private final Path file;
    private final Digest digest;
    private final MessageDigest md;
    private long hashed;

    PartialDownload(Path file, Digest digest) {
        this.file = file;
        this.digest = digest;
        this.md = digest.newMessageDigest();
    }

    Path file() {
        return file;
    }

    /** Bytes in the file. */
    long size() {
        try {
            return Files.exists(file) ? Files.size(file) : 0;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Empties the download (the server sent something else than what was asked for, or a new start). */
    void restart() {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        md.reset();
        hashed = 0;
    }

    /** Appends {@code n} bytes of {@code buf} to the file and the hash. */
    void append(FileChannel out, byte[] buf, int n) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(buf, 0, n);
        while (b.hasRemaining()) {
            out.write(b);
        }
        md.update(buf, 0, n);
        hashed += n;
    }

    /** Opens the file for appending, first bringing the hash in line with what the file holds. */
    FileChannel openForAppend() throws IOException {
        catchUp();
        return FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
    }

    /** The digest of the file's content. */
    Digest digest() throws IOException {
        catchUp();
        MessageDigest copy;
        try {
            copy = (MessageDigest) md.clone();
        } catch (CloneNotSupportedException e) {
            throw new IllegalStateException(e);
        }
        return Digest.of(digest.algorithm(), copy);
    }

    /** Re-hashes the file when it holds other bytes than those hashed (a resumed or interrupted write). */
    private void catchUp() throws IOException {
        if (hashed == size()) {
            return;
        }
        md.reset();
        hashed = 0;
        if (!Files.exists(file)) {
            return;
        }
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buf = new byte[64 * 1024];
            int n;
            while ((n = in.read(buf)) >= 0) {
                md.update(buf, 0, n);
                hashed += n;
            }
        }
    }
}
