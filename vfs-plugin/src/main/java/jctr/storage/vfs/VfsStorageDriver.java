package jctr.storage.vfs;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
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
import java.util.Set;
import java.util.TreeSet;

import jctr.kernel.InvalidConfigException;
import jctr.kernel.KernelException;
import jctr.kernel.NotFoundException;
import jctr.kernel.layer.FileTrees;
import jctr.kernel.layer.LayerUnpacker;
import jctr.kernel.layer.MetadataFile;
import jctr.kernel.layer.StorageIds;
import jctr.kernel.layer.StorageLock;
import jctr.kernel.layer.UnpackOptions;
import jctr.kernel.layer.WhiteoutStrategy;
import jctr.kernel.spi.DriverContext;
import jctr.kernel.spi.LayerInfo;
import jctr.kernel.spi.ProbeResult;
import jctr.kernel.spi.Rootfs;
import jctr.kernel.spi.StorageDriver;
import jctr.kernel.spi.Usage;
import jctr.kernel.sys.FileCopy;
import jctr.kernel.sys.FileMeta;
import jctr.kernel.sys.OpenFlags;
import jctr.kernel.sys.PosixFiles;

/**
 * Storage by plain copies, on any file system: each layer is a full copy of its parent with the layer's
 * changes applied (whiteouts delete), and a container's rootfs is a full copy of its image's top layer.
 * No mounts, no copy-on-write: slow to prepare and large on disk, but it works where overlayfs cannot
 * (e.g. a data root on overlayfs or on a file system without d_type). On a file system with reflinks
 * (btrfs, xfs) the copies share extents and cost little ({@link TreeCopier}).
 *
 * <h2>Data layout</h2> under {@code <dataRoot>/vfs} (mode 0700):
 * <pre>
 * layers/&lt;layer id&gt;/root              the complete tree of the image up to this layer
 * layers/&lt;layer id&gt;/layer.properties  parent, bytes and inodes used
 * containers/&lt;container&gt;/rootfs       the container's copy
 * containers/&lt;container&gt;/container.properties  its layers and whether the copy is complete
 * containers/&lt;container&gt;/prepared     written when the copy is complete: its ctime dates it
 * containers/&lt;container&gt;/lock         held while the copy is made or removed
 * staging/, lock                        as in the overlay driver
 * </pre>
 *
 * <h2>Usage</h2> A layer counts its whole tree (that is what it occupies: vfs layers share nothing,
 * unless through reflinks, which the allocated-block count cannot see); a container counts its rootfs.
 *
 * <p>Driver options: {@code copyThreads} (threads copying file contents; default: available processors),
 * and {@code maxLayerSize}, {@code maxEntrySize}, {@code maxEntries}, {@code allowDeviceNodes}
 * ({@link UnpackOptions}).
 */
public final class VfsStorageDriver implements StorageDriver {

    private static final String NAME = "vfs";
    private static final String LAYER_FILE = "layer.properties";
    private static final String CONTAINER_FILE = "container.properties";
    private static final SecureRandom RANDOM = new SecureRandom();

    private volatile Store store;

    private record Store(Path root, UnpackOptions unpack, TreeCopier copier) {
        Path layer(String id) {
            return root.resolve("layers").resolve(id);
        }

        Path container(String containerId) {
            return root.resolve("containers").resolve(StorageIds.containerDirectory(containerId));
        }

        Path staging() {
            return root.resolve("staging");
        }

        StorageLock lock() {
            return StorageLock.acquire(root.resolve("lock"));
        }
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String description() {
        return "full copies: works on any file system, no copy-on-write";
    }

    @Override
    public int autoPriority() {
        return 10;
    }

    /**
     * Available where the data root (or its nearest existing parent) is a writable directory. The
     * detail says whether the file system offers reflinks, found by cloning a scratch file that is
     * removed again.
     */
    @Override
    public ProbeResult probe(DriverContext context) {
        Path existing = context.driverDataDir(NAME).toAbsolutePath();
        while (existing != null && !Files.isDirectory(existing)) {
            existing = existing.getParent();
        }
        if (existing == null || !Files.isWritable(existing)) {
            return ProbeResult.unavailable("the data directory " + context.driverDataDir(NAME) + " cannot be created: "
                    + (existing == null ? "no parent exists" : existing + " is not writable"));
        }
        Path scratch = null;
        try {
            scratch = Files.createTempDirectory(existing, ".jctr-vfs-probe-");
            String fsType = Files.getFileStore(existing).type();
            Path a = Files.write(scratch.resolve("a"), new byte[4096]);
            Path b = scratch.resolve("b");
            int in = PosixFiles.open(a, OpenFlags.O_RDONLY | OpenFlags.O_CLOEXEC, 0);
            boolean reflink;
            try {
                int out = PosixFiles.open(b, OpenFlags.O_WRONLY | OpenFlags.O_CREAT | OpenFlags.O_CLOEXEC, 0600);
                try {
                    reflink = FileCopy.clone(in, out);
                } finally {
                    PosixFiles.close(out);
                }
            } finally {
                PosixFiles.close(in);
            }
            return ProbeResult.available("full copies on " + fsType + " at " + existing
                    + (reflink ? ", with reflinks (FICLONE)" : ", by copy_file_range (no reflinks)"));
        } catch (IOException | KernelException e) {
            return ProbeResult.unavailable("cannot write to " + existing + ": " + e.getMessage());
        } finally {
            if (scratch != null) {
                FileTrees.deleteRecursively(scratch);
            }
        }
    }

    @Override
    public void initialize(DriverContext context) {
        Map<String, String> options = context.options();
        Set<String> known = new TreeSet<>(UnpackOptions.OPTION_KEYS);
        known.add("copyThreads");
        for (String key : options.keySet()) {
            if (!known.contains(key)) {
                throw new InvalidConfigException("engine configuration", "driverOptions.vfs." + key,
                        "unknown option; the vfs driver knows " + known);
            }
        }
        int threads = Runtime.getRuntime().availableProcessors();
        String t = options.get("copyThreads");
        if (t != null) {
            try {
                threads = Integer.parseInt(t.trim());
            } catch (NumberFormatException e) {
                threads = -1;
            }
            if (threads < 1 || threads > 256) {
                throw new InvalidConfigException("engine configuration", "driverOptions.vfs.copyThreads",
                        "must be a number from 1 to 256, not \"" + t + "\"");
            }
        }
        Path root = context.driverDataDir(NAME).toAbsolutePath().normalize();
        try {
            Files.createDirectories(root);
            FileMeta.chmod(root, 0700);
            for (String sub : List.of("layers", "containers", "staging")) {
                Files.createDirectories(root.resolve(sub));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("creating the vfs driver's data directory " + root, e);
        }
        Store s = new Store(root, UnpackOptions.fromDriverOptions(NAME, options), new TreeCopier(threads));
        try (StorageLock _ = s.lock()) {
            for (String name : FileTrees.list(s.staging())) {
                FileTrees.deleteRecursively(s.staging().resolve(name));
            }
        }
        store = s;
    }

    private Store store() {
        Store s = store;
        if (s == null) {
            throw new KernelException(KernelException.Category.FAILED_PRECONDITION, "the vfs driver is not initialized");
        }
        return s;
    }

    @Override
    public LayerInfo createLayer(String layerId, String parentId, InputStream tarDiff) {
        Store s = store();
        StorageIds.checkLayerId(layerId);
        if (hasLayer(layerId)) {
            return info(s, layerId);
        }
        if (parentId != null && !hasLayer(StorageIds.checkLayerId(parentId))) {
            throw new NotFoundException("parent layer " + parentId + " of layer " + layerId + " does not exist");
        }
        Path staging = null;
        try {
            staging = Files.createTempDirectory(s.staging(), "layer-");
            Path root = staging.resolve("root");
            if (parentId == null) {
                Files.createDirectory(root);
                FileMeta.chmod(root, 0755); // the layer root's mode unless the tar has a "./" member
            } else {
                s.copier().copy(s.layer(parentId).resolve("root"), root);
            }
            new LayerUnpacker(s.unpack(), WhiteoutStrategy.applyInPlace()).unpack(tarDiff, root, "layer " + layerId);
            Usage usage = FileTrees.usage(root);
            Map<String, String> props = new HashMap<>();
            props.put("id", layerId);
            if (parentId != null) {
                props.put("parent", parentId);
            }
            props.put("bytes", Long.toString(usage.bytes()));
            props.put("inodes", Long.toString(usage.inodes()));
            MetadataFile.write(staging.resolve(LAYER_FILE), props);
            try (StorageLock _ = s.lock()) {
                if (!hasLayer(layerId)) {
                    Files.move(staging, s.layer(layerId), StandardCopyOption.ATOMIC_MOVE);
                    staging = null;
                }
            }
            return info(s, layerId);
        } catch (IOException e) {
            throw new UncheckedIOException("creating layer " + layerId, e);
        } finally {
            if (staging != null) {
                FileTrees.deleteRecursively(staging);
            }
        }
    }

    private static LayerInfo info(Store s, String layerId) {
        Path file = s.layer(layerId).resolve(LAYER_FILE);
        Map<String, String> props = MetadataFile.read(file);
        return new LayerInfo(layerId, props.get("parent"), Long.parseLong(MetadataFile.require(props, "bytes", file)));
    }

    @Override
    public boolean hasLayer(String layerId) {
        return StorageIds.isLayerId(layerId) && Files.isRegularFile(store().layer(layerId).resolve(LAYER_FILE));
    }

    /**
     * {@inheritDoc}
     *
     * @throws KernelException FAILED_PRECONDITION while a prepared container uses the layer
     */
    @Override
    public void removeLayer(String layerId) {
        Store s = store();
        StorageIds.checkLayerId(layerId);
        Path trash;
        try (StorageLock _ = s.lock()) {
            if (!hasLayer(layerId)) {
                return;
            }
            List<String> users = containersUsing(s, layerId);
            if (!users.isEmpty()) {
                throw new KernelException(KernelException.Category.FAILED_PRECONDITION,
                        "layer " + layerId + " is in use by container(s) " + users);
            }
            trash = moveToStaging(s, s.layer(layerId), "removing-layer-");
        }
        FileTrees.deleteRecursively(trash);
    }

    private static List<String> containersUsing(Store s, String layerId) {
        List<String> users = new ArrayList<>();
        Path containers = s.root().resolve("containers");
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

    private static List<String> layersOf(Map<String, String> containerProps) {
        String layers = containerProps.getOrDefault("layers", "");
        return layers.isEmpty() ? List.of() : List.of(layers.split(","));
    }

    private static Path moveToStaging(Store s, Path dir, String prefix) {
        try {
            Path trash = s.staging().resolve(prefix + Long.toUnsignedString(RANDOM.nextLong(), 36));
            Files.move(dir, trash, StandardCopyOption.ATOMIC_MOVE);
            return trash;
        } catch (IOException e) {
            throw new UncheckedIOException("moving " + dir + " away", e);
        }
    }

    /**
     * {@inheritDoc}
     *
     * <p>The container is registered (so that its layers cannot be removed) under the driver lock; the
     * copy is made under the container's own lock, so other containers are not held up by it.
     */
    @Override
    public Rootfs prepare(String containerId, List<String> layerIds) {
        Store s = store();
        Path dir = s.container(containerId);
        try {
            try (StorageLock _ = s.lock()) {
                checkChain(s, layerIds);
                Path file = dir.resolve(CONTAINER_FILE);
                if (Files.isRegularFile(file)) {
                    List<String> had = layersOf(MetadataFile.read(file));
                    if (!had.equals(layerIds)) {
                        throw new KernelException(KernelException.Category.FAILED_PRECONDITION, "container " + containerId
                                + " is already prepared with layers " + had + ", not " + layerIds);
                    }
                } else {
                    Path staging = Files.createTempDirectory(s.staging(), "container-");
                    MetadataFile.write(staging.resolve(CONTAINER_FILE), Map.of("id", containerId,
                            "layers", String.join(",", layerIds), "state", "copying"));
                    Files.move(staging, dir, StandardCopyOption.ATOMIC_MOVE);
                }
            }
            try (StorageLock _ = StorageLock.acquire(dir.resolve("lock"))) {
                Path file = dir.resolve(CONTAINER_FILE);
                if (!Files.isRegularFile(file)) {
                    throw new NotFoundException("container " + containerId + " was removed while being prepared");
                }
                Map<String, String> props = MetadataFile.read(file);
                if (!"ready".equals(props.get("state"))) {
                    try {
                        copyRootfs(s, dir, layerIds, props);
                    } catch (IOException | RuntimeException e) {
                        // Nothing of a failed prepare stays (same lock order as remove: container, then driver).
                        Path trash;
                        try (StorageLock _ = s.lock()) {
                            trash = moveToStaging(s, dir, "failed-container-");
                        }
                        FileTrees.deleteRecursively(trash);
                        throw e;
                    }
                }
            }
            return new Rootfs(dir.resolve("rootfs").toString(), Map.of());
        } catch (IOException e) {
            throw new UncheckedIOException("preparing container " + containerId, e);
        }
    }

    private static void copyRootfs(Store s, Path dir, List<String> layerIds, Map<String, String> props) throws IOException {
        Path tmp = dir.resolve("rootfs.tmp");
        try {
            FileTrees.deleteRecursively(tmp); // left by an interrupted copy
            FileTrees.deleteRecursively(dir.resolve("rootfs"));
            if (layerIds.isEmpty()) {
                Files.createDirectory(tmp);
                FileMeta.chmod(tmp, 0755);
            } else {
                s.copier().copy(s.layer(layerIds.getLast()).resolve("root"), tmp);
            }
            Files.move(tmp, dir.resolve("rootfs"), StandardCopyOption.ATOMIC_MOVE);
            Files.writeString(dir.resolve("prepared"), "the rootfs copy was complete when this file was written\n");
            Map<String, String> ready = new HashMap<>(props);
            ready.put("state", "ready");
            MetadataFile.write(dir.resolve(CONTAINER_FILE), ready);
        } catch (IOException | RuntimeException e) {
            FileTrees.deleteRecursively(tmp);
            throw e;
        }
    }

    /** Every layer must exist and each must be the parent of the next. */
    private void checkChain(Store s, List<String> layerIds) {
        String expectedParent = null;
        for (int i = 0; i < layerIds.size(); i++) {
            String id = StorageIds.checkLayerId(layerIds.get(i));
            if (!hasLayer(id)) {
                throw new NotFoundException("layer " + id + " does not exist");
            }
            String parent = info(s, id).parentId();
            if (!Objects.equals(parent, expectedParent)) {
                throw new InvalidConfigException("", "layerIds[" + i + "]", "layer " + id + " has parent " + parent
                        + ", not " + expectedParent);
            }
            expectedParent = id;
        }
    }

    private static Map<String, String> readyContainer(Path dir, String containerId) {
        Path file = dir.resolve(CONTAINER_FILE);
        if (!Files.isRegularFile(file)) {
            throw new NotFoundException("container " + containerId + " has no rootfs in the vfs driver");
        }
        Map<String, String> props = MetadataFile.read(file);
        if (!"ready".equals(props.get("state"))) {
            throw new KernelException(KernelException.Category.FAILED_PRECONDITION,
                    "the rootfs of container " + containerId + " is not completely prepared");
        }
        return props;
    }

    @Override
    public void diff(String containerId, OutputStream tarOut) {
        Store s = store();
        Path dir = s.container(containerId);
        List<String> layers = layersOf(readyContainer(dir, containerId));
        Path top = layers.isEmpty() ? null : s.layer(layers.getLast()).resolve("root");
        TreeDiff.write(dir.resolve("rootfs"), top, FileMeta.lstat(dir.resolve("prepared")).ctime(), tarOut);
    }

    @Override
    public void remove(String containerId) {
        Store s = store();
        Path dir = s.container(containerId);
        if (!Files.isDirectory(dir)) {
            return;
        }
        Path trash;
        // The container's lock first, then the driver's: the order prepare uses too.
        try (StorageLock _ = StorageLock.acquire(dir.resolve("lock")); StorageLock _ = s.lock()) {
            if (!Files.isDirectory(dir)) {
                return;
            }
            trash = moveToStaging(s, dir, "removing-container-");
        } catch (KernelException e) {
            if (!Files.isDirectory(dir)) {
                return; // removed concurrently: the lock file went with it
            }
            throw e;
        }
        FileTrees.deleteRecursively(trash);
    }

    @Override
    public Usage usage(String id) {
        Store s = store();
        if (hasLayer(id)) {
            Path file = s.layer(id).resolve(LAYER_FILE);
            Map<String, String> props = MetadataFile.read(file);
            return new Usage(Long.parseLong(MetadataFile.require(props, "bytes", file)),
                    Long.parseLong(MetadataFile.require(props, "inodes", file)));
        }
        Path dir;
        try {
            dir = s.container(id);
        } catch (InvalidConfigException notAContainerId) {
            throw new NotFoundException("no layer or container " + id + " in the vfs driver");
        }
        if (!Files.isDirectory(dir.resolve("rootfs"))) {
            throw new NotFoundException("no layer or container " + id + " in the vfs driver");
        }
        return FileTrees.usage(dir.resolve("rootfs"));
    }
}
