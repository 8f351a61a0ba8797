package jctr.kernel.layer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;

import jctr.kernel.InvalidConfigException;
import jctr.kernel.KernelException;
import jctr.kernel.NotFoundException;
import jctr.kernel.spi.LayerInfo;
import jctr.kernel.spi.Usage;
import jctr.kernel.sys.FileMeta;

/**
 * The bookkeeping jctr's storage drivers share, below a driver's data directory (mode 0700):
 * <pre>
 * layers/&lt;layer id&gt;/layer.properties           id, parent, bytes, inodes (+ driver keys)
 * containers/&lt;container&gt;/container.properties  id, layers (comma-separated, bottom first) (+ driver keys)
 * staging/                                     what is being built or removed; emptied at start-up
 * lock                                         flock'ed while layers or containers come and go
 * </pre>
 * A layer or container directory is built in {@code staging/} and renamed into place, and renamed back
 * into {@code staging/} before it is deleted, so the directories under {@code layers/} and
 * {@code containers/} are always complete. What a driver keeps beside the properties files is its own.
 */
public final class StorageLayout {

    private static final String LAYER_FILE = "layer.properties";
    private static final String CONTAINER_FILE = "container.properties";
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Path root;

    private StorageLayout(Path root) {
        this.root = root;
    }

    /**
     * Opens (creating it if needed) the layout at {@code root} and removes what an interrupted
     * operation left in {@code staging/}.
     */
    public static StorageLayout open(Path root) {
        Path r = root.toAbsolutePath().normalize();
        try {
            Files.createDirectories(r);
            FileMeta.chmod(r, 0700); // layers keep setuid files: no way in for unprivileged host users
            for (String sub : List.of("layers", "containers", "staging")) {
                Files.createDirectories(r.resolve(sub));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("creating the storage directory " + r, e);
        }
        StorageLayout layout = new StorageLayout(r);
        try (StorageLock _ = layout.lock()) {
            for (String name : FileTrees.list(layout.staging())) {
                FileTrees.deleteRecursively(layout.staging().resolve(name));
            }
        }
        return layout;
    }

    public Path root() {
        return root;
    }

    /** The directory of layer {@code id} (checked with {@link StorageIds#checkLayerId}). */
    public Path layer(String id) {
        return root.resolve("layers").resolve(StorageIds.checkLayerId(id));
    }

    /** The directory of container {@code id} (see {@link StorageIds#containerDirectory}). */
    public Path container(String id) {
        return root.resolve("containers").resolve(StorageIds.containerDirectory(id));
    }

    public Path staging() {
        return root.resolve("staging");
    }

    /** The driver-wide lock. */
    public StorageLock lock() {
        return StorageLock.acquire(root.resolve("lock"));
    }

    /** A new empty directory in {@code staging/}. */
    public Path newStagingDirectory(String prefix) {
        try {
            return Files.createTempDirectory(staging(), prefix);
        } catch (IOException e) {
            throw new UncheckedIOException("creating a directory in " + staging(), e);
        }
    }

    /** Renames {@code dir} into {@code staging/} (atomically, it disappears from where it was) and returns its new path. */
    public Path moveToStaging(Path dir, String prefix) {
        try {
            Path trash = staging().resolve(prefix + Long.toUnsignedString(RANDOM.nextLong(), 36));
            Files.move(dir, trash, StandardCopyOption.ATOMIC_MOVE);
            return trash;
        } catch (IOException e) {
            throw new UncheckedIOException("moving " + dir + " away", e);
        }
    }

    /** Renames the finished {@code staged} directory to {@code target}, which must not exist. */
    public void commit(Path staged, Path target) {
        try {
            Files.move(staged, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("moving " + staged + " to " + target, e);
        }
    }

    /** The nearest existing directory at or above {@code dir} (for probes, before the data dir exists). */
    public static Optional<Path> nearestExistingDirectory(Path dir) {
        Path p = dir.toAbsolutePath();
        while (p != null && !Files.isDirectory(p)) {
            p = p.getParent();
        }
        return Optional.ofNullable(p);
    }

    // ---- layers ------------------------------------------------------------------------------

    /**
     * The start of {@code createLayer}: checks both ids and returns the existing layer if there is one
     * (the caller then returns it without reading the tar).
     *
     * @throws NotFoundException if {@code parentId} is given and does not exist
     */
    public Optional<LayerInfo> existingLayer(String id, String parentId) {
        if (hasLayer(StorageIds.checkLayerId(id))) {
            return Optional.of(layerInfo(id));
        }
        if (parentId != null && !hasLayer(StorageIds.checkLayerId(parentId))) {
            throw new NotFoundException("parent layer " + parentId + " of layer " + id + " does not exist");
        }
        return Optional.empty();
    }

    public boolean hasLayer(String id) {
        return StorageIds.isLayerId(id) && Files.isRegularFile(layer(id).resolve(LAYER_FILE));
    }

    /**
     * Writes {@code layer.properties} into a staged layer directory.
     *
     * @param extra driver-specific keys
     */
    public void writeLayerProperties(Path stagedLayer, String id, String parentId, Usage usage, Map<String, String> extra) {
        Map<String, String> props = new HashMap<>(extra);
        props.put("id", id);
        if (parentId != null) {
            props.put("parent", parentId);
        }
        props.put("bytes", Long.toString(usage.bytes()));
        props.put("inodes", Long.toString(usage.inodes()));
        MetadataFile.write(stagedLayer.resolve(LAYER_FILE), props);
    }

    /** The properties of an existing layer. */
    public Map<String, String> layerProperties(String id) {
        return MetadataFile.read(layer(id).resolve(LAYER_FILE));
    }

    public LayerInfo layerInfo(String id) {
        Map<String, String> props = layerProperties(id);
        return new LayerInfo(id, props.get("parent"), Long.parseLong(MetadataFile.require(props, "bytes", layer(id))));
    }

    /** The usage recorded when the layer was created. */
    public Usage layerUsage(String id) {
        Map<String, String> props = layerProperties(id);
        return new Usage(Long.parseLong(MetadataFile.require(props, "bytes", layer(id))),
                Long.parseLong(MetadataFile.require(props, "inodes", layer(id))));
    }

    /** {@code id} and its ancestors, top first. */
    public List<String> ancestry(String id) {
        List<String> out = new ArrayList<>();
        for (String l = id; l != null; l = layerInfo(l).parentId()) {
            if (out.size() > 1000) {
                throw new KernelException(KernelException.Category.INTERNAL, "layer " + id + " has a parent cycle");
            }
            out.add(l);
        }
        return out;
    }

    /**
     * Checks an image's layers for {@code prepare}: each exists and is the parent of the next.
     *
     * @throws NotFoundException for a missing layer
     * @throws InvalidConfigException if the list is not a chain
     */
    public void checkChain(List<String> layerIds) {
        String expectedParent = null;
        for (int i = 0; i < layerIds.size(); i++) {
            String id = StorageIds.checkLayerId(layerIds.get(i));
            if (!hasLayer(id)) {
                throw new NotFoundException("layer " + id + " does not exist");
            }
            String parent = layerInfo(id).parentId();
            if (!Objects.equals(parent, expectedParent)) {
                throw new InvalidConfigException("", "layerIds[" + i + "]", "layer " + id + " has parent " + parent
                        + ", not " + expectedParent);
            }
            expectedParent = id;
        }
    }

    /**
     * Removes layer {@code id} unless a container uses it: under the lock, checks the containers,
     * runs {@code underLock} with the layer's properties (to drop driver-side references), moves the
     * layer to staging; then deletes it. A missing layer is fine.
     *
     * @throws KernelException FAILED_PRECONDITION if a prepared container uses the layer
     */
    public void removeLayer(String id, Consumer<Map<String, String>> underLock) {
        StorageIds.checkLayerId(id);
        Path trash;
        try (StorageLock _ = lock()) {
            if (!hasLayer(id)) {
                return;
            }
            List<String> users = containersUsing(id);
            if (!users.isEmpty()) {
                throw new KernelException(KernelException.Category.FAILED_PRECONDITION,
                        "layer " + id + " is in use by container(s) " + users);
            }
            underLock.accept(layerProperties(id));
            trash = moveToStaging(layer(id), "removing-layer-");
        }
        FileTrees.deleteRecursively(trash);
    }

    private List<String> containersUsing(String layerId) {
        List<String> users = new ArrayList<>();
        Path containers = root.resolve("containers");
        for (String dir : FileTrees.list(containers)) {
            Path file = containers.resolve(dir).resolve(CONTAINER_FILE);
            if (Files.isRegularFile(file)) {
                Map<String, String> props = MetadataFile.read(file);
                if (layersOf(props).contains(layerId)) {
                    users.add(props.getOrDefault("id", dir));
                }
            }
        }
        return users;
    }

    // ---- containers --------------------------------------------------------------------------

    /** Writes {@code container.properties} (id, layers, and driver keys {@code extra}) into {@code dir}. */
    public void writeContainerProperties(Path dir, String id, List<String> layerIds, Map<String, String> extra) {
        Map<String, String> props = new HashMap<>(extra);
        props.put("id", id);
        props.put("layers", String.join(",", layerIds));
        MetadataFile.write(dir.resolve(CONTAINER_FILE), props);
    }

    /** The properties of container {@code id}, or empty if it has no directory here (or the id is not one). */
    public Optional<Map<String, String>> containerProperties(String id) {
        Path file;
        try {
            file = container(id).resolve(CONTAINER_FILE);
        } catch (InvalidConfigException notAContainerId) {
            return Optional.empty();
        }
        return Files.isRegularFile(file) ? Optional.of(MetadataFile.read(file)) : Optional.empty();
    }

    /** The layers recorded in container properties, bottom first. */
    public static List<String> layersOf(Map<String, String> containerProps) {
        String layers = containerProps.getOrDefault("layers", "");
        return layers.isEmpty() ? List.of() : List.of(layers.split(","));
    }
}
