package jctr.kernel.layer;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import jctr.kernel.InvalidConfigException;
import jctr.kernel.ResourceLimitException;
import jctr.kernel.sys.FileMeta;
import jctr.kernel.sys.PosixFiles;
import jctr.kernel.sys.Symlinks;
import jctr.kernel.sys.Xattrs;
import jctr.kernel.testing.Commands;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** TarReader and TarWriter against GNU tar, the independent implementation on every Debian machine. */
class TarFormatTest {

    private static final String LONG_DIR = "d".repeat(90) + "/" + "e".repeat(90) + "/" + "f".repeat(90);
    private static final String LONG_TARGET = "../" + "t".repeat(150);

    @TempDir
    Path tmp;

    /** A tree using what ustar cannot express: long names and link targets, nanosecond times, xattrs. */
    private Path sampleTree() throws IOException {
        Path src = Files.createDirectories(tmp.resolve("src"));
        Files.createDirectories(src.resolve(LONG_DIR));
        Path file = Files.writeString(src.resolve(LONG_DIR).resolve("file.txt"), "hello tar\n");
        FileMeta.setTimes(file, Instant.ofEpochSecond(1_600_000_000L, 123_456_789), Instant.ofEpochSecond(1_600_000_000L, 123_456_789));
        Xattrs.set(file, "user.jctr", "value\u0001\u00ff".getBytes(StandardCharsets.ISO_8859_1));
        Symlinks.create(LONG_TARGET, src.resolve("longlink"));
        PosixFiles.mkfifo(src.resolve("fifo"), 0640);
        Files.write(src.resolve("empty"), new byte[0]);
        Files.createLink(src.resolve("hardlink"), src.resolve("empty"));
        return src;
    }

    private List<TarEntry> readAll(byte[] tar) throws IOException {
        TarReader r = new TarReader(new ByteArrayInputStream(tar), TarLimits.DEFAULTS, "test");
        List<TarEntry> out = new ArrayList<>();
        for (Optional<TarEntry> e = r.next(); e.isPresent(); e = r.next()) {
            out.add(e.get());
            assertEquals(e.get().size(), r.content().readAllBytes().length);
        }
        return out;
    }

    private TarEntry find(List<TarEntry> entries, String suffix) {
        return entries.stream().filter(e -> e.name().endsWith(suffix)).findFirst()
                .orElseThrow(() -> new AssertionError("no member ending in " + suffix + " in " + entries));
    }

    @Test
    void readsGnuTarPaxArchives() throws IOException {
        Path src = sampleTree();
        Path tar = tmp.resolve("pax.tar");
        Commands.run(src, "tar", "--format=pax", "--xattrs", "--xattrs-include=*", "-cf", tar.toString(), ".");
        List<TarEntry> entries = readAll(Files.readAllBytes(tar));

        TarEntry file = find(entries, LONG_DIR + "/file.txt");
        assertEquals(TarEntry.Type.REGULAR, file.type());
        assertEquals(10, file.size());
        assertEquals(Instant.ofEpochSecond(1_600_000_000L, 123_456_789), file.mtime());
        assertArrayEquals("value\u0001\u00ff".getBytes(StandardCharsets.ISO_8859_1), file.xattrs().get("user.jctr"));
        TarEntry link = find(entries, "longlink");
        assertEquals(TarEntry.Type.SYMLINK, link.type());
        assertEquals(LONG_TARGET, link.linkName());
        assertEquals(TarEntry.Type.FIFO, find(entries, "fifo").type());
        assertEquals(0640, find(entries, "fifo").mode());
        TarEntry hard = find(entries, "hardlink");
        TarEntry other = find(entries, "empty");
        assertTrue(hard.type() == TarEntry.Type.HARDLINK && other.type() == TarEntry.Type.REGULAR
                || other.type() == TarEntry.Type.HARDLINK && hard.type() == TarEntry.Type.REGULAR, entries.toString());
    }

    @Test
    void readsGnuLongNamesAndLinks() throws IOException {
        Path src = sampleTree();
        Path tar = tmp.resolve("gnu.tar");
        Commands.run(src, "tar", "--format=gnu", "-cf", tar.toString(), ".");
        List<TarEntry> entries = readAll(Files.readAllBytes(tar));
        assertEquals(10, find(entries, LONG_DIR + "/file.txt").size());
        assertEquals(LONG_TARGET, find(entries, "longlink").linkName());
        assertEquals(TarEntry.Type.DIRECTORY, find(entries, LONG_DIR + "/").type());
    }

    @Test
    void gnuTarReadsWhatWeWrite() throws IOException {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        TarWriter w = new TarWriter(buf);
        Instant t = Instant.ofEpochSecond(1_700_000_000L, 5);
        byte[] content = "content\n".getBytes(StandardCharsets.UTF_8);
        String unicode = "dir/\u00fcber-\u65e5\u672c.txt";
        w.write(TarEntry.directory("dir", 0755, 0, 0, t), null);
        w.write(TarEntry.file(LONG_DIR + "/x.txt", 0644, 3_000_000, 7, content.length, t), new ByteArrayInputStream(content));
        w.write(TarEntry.file(unicode, 04755, 0, 0, content.length, t)
                .withXattrs(Map.of("user.k", new byte[] {1, 2, 3})), new ByteArrayInputStream(content));
        w.write(TarEntry.symlink("dir/link", LONG_TARGET, 0, 0, t), null);
        w.write(TarEntry.hardLink("dir/hard", unicode, t), null);
        w.finish();
        Path tar = Files.write(tmp.resolve("ours.tar"), buf.toByteArray());

        String listing = Commands.run(tmp, "tar", "--numeric-owner", "--full-time", "-tvf", tar.toString());
        assertTrue(listing.contains(LONG_DIR + "/x.txt"), listing);
        assertTrue(listing.contains("3000000/7"), listing);
        assertTrue(listing.contains(unicode), listing);
        assertTrue(listing.contains("-rwsr-xr-x"), listing);
        assertTrue(listing.contains("dir/link -> " + LONG_TARGET), listing);
        assertTrue(listing.contains("dir/hard link to " + unicode), listing);

        Path out = Files.createDirectories(tmp.resolve("out"));
        Commands.run(out, "tar", "--xattrs", "--xattrs-include=*", "-xf", tar.toString());
        assertEquals("content\n", Files.readString(out.resolve(unicode)));
        assertArrayEquals(new byte[] {1, 2, 3}, Xattrs.get(out.resolve(unicode), "user.k").orElseThrow());
        assertEquals(t, FileMeta.lstat(out.resolve(LONG_DIR + "/x.txt")).mtime());
    }

    @Test
    void roundTripThroughOurReader() throws IOException {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        TarWriter w = new TarWriter(buf);
        List<TarEntry> written = List.of(
                TarEntry.directory("a", 01777, 5, 6, Instant.ofEpochSecond(-100, 250_000_000)),
                TarEntry.file("a/" + "n".repeat(300), 0600, 70_000_000, 0, 3, Instant.ofEpochSecond(12)),
                new TarEntry("a/dev", TarEntry.Type.CHAR_DEVICE, 0666, 0, 0, 0, Instant.ofEpochSecond(1), null, "", 4000, 300000, Map.of()),
                new TarEntry("a/blk", TarEntry.Type.BLOCK_DEVICE, 0660, 0, 6, 0, Instant.ofEpochSecond(1), Instant.ofEpochSecond(99, 1), "", 8, 1, Map.of()));
        for (TarEntry e : written) {
            w.write(e, new ByteArrayInputStream("abc".getBytes(StandardCharsets.UTF_8)));
        }
        w.finish();
        List<TarEntry> read = readAll(buf.toByteArray());
        assertEquals(written.size(), read.size());
        for (int i = 0; i < written.size(); i++) {
            TarEntry expected = written.get(i);
            if (expected.type() == TarEntry.Type.DIRECTORY) {
                expected = expected.withName(expected.name() + "/");
            }
            assertEquals(expected, read.get(i));
        }
    }

    private static byte[] oneFileTar() {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        TarWriter w = new TarWriter(buf);
        byte[] content = new byte[1000];
        Arrays.fill(content, (byte) 'x');
        w.write(TarEntry.file("some/file", 0644, 0, 0, content.length, Instant.ofEpochSecond(1)), new ByteArrayInputStream(content));
        w.write(TarEntry.file("second", 0644, 0, 0, 0, Instant.ofEpochSecond(1)), InputStream.nullInputStream());
        w.finish();
        return buf.toByteArray();
    }

    @Test
    void badChecksumNamesTheOffset() {
        byte[] tar = oneFileTar();
        tar[1536 + 10] ^= 1; // the second member's header (after 512 header + 1024 content)
        InvalidConfigException e = assertThrows(InvalidConfigException.class, () -> readAll(tar));
        assertTrue(e.getMessage().contains("offset 1536") && e.getMessage().contains("checksum"), e.getMessage());
    }

    @Test
    void truncatedContentIsCorrupt() {
        byte[] tar = Arrays.copyOf(oneFileTar(), 700);
        InvalidConfigException e = assertThrows(InvalidConfigException.class, () -> readAll(tar));
        assertTrue(e.getMessage().contains("some/file") && e.getMessage().contains("truncated"), e.getMessage());
    }

    @Test
    void truncatedHeaderIsCorrupt() {
        byte[] tar = Arrays.copyOf(oneFileTar(), 1536 + 100);
        InvalidConfigException e = assertThrows(InvalidConfigException.class, () -> readAll(tar));
        assertTrue(e.getMessage().contains("offset 1536"), e.getMessage());
    }

    @Test
    void missingEndOfArchiveIsAccepted() throws IOException {
        byte[] full = oneFileTar();
        byte[] tar = Arrays.copyOf(full, full.length - 1024);
        assertEquals(2, readAll(tar).size());
    }

    @Test
    void garbageIsNotATar() {
        byte[] junk = new byte[2048];
        Arrays.fill(junk, (byte) 'A');
        assertThrows(InvalidConfigException.class, () -> readAll(junk));
    }

    @Test
    void limitsAreEnforced() {
        byte[] tar = oneFileTar();
        TarReader small = new TarReader(new ByteArrayInputStream(tar), new TarLimits(999, 1L << 20, 10), "t");
        ResourceLimitException e = assertThrows(ResourceLimitException.class, small::next);
        assertTrue(e.getMessage().contains("some/file"), e.getMessage());
        TarReader few = new TarReader(new ByteArrayInputStream(tar), new TarLimits(1L << 20, 1L << 20, 1), "t");
        few.next();
        assertThrows(ResourceLimitException.class, few::next);
        TarReader shortArchive = new TarReader(new ByteArrayInputStream(tar), new TarLimits(1L << 20, 1200, 10), "t");
        assertThrows(ResourceLimitException.class, shortArchive::next);
    }

    @Test
    void negativeBase256SizeIsRejected() {
        byte[] tar = oneFileTar();
        Arrays.fill(tar, 124, 136, (byte) 0xff);
        fixChecksum(tar, 0);
        InvalidConfigException e = assertThrows(InvalidConfigException.class, () -> readAll(tar));
        assertTrue(e.getMessage().contains("negative"), e.getMessage());
    }

    @Test
    void hugeBase256SizeHitsTheLimit() {
        byte[] tar = oneFileTar();
        Arrays.fill(tar, 124, 136, (byte) 0);
        tar[124] = (byte) 0x80;
        tar[128] = 0x7f; // 2^63-ish bytes
        fixChecksum(tar, 0);
        assertThrows(ResourceLimitException.class, () -> readAll(tar));
    }

    @Test
    void streamErrorsAreReportedAsCorruptArchives() {
        InputStream failing = new InputStream() {
            @Override
            public int read() throws IOException {
                throw new java.util.zip.ZipException("invalid stored block lengths");
            }
        };
        TarReader r = new TarReader(failing, TarLimits.DEFAULTS, "layer x");
        InvalidConfigException e = assertThrows(InvalidConfigException.class, r::next);
        assertTrue(e.getMessage().contains("layer x") && e.getMessage().contains("invalid stored block"), e.getMessage());
    }

    static void fixChecksum(byte[] tar, int offset) {
        Arrays.fill(tar, offset + 148, offset + 156, (byte) ' ');
        long sum = 0;
        for (int i = offset; i < offset + 512; i++) {
            sum += tar[i] & 0xff;
        }
        byte[] octal = String.format("%06o", sum).getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(octal, 0, tar, offset + 148, 6);
        tar[offset + 154] = 0;
    }
}
