package jctr.kernel.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;

import org.junit.jupiter.api.Test;

import jctr.kernel.InvalidConfigException;
import jctr.kernel.NotFoundException;
import jctr.kernel.UnsupportedFeatureException;

/** Parsing of indexes, manifests and configs, platform selection, and chain ids. */
class ImageJsonTest {

    private static final String D1 = "sha256:" + "1".repeat(64);
    private static final String D2 = "sha256:" + "2".repeat(64);
    private static final String D3 = "sha256:" + "3".repeat(64);
    private static final String D4 = "sha256:" + "4".repeat(64);
    private static final String D5 = "sha256:" + "5".repeat(64);

    /** A Docker manifest list as Docker Hub serves busybox (trimmed), with an attestation entry. */
    private static final String LIST = """
            {"schemaVersion":2,"mediaType":"application/vnd.docker.distribution.manifest.list.v2+json",
             "manifests":[
              {"mediaType":"application/vnd.docker.distribution.manifest.v2+json","digest":"%s","size":528,
               "platform":{"architecture":"arm","os":"linux","variant":"v7"}},
              {"mediaType":"application/vnd.docker.distribution.manifest.v2+json","digest":"%s","size":528,
               "platform":{"architecture":"arm64","os":"linux","variant":"v8"}},
              {"mediaType":"application/vnd.docker.distribution.manifest.v2+json","digest":"%s","size":528,
               "platform":{"architecture":"amd64","os":"linux"}},
              {"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"%s","size":566,
               "annotations":{"vnd.docker.reference.type":"attestation-manifest"},
               "platform":{"architecture":"unknown","os":"unknown"}},
              {"mediaType":"application/vnd.docker.distribution.manifest.v2+json","digest":"%s","size":528,
               "platform":{"architecture":"amd64","os":"linux","variant":"v3"}}
             ]}""".formatted(D1, D2, D3, D4, D5);

    @Test
    void selectsLinuxAmd64FromAManifestList() {
        ImageIndex index = ImageJson.index("list", bytes(LIST));
        assertEquals(5, index.manifests().size());
        assertEquals(D3, Platforms.select(index, Platform.LINUX_AMD64, "busybox").digest().toString(),
                "without a wanted variant the entry without variant wins");
        assertEquals(D5, Platforms.select(index, Platform.parse("linux/amd64/v3"), "busybox").digest().toString());
        assertEquals(D2, Platforms.select(index, Platform.parse("linux/arm64"), "busybox").digest().toString());
        assertEquals(D2, Platforms.select(index, Platform.parse("linux/aarch64/v8"), "busybox").digest().toString());
        assertEquals(D1, Platforms.select(index, Platform.parse("linux/arm/v7"), "busybox").digest().toString());
    }

    @Test
    void missingPlatformListsTheAvailableOnes() {
        ImageIndex index = ImageJson.index("list", bytes(LIST));
        NotFoundException e = assertThrows(NotFoundException.class,
                () -> Platforms.select(index, Platform.parse("linux/s390x"), "docker.io/library/busybox:latest"));
        assertEquals("docker.io/library/busybox:latest: no manifest for platform linux/s390x; available: linux/arm/v7, "
                + "linux/arm64/v8, linux/amd64, linux/amd64/v3", e.getMessage());
        assertThrows(NotFoundException.class, () -> Platforms.select(index, Platform.parse("linux/arm/v6"), "x"));
    }

    @Test
    void parsesADockerSchema2ManifestAndConfig() {
        String manifest = """
                {"schemaVersion":2,"mediaType":"application/vnd.docker.distribution.manifest.v2+json",
                 "config":{"mediaType":"application/vnd.docker.container.image.v1+json","size":1457,"digest":"%s"},
                 "layers":[{"mediaType":"application/vnd.docker.image.rootfs.diff.tar.gzip","size":2152262,"digest":"%s"}]}
                """.formatted(D1, D2);
        ImageManifest m = ImageJson.manifest("m", bytes(manifest));
        assertEquals(MediaTypes.DOCKER_MANIFEST, ImageJson.mediaTypeOf("m", bytes(manifest), "text/plain"));
        assertEquals(D1, m.config().digest().toString());
        assertEquals(MediaTypes.Compression.GZIP, MediaTypes.layerCompression(m.layers().getFirst().mediaType()));

        String config = """
                {"architecture":"amd64","created":"2024-09-26T21:31:42Z","os":"linux",
                 "config":{"Env":["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],"Cmd":["sh"],
                   "Labels":null,"ExposedPorts":{"80/tcp":{}},"Volumes":{"/data":null},"WorkingDir":"",
                   "Entrypoint":null,"User":"","StopSignal":"SIGQUIT","ArgsEscaped":true,"OnBuild":null},
                 "container_config":{"Cmd":["ignored"]},"docker_version":"20.10.23",
                 "history":[{"created":"2024-09-26T21:31:42Z","created_by":"ADD file:abc in /"},
                            {"created":"2024-09-26T21:31:42Z","created_by":"CMD [\\"sh\\"]","empty_layer":true}],
                 "rootfs":{"type":"layers","diff_ids":["%s"]}}""".formatted(D3);
        ImageConfig c = ImageJson.config("c", bytes(config));
        assertEquals(List.of("sh"), c.configOrEmpty().cmd());
        assertEquals(List.of(), c.configOrEmpty().entrypoint());
        assertEquals(List.of("80/tcp"), List.copyOf(c.configOrEmpty().exposedPorts().keySet()));
        assertEquals(List.of("/data"), List.copyOf(c.configOrEmpty().volumes().keySet()));
        assertEquals("SIGQUIT", c.configOrEmpty().stopSignal());
        assertEquals(D3, c.diffIds().getFirst().toString());
        assertEquals(Boolean.TRUE, c.history().get(1).emptyLayer());
        assertEquals(1727386302L, c.createdInstant().orElseThrow().getEpochSecond());
    }

    @Test
    void detectsDocumentKindsWithoutMediaType() {
        assertEquals(MediaTypes.OCI_INDEX, ImageJson.mediaTypeOf("x", bytes("{\"schemaVersion\":2,\"manifests\":[]}"), null));
        assertEquals(MediaTypes.OCI_MANIFEST, ImageJson.mediaTypeOf("x",
                bytes("{\"schemaVersion\":2,\"config\":{},\"layers\":[]}"), "application/json"));
        assertEquals(MediaTypes.DOCKER_MANIFEST_V1, ImageJson.mediaTypeOf("x", bytes("{\"schemaVersion\":1}"), null));
        assertThrows(InvalidConfigException.class, () -> ImageJson.mediaTypeOf("x", bytes("[1]"), null));
        assertThrows(InvalidConfigException.class, () -> ImageJson.mediaTypeOf("x", bytes("{nope"), null));
    }

    @Test
    void rejectsBadDocumentsNamingTheField() {
        var e = assertThrows(InvalidConfigException.class, () -> ImageJson.manifest("m.json",
                bytes("{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.OCI_MANIFEST + "\",\"config\":{\"digest\":\"sha256:zz\",\"size\":1},\"layers\":[]}")));
        assertTrue(e.getMessage().startsWith("m.json: config.digest"), e.getMessage());
        var schema = assertThrows(InvalidConfigException.class, () -> ImageJson.index("i.json", bytes("{\"schemaVersion\":3,\"manifests\":[]}")));
        assertTrue(schema.getMessage().contains("schemaVersion"), schema.getMessage());
        assertThrows(UnsupportedFeatureException.class, () -> ImageJson.manifest("v1", bytes("{\"schemaVersion\":1,\"fsLayers\":[]}")));
        assertThrows(UnsupportedFeatureException.class, () -> ImageJson.manifest("helm", bytes(("{\"schemaVersion\":2,"
                + "\"config\":{\"mediaType\":\"application/vnd.cncf.helm.config.v1+json\",\"digest\":\"%s\",\"size\":1},"
                + "\"layers\":[]}").formatted(D1))));
        var windows = assertThrows(UnsupportedFeatureException.class, () -> ImageJson.config("c",
                bytes("{\"os\":\"windows\",\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[]}}")));
        assertTrue(windows.getMessage().contains("windows"));
    }

    @Test
    void chainIdsFollowTheImageSpec() {
        // Expected values computed with sha256sum: printf 'sha256:<a> sha256:<b>' | sha256sum
        Digest a = Digest.sha256(bytes("a"));
        Digest b = Digest.sha256(bytes("b"));
        Digest c = Digest.sha256(bytes("c"));
        assertEquals("sha256:ca978112ca1bbdcafac231b39a23dc4da786eff8147c4e72b9807785afee48bb", a.toString());
        assertEquals(List.of(a), ImageLayers.chainIds(List.of(a)));
        List<Digest> chain = ImageLayers.chainIds(List.of(a, b, c));
        assertEquals(a, chain.get(0));
        assertEquals("sha256:51c0c8ace48498d6f5fee6b0592cc06f2da0f3cbe09c5a34a97dce85c3889676", chain.get(1).toString());
        assertEquals("sha256:2fce7f8ce91bcf0a1428b36e1024639fdbd9469eea762dba98aa749631885106", chain.get(2).toString());
        assertEquals(List.of(), ImageLayers.chainIds(List.of()));
    }

    @Test
    void digestsParseStrictly() {
        assertEquals("sha256:" + "a".repeat(64), Digest.parse("sha256:" + "a".repeat(64)).toString());
        assertEquals("aaaaaaaaaaaa", Digest.parse("sha256:" + "a".repeat(64)).shortHex());
        assertThrows(InvalidConfigException.class, () -> Digest.parse("sha256:" + "A".repeat(64)));
        assertThrows(InvalidConfigException.class, () -> Digest.parse("sha256:" + "a".repeat(63)));
        assertThrows(InvalidConfigException.class, () -> Digest.parse("md5:" + "a".repeat(32)));
        assertThrows(InvalidConfigException.class, () -> Digest.parse("a".repeat(64)));
        assertEquals(128, Digest.of("sha512", bytes("x")).hex().length());
    }

    @Test
    void platformsParseAndPrint() {
        assertEquals("linux/amd64", Platform.parse("linux/x86_64").toString());
        assertEquals("linux/arm/v7", Platform.parse("linux/arm/v7").toString());
        assertThrows(InvalidConfigException.class, () -> Platform.parse("amd64"));
        assertThrows(InvalidConfigException.class, () -> Platform.parse("linux//"));
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
