package jctr.mgmt.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;

import org.junit.jupiter.api.Test;

import jctr.kernel.oci.OciJson;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Runs the real launcher, {@code bin/jctr}, as a process: the kernel and every driver load as named
 * modules from the packaged distribution, and {@code info} names each driver with its probe result.
 */
class JctrInfoIT {

    private static final List<String> DRIVERS = List.of("namespaces", "cgroup-v1", "cgroup-v2", "overlay", "vfs");

    record Result(int exit, String out) {
    }

    static Result jctr(String... args) throws IOException, InterruptedException {
        Path root = Path.of(System.getProperty("jctr.project.root"));
        List<String> cmd = new java.util.ArrayList<>(List.of(root.resolve("bin/jctr").toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "jctr did not finish");
        return new Result(p.exitValue(), out);
    }

    @Test
    void infoNamesEveryDriverAndItsProbe() throws Exception {
        Result r = jctr("info");
        assertEquals(0, r.exit(), r.out());
        assertTrue(r.out().contains("Kernel:        " + System.getProperty("os.version")), r.out());
        assertTrue(r.out().matches("(?s).*Cgroup mode:   (unified|hybrid|legacy|none).*"), r.out());
        for (String driver : DRIVERS) {
            assertTrue(r.out().lines().anyMatch(l -> l.matches("\\s+\\w+\\s+" + driver + "\\s+(yes|-)\\s+(available|unavailable): .+")),
                    driver + " with its probe in:\n" + r.out());
        }
    }

    @Test
    void jsonInfoComesFromNamedModules() throws Exception {
        Result r = jctr("info", "--format", "json");
        assertEquals(0, r.exit(), r.out());
        JsonNode doc = OciJson.mapper().readTree(r.out());
        List<String> names = new java.util.ArrayList<>();
        for (JsonNode d : doc.get("drivers")) {
            names.add(d.get("name").asText());
            // Loaded from the module path, not the class path: the JPMS wiring is real.
            assertTrue(d.get("module").asText().startsWith("jctr."), d.toString());
            assertTrue(d.get("probe").has("detail"), d.toString());
        }
        assertTrue(names.containsAll(DRIVERS), names.toString());
        assertEquals(System.getProperty("os.version"), doc.get("host").get("kernelRelease").asText());
    }

    @Test
    void aBadConfiguredDriverNameIsAClearError() throws Exception {
        Result r = jctr("--storage-driver", "Bad Name", "info");
        assertEquals(1, r.exit(), r.out());
        assertTrue(r.out().contains("drivers.storage: invalid driver name \"Bad Name\""), r.out());
    }

    @Test
    void versionAndHelp() throws Exception {
        Result v = jctr("--version");
        assertEquals(0, v.exit());
        assertTrue(v.out().startsWith("jctr version "), v.out());
        Result h = jctr("--help");
        assertEquals(0, h.exit());
        assertTrue(h.out().contains("info"), h.out());
    }
}
