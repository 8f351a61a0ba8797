package jctr.mgmt.cli.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.StringWriter;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;

import jctr.kernel.image.Descriptor;
import jctr.kernel.image.PullProgress;
import jctr.kernel.image.TestImages;
import jctr.kernel.oci.OciJson;

/** The {@code jctr image} commands on a real store in a temp directory (images come from OCI layouts). */
class ImageCommandsTest {

    @TempDir
    Path tmp;

    private TestImages.Built layout(String refName) {
        TestImages.Layout layout = new TestImages.Layout(tmp.resolve("layout"));
        return layout.image(List.of(TestImages.layerTar(Map.of("bin/app", "x".repeat(5000)))), true, List.of("/bin/app"),
                Map.of(Descriptor.REF_NAME, refName));
    }

    @Test
    void importListTagInspectExportRemovePrune() throws Exception {
        TestImages.Built b = layout("latest");
        CliRun imp = CliRun.jctr(tmp, "image", "import", tmp.resolve("layout").toString(), "myapp");
        assertEquals(0, imp.exitCode(), imp.err());
        assertEquals(List.of("Loaded image: myapp:latest"), imp.lines());

        assertEquals(0, CliRun.jctr(tmp, "image", "tag", "myapp", "localhost:5000/myapp:v1").exitCode());
        CliRun ls = CliRun.jctr(tmp, "image", "ls");
        assertEquals(3, ls.lines().size(), ls.out());
        assertTrue(ls.lines().get(0).matches("REPOSITORY +TAG +IMAGE ID +CREATED +SIZE"), ls.lines().get(0));
        String row = " +" + b.id().shortHex() + " +\\d+ (months|years) ago +\\d+(\\.\\d+)?k?B";
        assertTrue(ls.lines().get(1).matches("myapp +latest" + row), ls.lines().get(1));
        assertTrue(ls.lines().get(2).matches("localhost:5000/myapp +v1" + row), ls.lines().get(2));
        assertEquals(List.of(b.id().shortHex()), CliRun.jctr(tmp, "image", "ls", "-q").lines());
        assertEquals(2, CliRun.jctr(tmp, "image", "ls", "myapp").lines().size(), "filtered by repository");
        assertEquals(List.of(b.id().toString()), CliRun.jctr(tmp, "image", "ls", "-q", "--no-trunc").lines());

        CliRun inspect = CliRun.jctr(tmp, "image", "inspect", "myapp");
        JsonNode doc = OciJson.mapper().readTree(inspect.out()).get(0);
        assertEquals(b.id().toString(), doc.get("Id").asText());
        assertEquals("[\"myapp:latest\",\"localhost:5000/myapp:v1\"]", doc.get("RepoTags").toString());
        assertEquals("/bin/app", doc.get("Config").get("Cmd").get(0).asText());
        assertEquals("amd64", doc.get("Architecture").asText());
        assertEquals(b.diffIds().getFirst().toString(), doc.get("RootFS").get("Layers").get(0).asText());
        assertEquals(b.manifest().toString(), doc.get("Descriptor").get("digest").asText());

        Path saved = tmp.resolve("saved.tar");
        assertEquals(0, CliRun.jctr(tmp, "image", "export", "-o", saved.toString(), "myapp").exitCode());
        assertTrue(Files.size(saved) > 5000);

        CliRun rm = CliRun.jctr(tmp, "image", "rm", "myapp", "nosuch");
        assertEquals(1, rm.exitCode());
        assertEquals(List.of("Untagged: myapp:latest"), rm.lines());
        assertEquals("jctr: No such image: nosuch", rm.err().lines().filter(l -> !l.contains("note:")).findFirst().orElseThrow());
        CliRun rmi = CliRun.jctr(tmp, "image", "rm", "localhost:5000/myapp:v1");
        assertEquals(List.of("Untagged: localhost:5000/myapp:v1", "Deleted: " + b.id()), rmi.lines().subList(0, 2));
        // With a storage driver (overlay or vfs as root), the image's layer (chain id = its diff id) goes too.
        assertTrue(List.of("Deleted: " + b.diffIds().getFirst()).containsAll(rmi.lines().subList(2, rmi.lines().size())),
                rmi.out());
        assertEquals(1, CliRun.jctr(tmp, "image", "ls").lines().size());

        CliRun load = CliRun.jctr(tmp, "image", "load", saved.toString());
        assertEquals(List.of("Loaded image: myapp:latest"), load.lines(), "the export loads back");
        assertEquals(0, CliRun.jctr(tmp, "image", "rm", "myapp").exitCode());
        CliRun prune = CliRun.jctr(tmp, "image", "prune", "-f");
        assertEquals(0, prune.exitCode(), prune.err());
        assertTrue(prune.out().startsWith("Total reclaimed space: "), prune.out());
    }

    @Test
    void errorsAreNamedAndExitOne() {
        CliRun bad = CliRun.jctr(tmp, "pull", "Not_Valid");
        assertEquals(1, bad.exitCode());
        assertTrue(bad.err().contains("jctr: reference: invalid reference \"Not_Valid\": repository name must be lowercase"),
                bad.err());
        CliRun missing = CliRun.jctr(tmp, "image", "inspect", "ghost");
        assertEquals(1, missing.exitCode());
        assertTrue(missing.err().contains("jctr: No such image: ghost"), missing.err());
        assertEquals("[ ]", missing.out().trim());
        CliRun notArchive = CliRun.jctr(tmp, "image", "import", tmp.toString());
        assertEquals(1, notArchive.exitCode());
        assertTrue(notArchive.err().contains("neither an OCI image layout"), notArchive.err());
        CliRun format = CliRun.jctr(tmp, "image", "export", "--format", "zip", "-o", "x", "a");
        assertTrue(format.err().contains("--format: unknown format \"zip\""), format.err());
    }

    @Test
    void humanSizesAndAgesAsDocker() {
        assertEquals("512B", Human.size(512, 3));
        assertEquals("980kB", Human.size(980_000, 3));
        assertEquals("4.26MB", Human.size(4_256_000, 3));
        assertEquals("1.24GB", Human.size(1_240_000_000L, 3));
        assertEquals("1.2MB", Human.size(1_200_000, 4));
        assertEquals("0B", Human.size(0, 3));
        Instant now = Instant.parse("2024-06-01T00:00:00Z");
        assertEquals("Less than a second ago", Human.ago(now, now));
        assertEquals("About a minute ago", Human.ago(now.minusSeconds(70), now));
        assertEquals("About an hour ago", Human.ago(now.minus(Duration.ofMinutes(65)), now));
        assertEquals("5 hours ago", Human.ago(now.minus(Duration.ofHours(5)), now));
        assertEquals("3 days ago", Human.ago(now.minus(Duration.ofDays(3)), now));
        assertEquals("3 weeks ago", Human.ago(now.minus(Duration.ofDays(21)), now));
        assertEquals("4 months ago", Human.ago(now.minus(Duration.ofDays(125)), now));
        assertEquals("2 years ago", Human.ago(now.minus(Duration.ofDays(800)), now));
    }

    @Test
    void pullProgressOnATerminalRedrawsEachLayerInPlace() {
        StringWriter sw = new StringWriter();
        PullRenderer r = new PullRenderer(new PrintWriter(sw), true);
        r.message("latest", "Pulling from library/busybox");
        r.layer("aaaaaaaaaaaa", PullProgress.Status.PULLING_FS_LAYER, 0, 0);
        r.layer("bbbbbbbbbbbb", PullProgress.Status.PULLING_FS_LAYER, 0, 0);
        r.layer("aaaaaaaaaaaa", PullProgress.Status.DOWNLOADING, 500_000, 1_000_000);
        r.layer("bbbbbbbbbbbb", PullProgress.Status.DOWNLOAD_COMPLETE, 0, 0);
        String s = sw.toString();
        assertTrue(s.startsWith("latest: Pulling from library/busybox\naaaaaaaaaaaa: Pulling fs layer\n"
                + "bbbbbbbbbbbb: Pulling fs layer\n"), s);
        assertTrue(s.contains("\u001b[2A\u001b[2K\raaaaaaaaaaaa: Downloading [========================>                         ]  500kB/1MB\u001b[2B"),
                s);
        assertTrue(s.contains("\u001b[1A\u001b[2K\rbbbbbbbbbbbb: Download complete\u001b[1B"), s);

        StringWriter plain = new StringWriter();
        PullRenderer p = new PullRenderer(new PrintWriter(plain), false);
        p.layer("aaaaaaaaaaaa", PullProgress.Status.PULLING_FS_LAYER, 0, 0);
        p.layer("aaaaaaaaaaaa", PullProgress.Status.DOWNLOADING, 1, 10);
        p.layer("aaaaaaaaaaaa", PullProgress.Status.DOWNLOADING, 5, 10);
        p.layer("aaaaaaaaaaaa", PullProgress.Status.DOWNLOAD_COMPLETE, 0, 0);
        assertEquals("aaaaaaaaaaaa: Pulling fs layer\naaaaaaaaaaaa: Download complete\n", plain.toString());
    }
}
