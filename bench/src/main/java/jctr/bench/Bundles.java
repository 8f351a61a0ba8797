package jctr.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import jctr.kernel.oci.OciJson;
import jctr.kernel.testing.BusyboxRootfs;

/**
 * OCI bundles every runtime under test runs unchanged: runc's own default config ({@code runc spec}) with no
 * terminal, the given program, a rootfs given by absolute path (so many bundles share one rootfs) and a
 * cgroup under {@link BenchCgroups#parent()} (each runtime removes its leaf when the container is deleted). {@code ociVersion} is 1.0.2 because crun 1.8 refuses newer ones.
 */
final class Bundles {

    private Bundles() {
    }

    /** A busybox rootfs in {@code dir}. */
    static Path busyboxRootfs(Path dir) {
        return BusyboxRootfs.create(dir);
    }

    /**
     * Writes {@code dir/config.json} (creating {@code dir}) for {@code args} on {@code rootfs}, in cgroup
     * {@code <BenchCgroups.parent()>/<cgroupLeaf>}, and returns {@code dir}.
     */
    static Path write(Path dir, Path rootfs, String cgroupLeaf, List<String> args) {
        BenchCgroups.ensure();
        try {
            Files.createDirectories(dir);
            Path config = dir.resolve("config.json");
            if (!Files.exists(config)) {
                Subprocess.run(List.of("runc", "spec", "--bundle", dir.toString()));
            }
            ObjectMapper json = OciJson.mapper();
            ObjectNode spec = (ObjectNode) json.readTree(config.toFile());
            spec.put("ociVersion", "1.0.2");
            ObjectNode process = (ObjectNode) spec.get("process");
            process.put("terminal", false);
            ArrayNode argv = process.putArray("args");
            args.forEach(argv::add);
            ObjectNode root = (ObjectNode) spec.get("root");
            root.put("path", rootfs.toAbsolutePath().toString());
            ((ObjectNode) spec.get("linux")).put("cgroupsPath", BenchCgroups.parent() + "/" + cgroupLeaf);
            json.writeValue(config.toFile(), spec);
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException("writing the bundle " + dir, e);
        }
    }

    /** Makes the bundle's rootfs writable (runc's default config mounts it read-only). */
    static void writableRoot(Path bundle) {
        try {
            ObjectMapper json = OciJson.mapper();
            Path config = bundle.resolve("config.json");
            ObjectNode spec = (ObjectNode) json.readTree(config.toFile());
            ((ObjectNode) spec.get("root")).put("readonly", false);
            json.writeValue(config.toFile(), spec);
        } catch (IOException e) {
            throw new UncheckedIOException("editing the bundle " + bundle, e);
        }
    }
}
