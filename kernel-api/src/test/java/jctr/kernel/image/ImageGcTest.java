package jctr.kernel.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import jctr.kernel.NotFoundException;

/** Unpacking into a storage driver, rm and prune with Docker's rules, layer and blob GC. */
class ImageGcTest {

    @TempDir
    Path tmp;

    private static final byte[] BASE = TestImages.layerTar(Map.of("bin/sh", "shell"));
    private static final byte[] APP = TestImages.layerTar(Map.of("app/run", "run"));
    private static final byte[] OTHER = TestImages.layerTar(Map.of("other/x", "x"));

    private ImageStore store;
    private FakeStorageDriver driver;
    private final Set<String> inUse = new HashSet<>();
    private TestImages.Built app;
    private TestImages.Built other;

    @BeforeEach
    void images() {
        TestImages.Layout layout = new TestImages.Layout(tmp.resolve("layout"));
        app = layout.image(List.of(BASE, APP), true, List.of("/app/run"), Map.of(Descriptor.REF_NAME, "app:1"));
        other = layout.image(List.of(BASE, OTHER), false, List.of("/other/x"), Map.of(Descriptor.REF_NAME, "other:1"));
        store = new ImageStore(tmp.resolve("data"));
        new ImageImporter(store, Platform.LINUX_AMD64).importPath(layout.dir(), null);
        driver = new FakeStorageDriver();
    }

    private ImageGc gc() {
        return new ImageGc(store, () -> inUse, driver);
    }

    @Test
    void unpackCreatesLayersBottomUpByChainIdAndIsIdempotent() {
        List<String> ids = ImageLayers.unpack(store, app.id(), driver, PullProgress.NONE);
        List<Digest> chain = ImageLayers.chainIds(app.diffIds());
        assertEquals(List.of(chain.get(0).hex(), chain.get(1).hex()), ids);
        assertEquals(null, driver.layers.get(ids.get(0)).parent());
        assertEquals(ids.get(0), driver.layers.get(ids.get(1)).parent());
        assertEquals(List.of("app/run"), driver.layers.get(ids.get(1)).entries(), "gzip was decompressed on the fly");
        assertEquals(ids, ImageLayers.unpack(store, app.id(), driver, PullProgress.NONE));
        assertEquals(2, driver.created.size(), "nothing is created twice");
        List<String> otherIds = ImageLayers.unpack(store, other.id(), driver, PullProgress.NONE);
        assertEquals(ids.getFirst(), otherIds.getFirst(), "images with the same base share its layer");
        assertEquals(3, driver.created.size());
        assertEquals(Set.of(ids.get(0), ids.get(1), otherIds.get(1)), store.read().layersOf("fake").keySet());
    }

    @Test
    void aLayerWhoseContentDoesNotMatchItsDiffIdIsRemovedAgain() throws Exception {
        // An image whose config promises other content than its (intact) layer blob holds.
        TestImages.Layout layout = new TestImages.Layout(tmp.resolve("bad"));
        byte[] config = TestImages.config(List.of(OTHER), List.of("x"), List.of());
        Digest cd = layout.blob(config);
        byte[] layer = TestImages.gzip(APP);
        Digest ld = layout.blob(layer);
        ImageManifest m = new ImageManifest(2, MediaTypes.OCI_MANIFEST, new Descriptor(MediaTypes.OCI_CONFIG, cd, config.length),
                List.of(new Descriptor(MediaTypes.OCI_LAYER_GZIP, ld, layer.length)), null);
        byte[] mb = jctr.kernel.oci.OciJson.writeCompact(m);
        layout.entry(new Descriptor(MediaTypes.OCI_MANIFEST, layout.blob(mb), mb.length, null,
                Map.of(Descriptor.REF_NAME, "bad:1"), null));
        new ImageImporter(store, Platform.LINUX_AMD64).importPath(layout.dir(), null);
        DigestMismatchException e = assertThrows(DigestMismatchException.class,
                () -> ImageLayers.unpack(store, cd, driver, PullProgress.NONE));
        assertTrue(e.getMessage().contains("diff_id"), e.getMessage());
        assertTrue(driver.layers.isEmpty(), "the driver's layer was removed");
        assertEquals(List.of(Digest.sha256(OTHER).hex()), driver.removed);
        assertTrue(store.read().layersOf("fake").isEmpty());
    }

    @Test
    void rmOfATagUntagsAndTheLastTagDeletesTheImageAndItsBlobs() {
        store.tag("app:1", "app:2");
        assertEquals(List.of(new RemoveEvent(RemoveEvent.Type.UNTAGGED, "app:1")), gc().remove("app:1", false));
        assertEquals(app.id(), store.resolve("app:2").id());
        List<RemoveEvent> events = gc().remove("app:2", false);
        assertEquals(new RemoveEvent(RemoveEvent.Type.UNTAGGED, "app:2"), events.get(0));
        assertEquals(new RemoveEvent(RemoveEvent.Type.DELETED, app.id().toString()), events.get(1));
        assertThrows(NotFoundException.class, () -> store.resolve(app.id().toString()));
        assertFalse(store.blobs().has(app.manifest()));
        assertFalse(store.blobs().has(app.layers().get(1)), "its own layer blob is gone");
        assertFalse(store.blobs().has(app.layers().get(0)), "app's gzip base layer blob is its own");
        for (Digest d : other.layers()) {
            assertTrue(store.blobs().has(d), "blobs of another image stay");
        }
        assertTrue(store.blobs().has(other.id()));
        assertThrows(NotFoundException.class, () -> gc().remove("app:2", false));
    }

    @Test
    void rmByIdNeedsForceForSeveralRepositories() {
        store.tag("app:1", "mirror/app:1");
        var e = assertThrows(ImageConflictException.class, () -> gc().remove(app.id().hex().substring(0, 12), false));
        assertTrue(e.getMessage().contains("referenced in multiple repositories"), e.getMessage());
        assertEquals(2, store.resolve("app:1").repoTags().size(), "nothing changed");
        List<RemoveEvent> events = gc().remove(app.id().toString(), true);
        assertEquals(3, events.size(), events.toString());
        assertEquals(RemoveEvent.Type.DELETED, events.get(2).type());
    }

    @Test
    void anImageAContainerUsesIsKeptUnlessForcedAndEvenThenStays() {
        ImageLayers.unpack(store, app.id(), driver, PullProgress.NONE);
        inUse.add(app.id().toString());
        var e = assertThrows(ImageConflictException.class, () -> gc().remove("app:1", false));
        assertTrue(e.getMessage().contains("must force"), e.getMessage());
        assertThrows(ImageConflictException.class, () -> gc().remove(app.id().toString(), false));
        List<RemoveEvent> events = gc().remove("app:1", true);
        assertEquals(List.of(new RemoveEvent(RemoveEvent.Type.UNTAGGED, "app:1")), events);
        assertTrue(store.resolve(app.id().toString()).dangling(), "kept, unnamed, for the container");
        ImageGc.PruneReport report = gc().prune(false);
        assertTrue(report.events().isEmpty(), "prune keeps images in use: " + report.events());
        assertEquals(2, driver.layers.size());
    }

    @Test
    void pruneRemovesDanglingImagesUnreferencedBlobsAndLayersButKeepsBusyLayers() {
        List<String> appLayers = ImageLayers.unpack(store, app.id(), driver, PullProgress.NONE);
        List<String> otherLayers = ImageLayers.unpack(store, other.id(), driver, PullProgress.NONE);
        // Dangle "app" by forcing its name away while a container (briefly) uses it, then stop using it.
        inUse.add(app.id().toString());
        gc().remove("app:1", true);
        inUse.clear();
        driver.busy.add(appLayers.get(1)); // a live container's rootfs sits on this layer

        ImageGc.PruneReport report = gc().prune(false);
        assertEquals(List.of(new RemoveEvent(RemoveEvent.Type.DELETED, app.id().toString())), report.events(),
                "the busy layer is not reported deleted");
        assertTrue(report.reclaimedBytes() > 0);
        assertTrue(driver.layers.containsKey(appLayers.get(1)), "a layer under a live container stays");
        assertTrue(driver.layers.containsKey(otherLayers.get(0)) && driver.layers.containsKey(otherLayers.get(1)));
        assertTrue(store.read().layersOf("fake").containsKey(appLayers.get(1)), "and stays recorded for a later prune");

        driver.busy.clear();
        ImageGc.PruneReport later = gc().prune(false);
        assertEquals(List.of(new RemoveEvent(RemoveEvent.Type.DELETED, "sha256:" + appLayers.get(1))), later.events());
        assertFalse(driver.layers.containsKey(appLayers.get(1)));

        ImageGc.PruneReport all = gc().prune(true);
        assertEquals(RemoveEvent.Type.UNTAGGED, all.events().getFirst().type());
        assertTrue(store.list().isEmpty());
        assertTrue(driver.layers.isEmpty());
        assertEquals(List.of(otherLayers.get(1), otherLayers.get(0)), driver.removed.subList(1, 3),
                "children are removed before their parents");
        assertTrue(store.blobs().list().isEmpty());
    }
}
