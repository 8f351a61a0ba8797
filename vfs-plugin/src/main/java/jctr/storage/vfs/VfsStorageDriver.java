package jctr.storage.vfs;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import jctr.kernel.InvalidConfigException;
import jctr.kernel.KernelException;
import jctr.kernel.NotFoundException;
import jctr.kernel.layer.FileTrees;
import jctr.kernel.layer.LayerUnpacker;
import jctr.kernel.layer.StorageLayout;
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
 * <h2>Data layout</h2> under {@code <dataRoot>/vfs}, a {@link StorageLayout} (mode 0700) with:
 * <pre>
 * layers/&lt;layer id&gt;/root              the complete tree of the image up to this layer
 * containers/&lt;container&gt;/rootfs       the container's copy
 * containers/&lt;container&gt;/container.properties  with "state": copying or ready
 * containers/&lt;container&gt;/prepared     written when the copy is complete: its ctime dates it
 * containers/&lt;container&gt;/lock         held while the copy is made or removed
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

    private volatile Store store;

    private record Store(StorageLayout layout, UnpackOptions unpack, TreeCopier copier) {
        Path tree(String layerId) {
            return layout.layer(layerId).resolve("root");
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
        Path existing = StorageLayout.nearestExistingDirectory(context.driverDataDir(NAME)).orElse(null);
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
        UnpackOptions unpack = UnpackOptions.fromDriverOptions(NAME, options, Set.of("copyThreads"));
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
        store = new Store(StorageLayout.open(context.driverDataDir(NAME)), unpack, new TreeCopier(threads));
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
        StorageLayout layout = s.layout();
        Optional<LayerInfo> existing = layout.existingLayer(layerId, parentId);
        if (existing.isPresent()) {
            return existing.get();
        }
        Path staging = layout.newStagingDirectory("layer-");
        try {
            Path root = staging.resolve("root");
            if (parentId == null) {
                Files.createDirectory(root);
                FileMeta.chmod(root, 0755); // the layer root's mode unless the tar has a "./" member
            } else {
                s.copier().copy(s.tree(parentId), root);
            }
            new LayerUnpacker(s.unpack(), WhiteoutStrategy.applyInPlace()).unpack(tarDiff, root, "layer " + layerId);
            layout.writeLayerProperties(staging, layerId, parentId, FileTrees.usage(root), Map.of());
            try (StorageLock _ = layout.lock()) {
                if (!layout.hasLayer(layerId)) { // else created concurrently: ours is discarded below
                    layout.commit(staging, layout.layer(layerId));
                    staging = null;
                }
            }
            return layout.layerInfo(layerId);
        } catch (IOException e) {
            throw new UncheckedIOException("creating layer " + layerId, e);
        } finally {
            if (staging != null) {
                FileTrees.deleteRecursively(staging);
            }
        }
    }

    @Override
    public boolean hasLayer(String layerId) {
        return store().layout().hasLayer(layerId);
    }

    /**
     * {@inheritDoc}
     *
     * @throws KernelException FAILED_PRECONDITION while a prepared container uses the layer
     */
    @Override
    public void removeLayer(String layerId) {
        store().layout().removeLayer(layerId, props -> { });
    }

    /**
     * {@inheritDoc}
     *
     * <p>The container is registered (so that its layers cannot be removed) under the driver lock; the
     * copy is made under the container's own lock, so other containers are not held up by it. A failed
     * copy leaves nothing; an interrupted one (the engine died) is redone by the next call.
     */
    @Override
    public Rootfs prepare(String containerId, List<String> layerIds) {
        Store s = store();
        StorageLayout layout = s.layout();
        Path dir = layout.container(containerId);
        try (StorageLock _ = layout.lock()) {
            layout.checkChain(layerIds);
            Optional<Map<String, String>> existing = layout.containerProperties(containerId);
            if (existing.isPresent()) {
                List<String> had = StorageLayout.layersOf(existing.get());
                if (!had.equals(layerIds)) {
                    throw new KernelException(KernelException.Category.FAILED_PRECONDITION, "container " + containerId
                            + " is already prepared with layers " + had + ", not " + layerIds);
                }
            } else {
                Path staging = layout.newStagingDirectory("container-");
                layout.writeContainerProperties(staging, containerId, layerIds, Map.of("state", "copying"));
                layout.commit(staging, dir);
            }
        }
        try (StorageLock _ = StorageLock.acquire(dir.resolve("lock"))) {
            Map<String, String> props = layout.containerProperties(containerId).orElseThrow(() ->
                    new NotFoundException("container " + containerId + " was removed while being prepared"));
            if (!"ready".equals(props.get("state"))) {
                try {
                    copyRootfs(s, dir, containerId, layerIds);
                } catch (RuntimeException e) {
                    // Same lock order as remove: the container's, then the driver's.
                    Path trash;
                    try (StorageLock _ = layout.lock()) {
                        trash = layout.moveToStaging(dir, "failed-container-");
                    }
                    FileTrees.deleteRecursively(trash);
                    throw e;
                }
            }
        }
        return new Rootfs(dir.resolve("rootfs").toString(), Map.of());
    }

    private static void copyRootfs(Store s, Path dir, String containerId, List<String> layerIds) {
        Path tmp = dir.resolve("rootfs.tmp");
        try {
            FileTrees.deleteRecursively(tmp); // left by an interrupted copy
            FileTrees.deleteRecursively(dir.resolve("rootfs"));
            if (layerIds.isEmpty()) {
                Files.createDirectory(tmp);
                FileMeta.chmod(tmp, 0755);
            } else {
                s.copier().copy(s.tree(layerIds.getLast()), tmp);
            }
            Files.move(tmp, dir.resolve("rootfs"), StandardCopyOption.ATOMIC_MOVE);
            Files.writeString(dir.resolve("prepared"), "the rootfs copy was complete when this file was written\n");
            s.layout().writeContainerProperties(dir, containerId, layerIds, Map.of("state", "ready"));
        } catch (IOException e) {
            throw new UncheckedIOException("copying the rootfs of container " + containerId, e);
        }
    }

    @Override
    public void diff(String containerId, OutputStream tarOut) {
        Store s = store();
        Map<String, String> props = s.layout().containerProperties(containerId).orElseThrow(() ->
                new NotFoundException("container " + containerId + " has no rootfs in the vfs driver"));
        if (!"ready".equals(props.get("state"))) {
            throw new KernelException(KernelException.Category.FAILED_PRECONDITION,
                    "the rootfs of container " + containerId + " is not completely prepared");
        }
        List<String> layers = StorageLayout.layersOf(props);
        Path dir = s.layout().container(containerId);
        Path top = layers.isEmpty() ? null : s.tree(layers.getLast());
        TreeDiff.write(dir.resolve("rootfs"), top, FileMeta.lstat(dir.resolve("prepared")).ctime(), tarOut);
    }

    @Override
    public void remove(String containerId) {
        StorageLayout layout = store().layout();
        Path dir = layout.container(containerId);
        if (!Files.isDirectory(dir)) {
            return;
        }
        Path trash;
        // The container's lock first, then the driver's: the order prepare uses too.
        try (StorageLock _ = StorageLock.acquire(dir.resolve("lock")); StorageLock _ = layout.lock()) {
            if (!Files.isDirectory(dir)) {
                return;
            }
            trash = layout.moveToStaging(dir, "removing-container-");
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
        StorageLayout layout = store().layout();
        if (layout.hasLayer(id)) {
            return layout.layerUsage(id);
        }
        if (layout.containerProperties(id).isPresent() && Files.isDirectory(layout.container(id).resolve("rootfs"))) {
            return FileTrees.usage(layout.container(id).resolve("rootfs"));
        }
        throw new NotFoundException("no layer or container " + id + " in the vfs driver");
    }
}
