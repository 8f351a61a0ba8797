package jctr.mgmt.cli.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import jctr.kernel.image.Descriptor;
import jctr.kernel.image.LocalRegistry;
import jctr.kernel.image.TestImages;
import jctr.kernel.testing.BusyboxRootfs;

/**
 * {@code jctr pull} against a real registry (docker-registry on 127.0.0.1 with a busybox image pushed by
 * skopeo): in-process for the exact output, and through {@code bin/jctr} (the module-path launch) for the
 * JPMS wiring of the image store (module reads, Jackson opens, java.net.http).
 */
class ImagePullCliIT {

    @TempDir
    static Path tmp;

    private static LocalRegistry registry;
    private static TestImages.Built busybox;

    @BeforeAll
    static void push() throws Exception {
        LocalRegistry.assumeTools();
        registry = LocalRegistry.start(tmp.resolve("registry"), null);
        TestImages.Layout layout = new TestImages.Layout(tmp.resolve("layout"));
        busybox = layout.image(List.of(jctr.kernel.testing.LayerTar.ofDirectory(BusyboxRootfs.create(tmp.resolve("rootfs")))), true,
                List.of("sh"), Map.of(Descriptor.REF_NAME, "bb"));
        registry.push(layout.dir(), "bb", "busybox:latest", null);
    }

    @AfterAll
    static void stop() {
        if (registry != null) {
            registry.close();
        }
    }

    @Test
    void pullPrintsDockerStyleLinesWithoutATerminal() {
        Path root = tmp.resolve("inprocess");
        String ref = registry.hostPort() + "/busybox";
        CliRun pull = CliRun.jctr(root, "pull", ref);
        assertEquals(0, pull.exitCode(), pull.err());
        String layer = busybox.layers().getFirst().shortHex();
        assertEquals(List.of(
                "latest: Pulling from busybox",
                layer + ": Pulling fs layer",
                layer + ": Verifying Checksum",
                layer + ": Download complete",
                "Digest: " + busybox.manifest(),
                "Status: Downloaded newer image for " + ref + ":latest",
                ref + ":latest"), pull.lines().stream().filter(l -> !l.contains(": Pull complete")
                        && !l.contains(": Extracting")).toList(),
                "(with a storage driver, Extracting and Pull complete lines follow the download)");
        CliRun again = CliRun.jctr(root, "image", "pull", "-q", ref);
        assertEquals(List.of(ref + ":latest"), again.lines());

        CliRun missing = CliRun.jctr(root, "pull", ref + ":nosuch");
        assertEquals(1, missing.exitCode());
        assertTrue(missing.err().contains("jctr: " + ref + ": manifest nosuch: 404 not found (manifest unknown)"),
                missing.err());
    }

    @Test
    void theModulePathLaunchPullsListsAndInspects() throws Exception {
        Path project = Path.of(System.getProperty("jctr.project.root"));
        Path dist = project.resolve("mgmt/target/dist");
        assertTrue(Files.isDirectory(dist.resolve("mods")), "mvn package builds the distribution first");
        Path root = tmp.resolve("launcher");
        String ref = registry.hostPort() + "/busybox";
        String pull = bin(project, dist, root, "pull", ref);
        assertTrue(pull.contains("Status: Downloaded newer image for " + ref + ":latest"), pull);
        String ls = bin(project, dist, root, "image", "ls");
        assertTrue(ls.contains(ref.replace("/busybox", "/busybox ")) && ls.contains(busybox.id().shortHex()), ls);
        String inspect = bin(project, dist, root, "image", "inspect", ref);
        assertTrue(inspect.contains("\"Id\" : \"" + busybox.id() + "\""), inspect);
        Path saved = root.resolve("saved.tar");
        bin(project, dist, root, "image", "export", "-o", saved.toString(), ref);
        bin(project, dist, root, "image", "rm", ref);
        String load = bin(project, dist, root, "image", "import", saved.toString());
        assertTrue(load.contains("Loaded image: " + ref + ":latest"), load);
    }

    private static String bin(Path project, Path dist, Path root, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(project.resolve("bin/jctr").toString(), "--data-root",
                root.resolve("data").toString(), "--state-root", root.resolve("state").toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("JCTR_DIST", dist.toString());
        pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "bin/jctr timed out");
        assertEquals(0, p.exitValue(), String.join(" ", cmd) + "\n" + out);
        return out;
    }
}
