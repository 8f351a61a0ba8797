package jctr.kernel.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import jctr.kernel.NotFoundException;
import jctr.kernel.ResourceLimitException;

class BlobStoreTest {

    @TempDir
    Path dir;

    @Test
    void storesContentUnderItsDigest() throws IOException {
        BlobStore s = new BlobStore(dir);
        byte[] content = "hello".getBytes(StandardCharsets.UTF_8);
        Digest d = s.put(content, Digest.sha256(content), "greeting");
        assertEquals(dir.resolve("blobs/sha256/" + d.hex()), s.path(d));
        assertArrayEquals(content, Files.readAllBytes(s.path(d)));
        assertTrue(s.has(d));
        assertEquals(5, s.size(d));
        assertEquals(List.of(d), s.list());
        assertArrayEquals(content, s.read(d, 100, "greeting"));
        assertEquals(d, s.put(new ByteArrayInputStream(content), null, -1, "again"), "unverified writes are named by sha256");
        assertTemp(0);
    }

    @Test
    void wrongDigestIsRejectedAndNothingIsStored() {
        BlobStore s = new BlobStore(dir);
        byte[] content = "tampered".getBytes(StandardCharsets.UTF_8);
        Digest expected = Digest.sha256("original".getBytes(StandardCharsets.UTF_8));
        DigestMismatchException e = assertThrows(DigestMismatchException.class, () -> s.put(content, expected, "layer 1"));
        assertEquals("layer 1: digest mismatch: expected " + expected + ", got " + Digest.sha256(content), e.getMessage());
        assertFalse(s.has(expected));
        assertFalse(s.has(Digest.sha256(content)));
        assertTemp(0);
    }

    @Test
    void declaredSizeIsEnforced() {
        BlobStore s = new BlobStore(dir);
        byte[] content = "0123456789".getBytes(StandardCharsets.UTF_8);
        assertThrows(ResourceLimitException.class,
                () -> s.put(new ByteArrayInputStream(content), Digest.sha256(content), 4, "big"));
        assertThrows(jctr.kernel.InvalidConfigException.class,
                () -> s.put(new ByteArrayInputStream(content), Digest.sha256(content), 20, "short"));
        assertFalse(s.has(Digest.sha256(content)));
        assertTemp(0);
    }

    @Test
    void readsVerifyAndFailAtTheEndWhenTheFileWasCorrupted() throws IOException {
        BlobStore s = new BlobStore(dir);
        byte[] content = "x".repeat(200_000).getBytes(StandardCharsets.UTF_8);
        Digest d = s.put(content, null, "blob");
        byte[] corrupt = content.clone();
        corrupt[150_000] = 'y';
        Files.write(s.path(d), corrupt);
        try (BlobStore.Reader r = s.open(d, "blob")) {
            InputStream in = r.stream();
            byte[] first = in.readNBytes(100_000);
            assertEquals(100_000, first.length, "the stream serves content until its end");
            assertThrows(DigestMismatchException.class, in::readAllBytes);
        }
        assertThrows(DigestMismatchException.class, () -> s.read(d, 1 << 20, "blob"));
        try (BlobStore.Reader r = s.open(d, "blob")) {
            r.stream().readNBytes(10);
            assertThrows(DigestMismatchException.class, r::finish, "finish drains and verifies what the consumer left");
        }
    }

    @Test
    void missingBlobsAreNotFound() {
        BlobStore s = new BlobStore(dir);
        Digest d = Digest.sha256(new byte[0]);
        assertThrows(NotFoundException.class, () -> s.open(d, "x"));
        assertThrows(NotFoundException.class, () -> s.size(d));
        s.delete(d); // missing is fine
    }

    @Test
    void commitVerifiesADownloadedFile() throws IOException {
        BlobStore s = new BlobStore(dir);
        byte[] content = "downloaded".getBytes(StandardCharsets.UTF_8);
        Digest d = Digest.sha256(content);
        Path partial = s.partialFile(d);
        Files.write(partial, "downloadeX".getBytes(StandardCharsets.UTF_8));
        assertThrows(DigestMismatchException.class, () -> s.commit(partial, d, content.length, "blob"));
        assertFalse(Files.exists(partial), "a partial file with wrong content is removed");
        assertFalse(s.has(d));
        Files.write(partial, content);
        s.commit(partial, d, content.length, "blob");
        assertTrue(s.has(d));
        assertFalse(Files.exists(partial));
    }

    private void assertTemp(int expected) {
        try (var files = Files.list(dir.resolve("tmp"))) {
            assertEquals(expected, files.count(), "temp files left");
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
