package jctr.kernel.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import jctr.kernel.testing.BusyboxRootfs;

/**
 * Pulls against a real registry (Debian's docker-registry on 127.0.0.1) holding images pushed by skopeo
 * from OCI layouts the test builds: by tag and digest, a missing tag, a corrupted blob, an interrupted
 * download, a multi-layer image fetched in parallel, a multi-platform index, and skopeo-made archives.
 */
class RegistryPullIT {

    @TempDir
    static Path tmp;

    private static LocalRegistry registry;
    private static TestImages.Built busybox;
    private static TestImages.Built corrupt;
    private static TestImages.Built multi;

    @BeforeAll
    static void pushImages() throws Exception {
        LocalRegistry.assumeTools();
        registry = LocalRegistry.start(tmp.resolve("registry"), null);
        TestImages.Layout layout = new TestImages.Layout(tmp.resolve("layout"));
        byte[] rootfs = jctr.kernel.testing.LayerTar.ofDirectory(BusyboxRootfs.create(tmp.resolve("rootfs")));
        busybox = layout.image(List.of(rootfs), true, List.of("sh"), Map.of(Descriptor.REF_NAME, "busybox"));
        corrupt = layout.image(List.of(TestImages.layerTar(Map.of("c", "to be corrupted".repeat(1000)))), true,
                List.of("sh"), Map.of(Descriptor.REF_NAME, "corrupt"));
        List<byte[]> layers = new ArrayList<>();
        Random random = new Random(42);
        for (int i = 0; i < 5; i++) {
            byte[] data = new byte[300_000];
            random.nextBytes(data); // incompressible, so each download takes a moment
            layers.add(TestImages.layerTar(Map.of("layer" + i, java.util.Base64.getEncoder().encodeToString(data))));
        }
        multi = layout.image(layers, true, List.of("sh"), Map.of(Descriptor.REF_NAME, "multi"));
        registry.push(layout.dir(), "busybox", "busybox:latest", null);
        registry.push(layout.dir(), "corrupt", "corrupt:1", null);
        registry.push(layout.dir(), "multi", "multi:1", null);
        // Corrupt the stored layer of corrupt:1 in place (same size): the registry serves it as it is.
        Path data = registry.blobData(corrupt.layers().getFirst());
        byte[] bytes = Files.readAllBytes(data);
        bytes[bytes.length / 2] ^= 0x01;
        Files.write(data, bytes);
    }

    @AfterAll
    static void stopRegistry() {
        if (registry != null) {
            registry.close();
        }
    }

    private static ImageStore newStore(String name) {
        return new ImageStore(tmp.resolve("stores").resolve(name));
    }

    private static ImagePuller puller(ImageStore store) {
        return new ImagePuller(store, ImagePuller.Options.defaults());
    }

    @Test
    void pullsByTagAndByDigest() {
        ImageStore store = newStore("tag");
        RecordingProgress progress = new RecordingProgress();
        Reference ref = Reference.parse(registry.hostPort() + "/busybox");
        ImagePuller.Result r = puller(store).pull(ref, progress);
        assertEquals(busybox.id(), r.imageId());
        assertEquals(busybox.manifest(), r.repoDigest());
        assertTrue(r.downloaded());
        Image image = store.resolve(registry.hostPort() + "/busybox:latest");
        assertEquals(List.of(Reference.parse(registry.hostPort() + "/busybox@" + busybox.manifest())), image.repoDigests());
        assertEquals(List.of("sh"), store.config(image.record()).configOrEmpty().cmd());
        assertTrue(store.blobs().has(busybox.layers().getFirst()));
        String layer = busybox.layers().getFirst().shortHex();
        assertEquals(List.of(PullProgress.Status.PULLING_FS_LAYER, PullProgress.Status.DOWNLOADING,
                PullProgress.Status.VERIFYING, PullProgress.Status.DOWNLOAD_COMPLETE), progress.statusesOf(layer));
        assertEquals(List.of("Pulling from busybox", "Digest: " + busybox.manifest(),
                "Status: Downloaded newer image for " + registry.hostPort() + "/busybox:latest"), progress.messages());

        RecordingProgress again = new RecordingProgress();
        assertFalse(puller(store).pull(ref, again).downloaded());
        assertEquals(List.of(PullProgress.Status.ALREADY_EXISTS), again.statusesOf(layer));
        assertTrue(again.messages().getLast().startsWith("Status: Image is up to date for "));

        ImageStore byDigest = newStore("digest");
        Reference digestRef = Reference.parse(registry.hostPort() + "/busybox@" + busybox.manifest());
        assertEquals(busybox.id(), puller(byDigest).pull(digestRef, PullProgress.NONE).imageId());
        assertEquals(busybox.id(), byDigest.resolve(digestRef.toString()).id());
        assertTrue(byDigest.resolve(busybox.id().toString()).repoTags().isEmpty(), "a digest pull adds no tag");
    }

    @Test
    void aMissingTagIsAClear404AndStoresNothing() {
        ImageStore store = newStore("missing");
        RegistryException e = assertThrows(RegistryException.class,
                () -> puller(store).pull(Reference.parse(registry.hostPort() + "/busybox:nosuch"), PullProgress.NONE));
        assertEquals(404, e.status());
        assertEquals(registry.hostPort() + "/busybox: manifest nosuch: 404 not found (manifest unknown)", e.getMessage());
        RegistryException repo = assertThrows(RegistryException.class,
                () -> puller(store).pull(Reference.parse(registry.hostPort() + "/nosuchrepo"), PullProgress.NONE));
        assertTrue(repo.getMessage().contains("404"), repo.getMessage());
        assertTrue(store.list().isEmpty());
        assertTrue(store.blobs().list().isEmpty());
    }

    @Test
    void aBlobWithTheWrongDigestIsRejectedAndNothingIsStored() throws IOException {
        ImageStore store = newStore("corrupt");
        DigestMismatchException e = assertThrows(DigestMismatchException.class,
                () -> puller(store).pull(Reference.parse(registry.hostPort() + "/corrupt:1"), PullProgress.NONE));
        assertEquals(corrupt.layers().getFirst(), e.expected());
        assertTrue(e.getMessage().startsWith(registry.hostPort() + "/corrupt: blob " + corrupt.layers().getFirst()),
                e.getMessage());
        assertTrue(store.list().isEmpty(), "no image recorded");
        assertTrue(store.blobs().list().isEmpty(), "not the bad layer, nor the manifest and config: " + store.blobs().list());
        try (var files = Files.list(store.root().resolve("tmp"))) {
            assertEquals(List.of(), files.filter(p -> !p.getFileName().toString().endsWith(".lock")).toList(),
                    "the corrupt partial download is removed");
        }
    }

    @Test
    void anInterruptedDownloadResumesWithARangeRequest() throws IOException {
        try (RegistryProxy proxy = new RegistryProxy(registry.hostPort())) {
            Digest layer = busybox.layers().getFirst();
            proxy.cutOnce(layer, 300_000);
            ImageStore store = newStore("resume");
            ImagePuller.Result r = puller(store).pull(Reference.parse(proxy.hostPort() + "/busybox"), PullProgress.NONE);
            assertEquals(busybox.id(), r.imageId());
            List<RegistryProxy.Seen> blobGets = proxy.seen().stream().filter(s -> s.path().endsWith(layer.toString())).toList();
            assertEquals(2, blobGets.size(), blobGets.toString());
            assertEquals(null, blobGets.get(0).range());
            assertResumedWithin(blobGets.get(1).range(), 300_000);
            assertTrue(store.blobs().has(layer));
            try (BlobStore.Reader reader = store.blobs().open(layer, "layer")) {
                reader.finish(); // the stitched blob verifies
            }
        }
    }

    /**
     * A resume asks for the rest after what arrived: at most what the proxy sent before cutting (the JDK
     * client may drop bytes it had buffered when the connection fails), and more than nothing.
     */
    private static void assertResumedWithin(String range, long sent) {
        assertTrue(range != null && range.matches("bytes=\\d+-"), "a Range request: " + range);
        long from = Long.parseLong(range.substring("bytes=".length(), range.length() - 1));
        assertTrue(from > 0 && from <= sent, "resumed from " + from + " of " + sent + " bytes sent");
    }

    @Test
    void aDownloadInterruptedForGoodResumesInTheNextPull() throws IOException {
        // With no retries, the pull fails after the cut but keeps the partial file; the next pull resumes it.
        try (RegistryProxy proxy = new RegistryProxy(registry.hostPort())) {
            Digest layer = busybox.layers().getFirst();
            proxy.cutOnce(layer, 500_000);
            ImageStore store = newStore("resume-later");
            ImagePuller noRetry = new ImagePuller(store, new ImagePuller.Options(Platform.LINUX_AMD64, 3, 0, List.of(),
                    RegistryCredentials.NONE, Duration.ofSeconds(60)));
            Reference ref = Reference.parse(proxy.hostPort() + "/busybox");
            RegistryException e = assertThrows(RegistryException.class, () -> noRetry.pull(ref, PullProgress.NONE));
            assertTrue(e.getMessage().contains("the partial download is kept"), e.getMessage());
            long kept = Files.size(store.blobs().partialFile(layer));
            assertResumedWithin("bytes=" + kept + "-", 500_000);
            assertTrue(store.list().isEmpty());
            noRetry.pull(ref, PullProgress.NONE);
            assertEquals("bytes=" + kept + "-", proxy.seen().stream().filter(s -> s.path().endsWith(layer.toString()))
                    .toList().getLast().range(), "the next pull resumes the kept partial file");
            assertEquals(busybox.id(), store.resolve(ref.toString()).id());
        }
    }

    @Test
    void aStalledDownloadIsResumed() {
        try (RegistryProxy proxy = new RegistryProxy(registry.hostPort())) {
            Digest layer = busybox.layers().getFirst();
            proxy.stallOnce(layer, 200_000);
            ImageStore store = newStore("stall");
            ImagePuller impatient = new ImagePuller(store, new ImagePuller.Options(Platform.LINUX_AMD64, 3, 3, List.of(),
                    RegistryCredentials.NONE, Duration.ofMillis(500)));
            assertEquals(busybox.id(), impatient.pull(Reference.parse(proxy.hostPort() + "/busybox"), PullProgress.NONE).imageId());
            assertResumedWithin(proxy.seen().stream().filter(s -> s.path().endsWith(layer.toString()))
                    .toList().getLast().range(), 200_000);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void layersAreFetchedInParallelButBounded() throws IOException {
        try (RegistryProxy proxy = new RegistryProxy(registry.hostPort())) {
            proxy.delayBlobs(400);
            ImageStore store = newStore("parallel");
            RecordingProgress progress = new RecordingProgress();
            puller(store).pull(Reference.parse(proxy.hostPort() + "/multi:1"), progress);
            // Each blob answer is held 400 ms, so the first three downloads overlap and the others wait.
            assertEquals(3, proxy.maxParallelBlobs(), "3 downloads at a time, never more");
            for (Digest d : multi.layers()) {
                assertTrue(store.blobs().has(d));
                assertTrue(progress.statusesOf(d.shortHex()).contains(PullProgress.Status.DOWNLOAD_COMPLETE));
            }
            long waiting = multi.layers().stream()
                    .filter(d -> progress.statusesOf(d.shortHex()).contains(PullProgress.Status.WAITING)).count();
            assertEquals(2, waiting, "layers beyond the first 3 wait");
        }
    }

    @Test
    void aMultiPlatformIndexYieldsTheAmd64Image() throws IOException {
        TestImages.Layout layout = new TestImages.Layout(tmp.resolve("multiarch"));
        TestImages.Built amd = layout.image(List.of(TestImages.layerTar(Map.of("arch", "amd64"))), true, List.of("x"), Map.of());
        TestImages.Built arm = layout.image(List.of(TestImages.layerTar(Map.of("arch", "arm64"))), true, List.of("x"), Map.of());
        ImageIndex index = ImageIndex.of(List.of(
                new Descriptor(MediaTypes.OCI_MANIFEST, arm.manifest(), arm.manifestSize(), null, null, Platform.parse("linux/arm64/v8")),
                new Descriptor(MediaTypes.OCI_MANIFEST, amd.manifest(), amd.manifestSize(), null, null, Platform.parse("linux/amd64"))));
        byte[] indexBytes = jctr.kernel.oci.OciJson.writeCompact(index);
        Digest indexDigest = layout.blob(indexBytes);
        Files.write(layout.dir().resolve("index.json"), jctr.kernel.oci.OciJson.writeCompact(ImageIndex.of(List.of(
                new Descriptor(MediaTypes.OCI_INDEX, indexDigest, indexBytes.length, null, Map.of(Descriptor.REF_NAME, "all"), null)))));
        registry.push(layout.dir(), "all", "multiarch:1", null);

        ImageStore store = newStore("multiarch");
        ImagePuller.Result r = puller(store).pull(Reference.parse(registry.hostPort() + "/multiarch:1"), PullProgress.NONE);
        assertEquals(amd.id(), r.imageId());
        assertEquals(indexDigest, r.repoDigest(), "the repo digest is the index's, as Docker reports it");
        assertTrue(store.blobs().has(indexDigest));
        assertFalse(store.blobs().has(arm.layers().getFirst()), "other platforms' layers are not fetched");
        var e = assertThrows(jctr.kernel.NotFoundException.class, () -> new ImagePuller(store,
                ImagePuller.Options.defaults().withPlatform(Platform.parse("linux/s390x"))).pull(Reference.parse(registry.hostPort() + "/multiarch:1"), PullProgress.NONE));
        assertTrue(e.getMessage().contains("available: linux/arm64/v8, linux/amd64"), e.getMessage());
    }

    @Test
    void importsWhatSkopeoWritesAndSkopeoReadsWhatWeExport() throws IOException {
        Path work = tmp.resolve("skopeo");
        Files.createDirectories(work);
        Path ociDir = work.resolve("oci");
        Path dockerArchive = work.resolve("busybox-docker.tar");
        Path ociArchive = work.resolve("busybox-oci.tar");
        String src = "docker://" + registry.hostPort() + "/busybox:latest";
        LocalRegistry.skopeo(work, List.of("skopeo", "copy", "--quiet", "--src-tls-verify=false", src, "oci:" + ociDir + ":latest"));
        LocalRegistry.skopeo(work, List.of("skopeo", "copy", "--quiet", "--src-tls-verify=false", src,
                "docker-archive:" + dockerArchive + ":skopeo/busybox:saved"));
        LocalRegistry.skopeo(work, List.of("skopeo", "copy", "--quiet", "--src-tls-verify=false", src,
                "oci-archive:" + ociArchive + ":latest"));

        ImageStore store = newStore("skopeo");
        ImageImporter importer = new ImageImporter(store, Platform.LINUX_AMD64);
        List<ImageImporter.Imported> fromDir = importer.importPath(ociDir, Reference.parse("imported/busybox"));
        assertEquals(busybox.id(), fromDir.getFirst().id());
        assertEquals(busybox.id(), store.resolve("imported/busybox:latest").id());
        List<ImageImporter.Imported> fromDocker = importer.importPath(dockerArchive, null);
        assertEquals(busybox.id(), fromDocker.getFirst().id(), "the same config, so the same image");
        assertEquals(List.of(Reference.parse("skopeo/busybox:saved")), fromDocker.getFirst().names());
        assertEquals(busybox.id(), importer.importPath(ociArchive, null).getFirst().id());

        // The other direction: skopeo reads our exports and pushes them to the registry; we pull that back.
        ImageExporter exporter = new ImageExporter(store);
        Path ourLayout = work.resolve("ours");
        Path ourDocker = work.resolve("ours-docker.tar");
        exporter.export(List.of("imported/busybox"), ourLayout, ImageExporter.Format.OCI_DIR);
        exporter.export(List.of("imported/busybox"), ourDocker, ImageExporter.Format.DOCKER_TAR);
        LocalRegistry.skopeo(work, List.of("skopeo", "copy", "--quiet", "--dest-tls-verify=false",
                "oci:" + ourLayout + ":latest", "docker://" + registry.hostPort() + "/roundtrip:oci"));
        LocalRegistry.skopeo(work, List.of("skopeo", "copy", "--quiet", "--dest-tls-verify=false",
                "docker-archive:" + ourDocker, "docker://" + registry.hostPort() + "/roundtrip:docker"));
        ImageStore back = newStore("roundtrip");
        assertEquals(busybox.id(), puller(back).pull(Reference.parse(registry.hostPort() + "/roundtrip:oci"), PullProgress.NONE).imageId());
        assertEquals(busybox.id(), puller(back).pull(Reference.parse(registry.hostPort() + "/roundtrip:docker"), PullProgress.NONE).imageId());
    }
}
