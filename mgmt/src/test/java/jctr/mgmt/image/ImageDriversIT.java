package jctr.mgmt.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import jctr.kernel.host.HostInfo;
import jctr.kernel.host.MountEntry;
import jctr.kernel.image.Descriptor;
import jctr.kernel.image.DigestMismatchException;
import jctr.kernel.image.ImageConfig;
import jctr.kernel.image.ImageLayers;
import jctr.kernel.image.ImagePuller;
import jctr.kernel.image.ImageService;
import jctr.kernel.image.ImageStore;
import jctr.kernel.image.ImageUsers;
import jctr.kernel.image.LocalRegistry;
import jctr.kernel.image.MediaTypes;
import jctr.kernel.image.PullProgress;
import jctr.kernel.image.Reference;
import jctr.kernel.image.RemoveEvent;
import jctr.kernel.image.RuntimeSpecs;
import jctr.kernel.image.TestImages;
import jctr.kernel.oci.OciJson;
import jctr.kernel.oci.Spec;
import jctr.kernel.registry.DriverRegistry;
import jctr.kernel.spi.DriverContext;
import jctr.kernel.spi.Rootfs;
import jctr.kernel.spi.StorageDriver;
import jctr.kernel.testing.BusyboxRootfs;
import jctr.kernel.testing.Commands;
import jctr.kernel.testing.LayerTar;
import jctr.kernel.testing.RootOnly;

/**
 * The image store with the real storage drivers (overlay and vfs): pull from a real registry unpacks the
 * layers into the driver by chain id, a prepared rootfs shows the image (a whiteout in the upper layer
 * hides a file of the lower), the runtime spec made from the image config runs under runc with the image's
 * user, layers under a prepared container survive GC until the container goes, and a layer whose content
 * does not match its diff_id leaves nothing in the driver.
 */
class ImageDriversIT {

    @TempDir
    static Path tmp;

    private static LocalRegistry registry;

    @BeforeAll
    static void pushImages() throws Exception {
        RootOnly.assumeRoot();
        LocalRegistry.assumeTools();
        registry = LocalRegistry.start(tmp.resolve("registry"), null);
        TestImages.Layout layout = new TestImages.Layout(tmp.resolve("layout"));
        byte[] base = LayerTar.ofDirectory(BusyboxRootfs.create(tmp.resolve("rootfs")));
        byte[] app = new LayerTar()
                .file("etc/passwd", "root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000:App:/home/app:/bin/sh\n")
                .dir("home/app")
                .whiteout("etc/hostname")
                .file("app/hello", "hello from the image\n")
                .bytes();
        layout.image(List.of(base, app), true, List.of("sh", "-c", "id -u; id -g; cat /app/hello; echo $HOME; "
                + "test -e /etc/hostname && echo hostname-visible || echo hostname-hidden"),
                Map.of(Descriptor.REF_NAME, "app"));
        registry.push(layout.dir(), "app", "app:1", null);

        // An image whose config promises other layer content than its intact blob holds.
        TestImages.Layout bad = new TestImages.Layout(tmp.resolve("bad"));
        byte[] promised = new LayerTar().file("a", "promised").bytes();
        byte[] actual = new LayerTar().file("a", "actual").bytes();
        byte[] config = TestImages.config(List.of(promised), List.of("sh"), List.of());
        byte[] layer = TestImages.gzip(actual);
        var cd = bad.blob(config);
        var ld = bad.blob(layer);
        byte[] manifest = OciJson.writeCompact(Map.of("schemaVersion", 2, "mediaType", MediaTypes.OCI_MANIFEST,
                "config", Map.of("mediaType", MediaTypes.OCI_CONFIG, "digest", cd.toString(), "size", config.length),
                "layers", List.of(Map.of("mediaType", MediaTypes.OCI_LAYER_GZIP, "digest", ld.toString(), "size", layer.length))));
        bad.entry(new Descriptor(MediaTypes.OCI_MANIFEST, bad.blob(manifest), manifest.length, null,
                Map.of(Descriptor.REF_NAME, "bad"), null));
        registry.push(bad.dir(), "bad", "bad:1", null);
    }

    @AfterAll
    static void stop() {
        if (registry != null) {
            registry.close();
        }
    }

    private static StorageDriver driver(String name, Path root) {
        DriverContext ctx = new DriverContext(root.resolve("state"), root.resolve("data"), Map.of(), HostInfo.detect());
        return DriverRegistry.load().storage(name, ctx, Map.of());
    }

    @ParameterizedTest
    @ValueSource(strings = {"overlay", "vfs"})
    void pullUnpacksPreparesRunsAndCollects(String driverName) throws Exception {
        Path root = tmp.resolve("run-" + driverName);
        StorageDriver driver = driver(driverName, root);
        ImageStore store = new ImageStore(root.resolve("data"));
        ImageService service = new ImageService(store, driver, ImageUsers.NONE, ImagePuller.Options.defaults());
        String containerId = "img-" + driverName + "-" + UUID.randomUUID().toString().substring(0, 8);
        boolean prepared = false;
        try {
            Reference ref = Reference.parse(registry.hostPort() + "/app:1");
            List<String> events = new ArrayList<>();
            PullProgress progress = new PullProgress() {
                @Override
                public synchronized void layer(String id, Status status, long current, long total) {
                    events.add(id + " " + status);
                }

                @Override
                public void message(String id, String text) {
                }
            };
            var result = service.pull(ref, progress);
            ImageConfig config = store.config(store.resolve(ref.toString()).record());
            List<String> layers = ImageLayers.chainIds(config.diffIds()).stream().map(d -> d.hex()).toList();
            assertEquals(2, layers.size());
            for (String l : layers) {
                assertTrue(driver.hasLayer(l), driverName + " holds layer " + l);
            }
            assertEquals(2, events.stream().filter(e -> e.endsWith("PULL_COMPLETE")).count(), events.toString());
            assertEquals(layers, service.unpack(result.imageId()), "unpack again: the same ids, nothing new");

            Rootfs rootfs = driver.prepare(containerId, layers);
            prepared = true;
            Path r = Path.of(rootfs.path());
            assertTrue(Files.isExecutable(r.resolve("bin/busybox")));
            assertEquals("hello from the image\n", Files.readString(r.resolve("app/hello")));
            assertFalse(Files.exists(r.resolve("etc/hostname")), "the whiteout of the upper layer hides it");

            Spec spec = RuntimeSpecs.fromImage(config, rootfs.path(),
                    new RuntimeSpecs.Overrides(null, null, null, null, "app", containerId, false, false));
            assertEquals(1000, spec.process().user().uid(), "User resolved in the image's /etc/passwd");
            assertEquals(List.of("1000", "1000", "hello from the image", "/home/app", "hostname-hidden"),
                    runc(root, containerId, spec).lines().toList());

            // A prepared container keeps its layers through image removal and prune.
            List<RemoveEvent> removed = service.remove(ref.toString(), false);
            assertTrue(removed.contains(new RemoveEvent(RemoveEvent.Type.DELETED, result.imageId().toString())), removed.toString());
            service.prune(false);
            for (String l : layers) {
                assertTrue(driver.hasLayer(l), "layer " + l + " under a prepared container survives GC");
            }
            driver.remove(containerId);
            prepared = false;
            service.prune(false);
            for (String l : layers) {
                assertFalse(driver.hasLayer(l), "layer " + l + " is collected once no container uses it");
            }
            assertTrue(store.blobs().list().isEmpty());
        } finally {
            if (prepared) {
                driver.remove(containerId);
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"overlay", "vfs"})
    void aLayerThatDoesNotMatchItsDiffIdLeavesNothingInTheDriver(String driverName) {
        Path root = tmp.resolve("bad-" + driverName);
        StorageDriver driver = driver(driverName, root);
        ImageStore store = new ImageStore(root.resolve("data"));
        ImageService service = new ImageService(store, driver, ImageUsers.NONE, ImagePuller.Options.defaults());
        DigestMismatchException e = assertThrows(DigestMismatchException.class,
                () -> service.pull(Reference.parse(registry.hostPort() + "/bad:1"), PullProgress.NONE));
        assertTrue(e.getMessage().contains("diff_id"), e.getMessage());
        assertFalse(driver.hasLayer(e.expected().hex()));
        assertTrue(store.read().layersOf(driverName).isEmpty());
    }

    /** Runs the spec with runc in a bundle of its own (runc state and cgroups under jctr-test, both removed). */
    private static String runc(Path root, String id, Spec spec) throws IOException {
        Path bundle = Files.createDirectories(root.resolve("bundle-" + id));
        Path runcRoot = Files.createDirectories(root.resolve("runc"));
        List<Path> parents = new ArrayList<>();
        // runc makes the cgroup in every hierarchy (named and unified ones too): note where jctr-test is new.
        for (MountEntry m : MountEntry.parseAll(Files.readString(Path.of("/proc/self/mountinfo")))) {
            Path parent = Path.of(m.mountPoint()).resolve("jctr-test");
            if ((m.fsType().equals("cgroup") || m.fsType().equals("cgroup2")) && !Files.exists(parent)) {
                parents.add(parent);
            }
        }
        Spec withCgroup = spec.withLinux(spec.linux().withCgroupsPath("/jctr-test/" + id));
        Files.write(bundle.resolve("config.json"), OciJson.writeCompact(withCgroup));
        try {
            return Commands.run(bundle, "runc", "--root", runcRoot.toString(), "run", "--bundle", bundle.toString(), id);
        } finally {
            Commands.exec(bundle, "runc", "--root", runcRoot.toString(), "delete", "--force", id);
            for (Path p : parents) {
                try {
                    Files.deleteIfExists(p); // only the jctr-test parents this test made, and only when empty
                } catch (DirectoryNotEmptyException e) {
                    // another test's cgroup is there
                } catch (IOException e) {
                    // busy: leave it
                }
            }
        }
    }
}
