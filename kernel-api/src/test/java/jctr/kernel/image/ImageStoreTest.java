package jctr.kernel.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import jctr.kernel.InvalidConfigException;
import jctr.kernel.NotFoundException;
import jctr.kernel.state.AtomicFiles;

/** repositories.json: atomic, locked updates, and Docker's name resolution. */
class ImageStoreTest {

    @TempDir
    Path dir;

    private static ImageRecord record(char c) {
        return new ImageRecord(new Digest("sha256", String.valueOf(c).repeat(64)),
                new Digest("sha256", "f".repeat(63) + c), "2024-01-0" + (c % 9 + 1) + "T00:00:00Z", 100);
    }

    @Test
    void atomicWriteLeavesTheOldContentWhenInterruptedBeforeTheRename() throws Exception {
        Path file = dir.resolve("repositories.json");
        AtomicFiles.write(file, "old".getBytes(StandardCharsets.UTF_8));
        RuntimeException crash = new RuntimeException("crash");
        assertThrows(RuntimeException.class, () -> AtomicFiles.write(file, "new".getBytes(StandardCharsets.UTF_8),
                (tmp, target) -> {
                    assertTrue(Files.exists(tmp), "the new content is complete in the temp file");
                    throw crash;
                }));
        assertEquals("old", Files.readString(file), "readers still see the whole old content");
        try (var s = Files.list(dir)) {
            assertTrue(s.anyMatch(p -> p.getFileName().toString().startsWith("repositories.json" + AtomicFiles.TMP_MARK)),
                    "the interrupted write leaves only a recognisable temp file");
        }
        AtomicFiles.write(file, "new".getBytes(StandardCharsets.UTF_8));
        assertEquals("new", Files.readString(file));
    }

    @Test
    void concurrentUpdatesLoseNothing() throws Exception {
        ImageStore store = new ImageStore(dir);
        ImageRecord img = record('a');
        store.record(img, List.of());
        int threads = 8;
        int perThread = 15;
        List<Future<?>> fs = new ArrayList<>();
        try (ExecutorService pool = Executors.newFixedThreadPool(threads)) {
            for (int t = 0; t < threads; t++) {
                int tt = t;
                fs.add(pool.submit(() -> {
                    // Each update is a separate store object, as separate CLI processes would be.
                    ImageStore s = new ImageStore(dir);
                    for (int i = 0; i < perThread; i++) {
                        s.tag(img.id().toString(), "repo" + tt + ":t" + i);
                    }
                    return null;
                }));
            }
            for (Future<?> f : fs) {
                f.get();
            }
        }
        assertEquals(threads * perThread, store.read().tags().size());
    }

    @Test
    void resolvesLikeDocker() {
        ImageStore store = new ImageStore(dir);
        ImageRecord a = record('a');
        ImageRecord b = new ImageRecord(new Digest("sha256", "ab" + "0".repeat(62)), record('b').manifest(), null, 1);
        Digest repoDigest = new Digest("sha256", "d".repeat(64));
        store.record(a, List.of(Reference.parse("busybox:latest"), Reference.parse("busybox").withDigest(repoDigest)));
        store.record(b, List.of(Reference.parse("localhost:5000/app:1")));

        assertEquals(a.id(), store.resolve("busybox").id());
        assertEquals(a.id(), store.resolve("docker.io/library/busybox:latest").id());
        assertEquals(a.id(), store.resolve("busybox@" + repoDigest).id());
        assertEquals(a.id(), store.resolve(a.id().toString()).id());
        assertEquals(a.id(), store.resolve(a.id().hex()).id());
        assertEquals(a.id(), store.resolve("aaaa").id());
        assertEquals(a.id(), store.resolve("sha256:aaaa").id());
        assertEquals(b.id(), store.resolve("localhost:5000/app:1").id());
        assertEquals(b.id(), store.resolve("ab0").id());
        var ambiguous = assertThrows(InvalidConfigException.class, () -> store.resolve("a"));
        assertTrue(ambiguous.getMessage().contains("more than one"));
        var missing = assertThrows(NotFoundException.class, () -> store.resolve("busybox:1.36"));
        assertEquals("No such image: busybox:1.36", missing.getMessage());
        assertThrows(NotFoundException.class, () -> store.resolve("localhost:5000/app"), "app:latest is not app:1");

        Image listed = store.list().stream().filter(i -> i.id().equals(a.id())).findFirst().orElseThrow();
        assertEquals(List.of(Reference.parse("busybox:latest")), listed.repoTags());
        assertEquals(List.of(Reference.parse("busybox@" + repoDigest)), listed.repoDigests());
    }

    @Test
    void tagging() {
        ImageStore store = new ImageStore(dir);
        ImageRecord a = record('a');
        store.record(a, List.of(Reference.parse("busybox:latest")));
        assertEquals("docker.io/library/busybox:mine", store.tag("busybox", "busybox:mine").toString());
        assertEquals("localhost:5000/busybox:latest", store.tag("busybox:mine", "localhost:5000/busybox").toString());
        assertEquals(a.id(), store.resolve("localhost:5000/busybox").id());
        assertThrows(NotFoundException.class, () -> store.tag("nothere", "x"));
        assertThrows(InvalidConfigException.class, () -> store.tag("busybox", "x@sha256:" + "1".repeat(64)));
        assertThrows(InvalidConfigException.class, () -> store.tag("busybox", "UPPER"));
        assertEquals(3, store.read().tags().size());
    }

    @Test
    void metadataFileIsStrictJson() throws Exception {
        ImageStore store = new ImageStore(dir);
        Files.writeString(store.root().resolve("repositories.json"), "{\"version\":1,\"imagez\":{}}");
        var e = assertThrows(InvalidConfigException.class, store::read);
        assertTrue(e.getMessage().contains("imagez"), e.getMessage());
    }
}
