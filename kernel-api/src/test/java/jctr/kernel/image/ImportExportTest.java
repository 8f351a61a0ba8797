package jctr.kernel.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import jctr.kernel.InvalidConfigException;
import jctr.kernel.layer.TarEntry;
import jctr.kernel.layer.TarLimits;
import jctr.kernel.layer.TarReader;
import jctr.kernel.layer.TarWriter;
import jctr.kernel.oci.OciJson;

/** Import of OCI layouts (dir and tar) and docker save archives, export in all formats, round trips. */
class ImportExportTest {

    @TempDir
    Path tmp;

    private static final byte[] L1 = TestImages.layerTar(Map.of("bin/hello", "hello\n"));
    private static final byte[] L2 = TestImages.layerTar(Map.of("etc/motd", "welcome\n"));

    private ImageStore store(String name) {
        return new ImageStore(tmp.resolve(name));
    }

    private static ImageImporter importer(ImageStore s) {
        return new ImageImporter(s, Platform.LINUX_AMD64);
    }

    @Test
    void importsAnOciLayoutDirectoryWithItsNames() {
        TestImages.Layout layout = new TestImages.Layout(tmp.resolve("layout"));
        TestImages.Built full = layout.image(List.of(L1, L2), true, List.of("/bin/hello"),
                Map.of(Descriptor.CONTAINERD_IMAGE_NAME, "docker.io/library/hello:1", Descriptor.REF_NAME, "1"));
        TestImages.Built refName = layout.image(List.of(L1), false, List.of("a"),
                Map.of(Descriptor.REF_NAME, "localhost:5000/x:2"));
        TestImages.Built bareTag = layout.image(List.of(L2), false, List.of("b"), Map.of(Descriptor.REF_NAME, "latest"));

        ImageStore s = store("s");
        List<ImageImporter.Imported> out = importer(s).importPath(layout.dir(), null);
        assertEquals(3, out.size());
        assertEquals(List.of(Reference.parse("hello:1")), s.resolve(full.id().toString()).repoTags());
        assertEquals(List.of(Reference.parse("localhost:5000/x:2")), s.resolve(refName.id().toString()).repoTags());
        assertTrue(s.resolve(bareTag.id().toString()).repoTags().isEmpty(), "a bare tag does not say the repository");
        ImageRecord r = s.resolve("hello:1").record();
        assertEquals(full.manifest(), r.manifest());
        for (Digest d : full.layers()) {
            assertTrue(s.blobs().has(d));
        }
        assertEquals(2, s.manifest(r).layers().size());
    }

    @Test
    void aGivenNameNamesTheOnlyImage() {
        TestImages.Layout layout = new TestImages.Layout(tmp.resolve("layout"));
        TestImages.Built b = layout.image(List.of(L1), true, List.of("x"), Map.of(Descriptor.REF_NAME, "latest"));
        ImageStore s = store("s");
        importer(s).importPath(layout.dir(), Reference.parse("mine/app"));
        assertEquals(b.id(), s.resolve("mine/app:latest").id());

        layout.image(List.of(L2), true, List.of("y"), Map.of());
        var e = assertThrows(InvalidConfigException.class, () -> importer(store("t")).importPath(layout.dir(), Reference.parse("x")));
        assertTrue(e.getMessage().contains("holds 2 images"), e.getMessage());
    }

    @Test
    void picksTheAmd64ManifestFromANestedIndex() throws IOException {
        TestImages.Layout layout = new TestImages.Layout(tmp.resolve("layout"));
        // Two single-platform images, then an index over both replacing them in index.json.
        TestImages.Built amd = layout.image(List.of(L1), true, List.of("amd"), Map.of());
        TestImages.Built arm = layout.image(List.of(L2), true, List.of("arm"), Map.of());
        ImageIndex nested = ImageIndex.of(List.of(
                new Descriptor(MediaTypes.OCI_MANIFEST, arm.manifest(), arm.manifestSize(), null, null,
                        Platform.parse("linux/arm64")),
                new Descriptor(MediaTypes.OCI_MANIFEST, amd.manifest(), amd.manifestSize(), null, null,
                        Platform.parse("linux/amd64"))));
        byte[] nestedBytes = OciJson.writeCompact(nested);
        Digest nd = layout.blob(nestedBytes);
        Files.write(layout.dir().resolve("index.json"), OciJson.writeCompact(ImageIndex.of(List.of(
                new Descriptor(MediaTypes.OCI_INDEX, nd, nestedBytes.length, null,
                        Map.of(Descriptor.REF_NAME, "multi:1"), null)))));
        ImageStore s = store("s");
        List<ImageImporter.Imported> out = importer(s).importPath(layout.dir(), null);
        assertEquals(1, out.size());
        assertEquals(amd.id(), s.resolve("multi:1").id());
    }

    @Test
    void importsOciLayoutTarsPlainAndGzippedAndDropsBlobsNoImageUses() {
        TestImages.Layout layout = new TestImages.Layout(tmp.resolve("layout"));
        TestImages.Built b = layout.image(List.of(L1, L2), true, List.of("x"), Map.of(Descriptor.REF_NAME, "t/a:1"));
        Digest stray = layout.blob("not referenced".getBytes(StandardCharsets.UTF_8));
        byte[] tar = jctr.kernel.testing.LayerTar.ofDirectory(layout.dir());

        ImageStore s = store("plain");
        importer(s).importTar(new ByteArrayInputStream(tar), "layout.tar", null);
        assertEquals(b.id(), s.resolve("t/a:1").id());
        assertFalse(s.blobs().has(stray), "a blob no imported image uses is not kept");

        ImageStore g = store("gz");
        importer(g).importTar(new ByteArrayInputStream(TestImages.gzip(tar)), "layout.tar.gz", null);
        assertEquals(b.id(), g.resolve("t/a:1").id());
    }

    /** A docker save archive in the legacy layout (Docker before 25). */
    private static byte[] legacyDockerSave(byte[] config, List<byte[]> layers, List<String> repoTags) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        TarWriter tar = new TarWriter(out);
        java.util.function.BiConsumer<String, byte[]> file = (name, content) -> tar.write(
                TarEntry.file(name, 0644, 0, 0, content.length, java.time.Instant.EPOCH), new ByteArrayInputStream(content));
        String configName = Digest.sha256(config).hex() + ".json";
        List<String> layerPaths = new ArrayList<>();
        for (int i = 0; i < layers.size(); i++) {
            String id = Digest.sha256(("layer" + i).getBytes(StandardCharsets.UTF_8)).hex();
            tar.write(TarEntry.directory(id + "/", 0755, 0, 0, java.time.Instant.EPOCH), null);
            file.accept(id + "/VERSION", "1.0".getBytes(StandardCharsets.UTF_8));
            file.accept(id + "/json", "{}".getBytes(StandardCharsets.UTF_8));
            file.accept(id + "/layer.tar", layers.get(i));
            layerPaths.add(id + "/layer.tar");
        }
        file.accept(configName, config);
        Map<String, Object> entry = new LinkedHashMap<>();
        entry.put("Config", configName);
        entry.put("RepoTags", repoTags);
        entry.put("Layers", layerPaths);
        file.accept("manifest.json", OciJson.writeCompact(List.of(entry)));
        file.accept("repositories", "{}".getBytes(StandardCharsets.UTF_8));
        tar.finish();
        return out.toByteArray();
    }

    @Test
    void importsALegacyDockerSaveArchive() throws IOException {
        byte[] config = TestImages.config(List.of(L1, L2), List.of("sh"), List.of("PATH=/bin"));
        byte[] archive = legacyDockerSave(config, List.of(L1, L2), List.of("busybox:latest", "localhost:5000/bb:2"));
        ImageStore s = store("s");
        List<ImageImporter.Imported> out = importer(s).importTar(new ByteArrayInputStream(archive), "save.tar", null);
        assertEquals(1, out.size());
        Digest id = Digest.sha256(config);
        assertEquals(id, out.getFirst().id());
        assertEquals(id, s.resolve("busybox").id());
        assertEquals(id, s.resolve("localhost:5000/bb:2").id());
        ImageManifest m = s.manifest(s.resolve("busybox").record());
        assertEquals(MediaTypes.OCI_LAYER, m.layers().getFirst().mediaType());
        assertEquals(Digest.sha256(L1), m.layers().getFirst().digest());

        FakeStorageDriver driver = new FakeStorageDriver();
        List<String> ids = ImageLayers.unpack(s, id, driver, PullProgress.NONE);
        assertEquals(2, ids.size());
        assertEquals(List.of("etc/motd"), driver.layers.get(ids.get(1)).entries());
    }

    @Test
    void legacyLayerThatDoesNotMatchItsDiffIdIsRejected() throws IOException {
        byte[] config = TestImages.config(List.of(L1), List.of("sh"), List.of());
        byte[] archive = legacyDockerSave(config, List.of(L2), List.of("bad:1"));
        ImageStore s = store("s");
        assertThrows(DigestMismatchException.class,
                () -> importer(s).importTar(new ByteArrayInputStream(archive), "bad.tar", null));
        assertTrue(s.list().isEmpty());
        assertTrue(s.blobs().list().isEmpty(), "nothing of the failed import is kept: " + s.blobs().list());
    }

    @Test
    void aCorruptedBlobInALayoutIsRejectedAndNothingIsRecorded() throws IOException {
        TestImages.Layout layout = new TestImages.Layout(tmp.resolve("layout"));
        TestImages.Built b = layout.image(List.of(L1), true, List.of("x"), Map.of(Descriptor.REF_NAME, "c/x:1"));
        Path layer = layout.dir().resolve("blobs/sha256/" + b.layers().getFirst().hex());
        byte[] content = Files.readAllBytes(layer);
        content[content.length / 2] ^= 0x55;
        Files.write(layer, content);
        ImageStore s = store("s");
        DigestMismatchException e = assertThrows(DigestMismatchException.class, () -> importer(s).importPath(layout.dir(), null));
        assertEquals(b.layers().getFirst(), e.expected());
        assertTrue(s.list().isEmpty());
        assertFalse(s.blobs().has(b.layers().getFirst()));
        ImageStore t = store("t");
        assertThrows(DigestMismatchException.class, () -> importer(t).importTar(
                new ByteArrayInputStream(jctr.kernel.testing.LayerTar.ofDirectory(layout.dir())), "c.tar", null));
        assertTrue(t.list().isEmpty());
        assertTrue(t.blobs().list().isEmpty(), "the tar's other blobs are dropped too");
    }

    @Test
    void notAnArchiveGivesAClearError() throws IOException {
        ImageStore s = store("s");
        Path junk = tmp.resolve("junk.tar");
        Files.write(junk, "this is not a tar file, it is just text that is long enough to fill a header block"
                .repeat(10).getBytes(StandardCharsets.UTF_8));
        var e = assertThrows(InvalidConfigException.class, () -> importer(s).importPath(junk, null));
        assertTrue(e.getMessage().startsWith(junk + ": header at offset 0: "), e.getMessage());
        Files.createDirectories(tmp.resolve("empty"));
        var e2 = assertThrows(InvalidConfigException.class, () -> importer(s).importPath(tmp.resolve("empty"), null));
        assertTrue(e2.getMessage().contains("neither an OCI image layout"), e2.getMessage());
        assertThrows(jctr.kernel.NotFoundException.class, () -> importer(s).importPath(tmp.resolve("nope"), null));
    }

    @Test
    void exportAndReimportRoundTripsInEveryFormat() throws IOException {
        TestImages.Layout layout = new TestImages.Layout(tmp.resolve("layout"));
        TestImages.Built b = layout.image(List.of(L1, L2), true, List.of("x"), Map.of(Descriptor.REF_NAME, "r/a:1"));
        TestImages.Built c = layout.image(List.of(L2), false, List.of("y"), Map.of(Descriptor.REF_NAME, "localhost:5000/c:2"));
        ImageStore s = store("s");
        importer(s).importPath(layout.dir(), null);
        ImageExporter exporter = new ImageExporter(s);

        for (ImageExporter.Format f : ImageExporter.Format.values()) {
            Path target = tmp.resolve("export-" + f);
            exporter.export(List.of("r/a:1", "localhost:5000/c:2"), target, f);
            ImageStore back = store("back-" + f);
            importer(back).importPath(target, null);
            assertEquals(b.id(), back.resolve("r/a:1").id(), f.toString());
            assertEquals(b.manifest(), back.resolve("r/a:1").record().manifest(), "the manifest survives byte for byte");
            assertEquals(c.id(), back.resolve("localhost:5000/c:2").id(), f.toString());
        }
        // The docker format carries manifest.json with familiar RepoTags, readable by `docker load`.
        ImageStore fromDocker = store("docker-legacy");
        byte[] dockerTar = Files.readAllBytes(tmp.resolve("export-DOCKER_TAR"));
        TarReader r = new TarReader(new ByteArrayInputStream(dockerTar), TarLimits.DEFAULTS, "x");
        String manifestJson = null;
        for (TarEntry e = r.next().orElse(null); e != null; e = r.next().orElse(null)) {
            if (e.name().equals("manifest.json")) {
                manifestJson = new String(r.content().readAllBytes(), StandardCharsets.UTF_8);
            }
        }
        assertTrue(manifestJson != null && manifestJson.contains("\"RepoTags\":[\"r/a:1\"]"), manifestJson);
        // An export by id carries no name.
        Path byId = tmp.resolve("by-id");
        exporter.export(List.of(b.id().toString()), byId, ImageExporter.Format.OCI_DIR);
        importer(fromDocker).importPath(byId, null);
        assertTrue(fromDocker.resolve(b.id().toString()).repoTags().isEmpty());
        // A non-empty directory is not overwritten.
        assertThrows(jctr.kernel.AlreadyExistsException.class,
                () -> exporter.export(List.of("r/a:1"), byId, ImageExporter.Format.OCI_DIR));
    }

    @Test
    void exportsAreReproducible() throws IOException {
        TestImages.Layout layout = new TestImages.Layout(tmp.resolve("layout"));
        layout.image(List.of(L1), true, List.of("x"), Map.of(Descriptor.REF_NAME, "r/a:1"));
        ImageStore s = store("s");
        importer(s).importPath(layout.dir(), null);
        ByteArrayOutputStream a = new ByteArrayOutputStream();
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        new ImageExporter(s).exportTar(List.of("r/a:1"), a, true);
        new ImageExporter(s).exportTar(List.of("r/a:1"), b, true);
        assertTrue(java.util.Arrays.equals(a.toByteArray(), b.toByteArray()));
    }
}
