package jctr.storage.vfs;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

import jctr.kernel.KernelException;
import jctr.kernel.host.HostInfo;
import jctr.kernel.layer.FileTrees;
import jctr.kernel.layer.MetadataFile;
import jctr.kernel.layer.TarEntry;
import jctr.kernel.layer.TarLimits;
import jctr.kernel.layer.TarReader;
import jctr.kernel.spi.DriverContext;
import jctr.kernel.sys.FileMeta;
import jctr.kernel.testing.LayerTar;
import jctr.kernel.testing.RootOnly;
import jctr.kernel.testing.TreeSnapshot;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What is specific to vfs: full-copy layers, diff by comparison, resuming an interrupted copy. */
class VfsStorageDriverIT {

    private Path tmp;
    private VfsStorageDriver driver;
    private final List<String> containers = new ArrayList<>();

    @BeforeEach
    void setUp() throws IOException {
        RootOnly.assumeRoot();
        tmp = Files.createTempDirectory("jctr-vfs-it");
        driver = new VfsStorageDriver();
        driver.initialize(new DriverContext(tmp.resolve("state"), tmp.resolve("data"), Map.of(), HostInfo.detect()));
    }

    @AfterEach
    void tearDown() {
        if (tmp != null) {
            try {
                containers.forEach(driver::remove);
            } finally {
                FileTrees.deleteRecursively(tmp);
            }
        }
    }

    private Path prepare(String id, String... layers) {
        containers.add(id);
        return Path.of(driver.prepare(id, List.of(layers)).path());
    }

    private Map<String, TarEntry> diff(String id) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        driver.diff(id, out);
        Map<String, TarEntry> members = new TreeMap<>();
        TarReader r = new TarReader(new ByteArrayInputStream(out.toByteArray()), TarLimits.DEFAULTS, "diff");
        for (Optional<TarEntry> e = r.next(); e.isPresent(); e = r.next()) {
            members.put(e.get().name().replaceFirst("/$", ""), e.get());
        }
        return members;
    }

    @Test
    void aLayerIsTheWholeTreeWithWhiteoutsApplied() {
        driver.createLayer("l1", null, new LayerTar().dir("etc").file("etc/a", "a").file("etc/b", "b").stream());
        driver.createLayer("l2", "l1", new LayerTar().dir("etc").whiteout("etc/a").file("etc/c", "c").stream());
        Path root = tmp.resolve("data/vfs/layers/l2/root");
        assertTrue(Files.exists(root.resolve("etc/b")), "the parent's files are copied");
        assertFalse(Files.exists(root.resolve("etc/a")), "a whiteout deletes");
        assertFalse(Files.exists(root.resolve("etc/.wh.a")));
        assertTrue(Files.exists(tmp.resolve("data/vfs/layers/l1/root/etc/a")), "the parent layer is untouched");
    }

    @Test
    void contentIsComparedWhenOnlyTheCtimeGivesTheChangeAway() throws IOException {
        driver.createLayer("l1", null, new LayerTar().dir("etc").file("etc/same-size", "AAAA").file("etc/chmod-back", "x")
                .file("etc/untouched", "u").stream());
        Path root = prepare("c", "l1");
        Instant mtime = FileMeta.lstat(root.resolve("etc/same-size")).mtime();
        Files.writeString(root.resolve("etc/same-size"), "BBBB");
        FileMeta.setTimes(root.resolve("etc/same-size"), null, mtime); // hide the write from size and mtime
        FileMeta.chmod(root.resolve("etc/chmod-back"), 0600);
        FileMeta.chmod(root.resolve("etc/chmod-back"), 0644); // touched, but back as it was
        Map<String, TarEntry> members = diff("c");
        assertTrue(members.containsKey("etc/same-size"), members.keySet().toString());
        assertFalse(members.containsKey("etc/chmod-back"), members.keySet().toString());
        assertFalse(members.containsKey("etc/untouched"), members.keySet().toString());
        assertTrue(members.containsKey("etc"), "the parent directory comes with the change: " + members.keySet());
    }

    @Test
    void hardLinksAndTypeChangesInTheDiff() throws IOException {
        driver.createLayer("l1", null, new LayerTar().file("one", "shared").hardLink("two", "one").dir("was-dir")
                .file("was-dir/inner", "i").file("was-file", "f").stream());
        Path root = prepare("c", "l1");
        Files.writeString(root.resolve("one"), "changed through a hard link");
        FileTrees.deleteRecursively(root.resolve("was-dir"));
        Files.writeString(root.resolve("was-dir"), "now a file");
        Files.delete(root.resolve("was-file"));
        Files.createDirectories(root.resolve("was-file/now-a-dir"));
        Map<String, TarEntry> members = diff("c");
        assertEquals(TarEntry.Type.REGULAR, members.get("one").type());
        assertEquals(TarEntry.Type.HARDLINK, members.get("two").type());
        assertEquals("one", members.get("two").linkName());
        assertEquals(TarEntry.Type.REGULAR, members.get("was-dir").type());
        assertEquals(TarEntry.Type.DIRECTORY, members.get("was-file").type());
        assertTrue(members.containsKey("was-file/now-a-dir"));

        ByteArrayOutputStream out = new ByteArrayOutputStream();
        driver.diff("c", out);
        driver.createLayer("l2", "l1", new ByteArrayInputStream(out.toByteArray()));
        Path rebuilt = prepare("rebuilt", "l1", "l2");
        assertEquals(List.of(), TreeSnapshot.of(root).truncatedToSeconds().differences(TreeSnapshot.of(rebuilt).truncatedToSeconds(), false));
    }

    @Test
    void anInterruptedCopyIsRedoneByTheNextPrepare() throws IOException {
        driver.createLayer("l1", null, new LayerTar().file("f", "content").stream());
        Path root = prepare("c", "l1");
        Path dir = root.getParent();
        // As if the engine died during the copy: the container is registered, the copy is half done.
        Map<String, String> props = new TreeMap<>(MetadataFile.read(dir.resolve("container.properties")));
        props.put("state", "copying");
        MetadataFile.write(dir.resolve("container.properties"), props);
        FileTrees.deleteRecursively(root);
        Files.createDirectories(dir.resolve("rootfs.tmp/partial"));
        Path again = prepare("c", "l1");
        assertEquals("content", Files.readString(again.resolve("f")));
        assertFalse(Files.exists(dir.resolve("rootfs.tmp")));
        assertFalse(Files.exists(again.resolve("partial")));
    }

    @Test
    void aFailedCopyLeavesNoContainer() {
        driver.createLayer("l1", null, new LayerTar().file("f", "content").stream());
        FileTrees.deleteRecursively(tmp.resolve("data/vfs/layers/l1/root")); // damaged behind the driver's back
        assertThrows(KernelException.class, () -> driver.prepare("c", List.of("l1")));
        assertFalse(Files.exists(tmp.resolve("data/vfs/containers/c")));
        driver.removeLayer("l1"); // no container holds it
    }
}
