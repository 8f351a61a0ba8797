package jctr.storage.overlay;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import jctr.kernel.InvalidConfigException;
import jctr.kernel.KernelException;
import jctr.kernel.NotFoundException;
import jctr.kernel.UnsupportedFeatureException;
import jctr.kernel.layer.FileTrees;
import jctr.kernel.layer.LayerUnpacker;
import jctr.kernel.layer.MetadataFile;
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
import jctr.kernel.sys.Errno;
import jctr.kernel.sys.FileMeta;
import jctr.kernel.sys.FileStat;
import jctr.kernel.sys.Symlinks;
import jctr.kernel.sys.SyscallException;

/**
 * Storage on overlayfs: each layer is unpacked once into its own directory and shared read-only by
 * every container of every image that has it; a container's rootfs is an overlay mount of its image's
 * layers under a fresh upper directory, so its writes (copy-up) never touch a layer.
 *
 * <h2>Data layout</h2> under {@code <dataRoot>/overlay}, a {@link StorageLayout} (mode 0700: layers
 * keep their setuid files, unreachable for unprivileged host users) with:
 * <pre>
 * layers/&lt;layer id&gt;/diff             the unpacked layer (whiteouts in overlay form)
 * layers/&lt;layer id&gt;/layer.properties with "link": the layer's short name
 * l/&lt;12 chars&gt; -&gt; ../layers/&lt;id&gt;/diff  short names for mount(2)'s one-page option limit
 * containers/&lt;container&gt;/upper, work, merged
 * empty/                               the lower dir of an image without layers
 * </pre>
 *
 * <h2>Many layers</h2> On Linux 6.8 and newer the driver mounts with the new mount API, one
 * {@code lowerdir+} per layer, which has no limit on the number of layers (overlayfs stacks up to 500).
 * On older kernels it uses mount(2) with the {@code l/} short links, as Docker's overlay2 does: about 45
 * bytes per layer fit ~80 layers into the page of options with a data root like {@code /var/lib/jctr};
 * more fail with a clear error. Driver option {@code mountApi} = {@code auto} (default), {@code new},
 * {@code legacy}. Mount options: see {@link OverlayMount}.
 *
 * <h2>Usage</h2> A layer counts the allocated bytes and inodes of its diff directory (measured once, when
 * it is created); a container counts its upper directory (copied-up files, new files, whiteouts).
 *
 * <p>Other driver options: {@code maxLayerSize}, {@code maxEntrySize}, {@code maxEntries},
 * {@code allowDeviceNodes} (see {@link UnpackOptions}).
 */
public final class OverlayStorageDriver implements StorageDriver {

    private static final String NAME = "overlay";
    private static final String LINK_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    private static final int LINK_LENGTH = 12;
    private static final SecureRandom RANDOM = new SecureRandom();

    private volatile Store store;

    /** Where the data is and how to mount, fixed at {@link #initialize}. */
    private record Store(StorageLayout layout, UnpackOptions unpack, boolean newApi) {
        Path diff(String layerId) {
            return layout.layer(layerId).resolve("diff");
        }

        Path links() {
            return layout.root().resolve("l");
        }

        Path empty() {
            return layout.root().resolve("empty");
        }
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String description() {
        return "overlayfs: shared read-only layers under a copy-on-write upper layer";
    }

    @Override
    public int autoPriority() {
        return 100;
    }

    /**
     * Available if the kernel has overlayfs, jctr runs as root, the data root is not itself on overlayfs,
     * and a real test mount works there: a scratch directory (removed again) next to the driver's data
     * directory gets a tiny overlay mounted and unmounted, which proves the file system supports
     * upper directories (xattrs, d_type) and whiteouts.
     */
    @Override
    public ProbeResult probe(DriverContext context) {
        if (!context.host().filesystems().contains("overlay")) {
            return ProbeResult.unavailable("the kernel has no overlay file system (/proc/filesystems); try modprobe overlay");
        }
        if (!context.host().root()) {
            return ProbeResult.unavailable("needs root (mounts, whiteout devices, trusted.* xattrs)");
        }
        Path dataDir = context.driverDataDir(NAME).toAbsolutePath();
        Path existing = StorageLayout.nearestExistingDirectory(dataDir).orElse(null);
        if (existing == null) {
            return ProbeResult.unavailable("no existing directory above " + dataDir);
        }
        String fsType;
        try {
            fsType = Files.getFileStore(existing).type();
        } catch (IOException e) {
            return ProbeResult.unavailable("cannot inspect the file system of " + existing + ": " + e.getMessage());
        }
        if (fsType.equals("overlay")) {
            return ProbeResult.unavailable("the data root " + existing + " is on overlayfs, which cannot hold upper "
                    + "directories: use another data root or the vfs driver");
        }
        Path scratch = null;
        try {
            scratch = Files.createTempDirectory(existing, ".jctr-overlay-probe-");
            boolean newApi = OverlayMount.supportsLowerdirPlus(scratch);
            Path lower = Files.createDirectory(scratch.resolve("lower"));
            Files.writeString(lower.resolve("file"), "lower");
            Path upper = Files.createDirectory(scratch.resolve("upper"));
            Path work = Files.createDirectory(scratch.resolve("work"));
            Path merged = Files.createDirectory(scratch.resolve("merged"));
            OverlayMount.mount(List.of(lower), upper, work, merged, newApi);
            try {
                Files.delete(merged.resolve("file"));
                if (!FileMeta.lstat(upper.resolve("file")).isCharDevice()) {
                    return ProbeResult.unavailable("overlayfs on " + fsType + " at " + existing + " did not create a whiteout");
                }
            } finally {
                OverlayMount.unmount(merged);
            }
            return ProbeResult.available("overlayfs on " + fsType + " at " + existing + ", mount API: "
                    + (newApi ? "fsconfig lowerdir+ (no layer limit)" : "mount(2) with short links"));
        } catch (IOException | KernelException e) {
            return ProbeResult.unavailable("a test overlay mount on " + fsType + " at " + existing + " failed: " + e.getMessage());
        } finally {
            if (scratch != null) {
                FileTrees.deleteRecursively(scratch);
            }
        }
    }

    @Override
    public void initialize(DriverContext context) {
        Map<String, String> options = context.options();
        UnpackOptions unpack = UnpackOptions.fromDriverOptions(NAME, options, Set.of("mountApi"));
        StorageLayout layout = StorageLayout.open(context.driverDataDir(NAME));
        Path root = layout.root();
        try {
            Files.createDirectories(root.resolve("l"));
            Files.createDirectories(root.resolve("empty"));
        } catch (IOException e) {
            throw new UncheckedIOException("creating the overlay driver's data directory " + root, e);
        }
        String api = options.getOrDefault("mountApi", "auto");
        boolean newApi = switch (api) {
            case "auto" -> OverlayMount.supportsLowerdirPlus(root.resolve("empty"));
            case "new" -> {
                if (!OverlayMount.supportsLowerdirPlus(root.resolve("empty"))) {
                    throw new UnsupportedFeatureException("driverOptions.overlay.mountApi is \"new\" but this kernel's "
                            + "overlayfs has no lowerdir+ (Linux 6.8+)");
                }
                yield true;
            }
            case "legacy" -> false;
            default -> throw new InvalidConfigException("engine configuration", "driverOptions.overlay.mountApi",
                    "must be auto, new or legacy, not \"" + api + "\"");
        };
        if (!newApi && (root.toString().contains(",") || root.toString().contains(":"))) {
            throw new InvalidConfigException("engine configuration", "dataRoot", "the overlay driver's data directory "
                    + root + " contains ',' or ':', which mount(2) options cannot hold on this kernel");
        }
        Store s = new Store(layout, unpack, newApi);
        try (StorageLock _ = layout.lock()) {
            // Links made by a createLayer that was interrupted before its layer was in place.
            for (String name : FileTrees.list(s.links())) {
                if (!Files.isDirectory(s.links().resolve(name))) {
                    FileTrees.deleteRecursively(s.links().resolve(name));
                }
            }
        }
        store = s;
    }

    private Store store() {
        Store s = store;
        if (s == null) {
            throw new KernelException(KernelException.Category.FAILED_PRECONDITION, "the overlay driver is not initialized");
        }
        return s;
    }

    @Override
    public LayerInfo createLayer(String layerId, String parentId, InputStream tarDiff) {
        StorageLayout layout = store().layout();
        Optional<LayerInfo> existing = layout.existingLayer(layerId, parentId);
        if (existing.isPresent()) {
            return existing.get();
        }
        Store s = store();
        Path staging = layout.newStagingDirectory("layer-");
        try {
            Path diff = Files.createDirectory(staging.resolve("diff"));
            FileMeta.chmod(diff, 0755); // the layer root's mode unless the tar has a "./" member
            List<Path> lowers = parentId == null ? List.of() : layout.ancestry(parentId).stream().map(s::diff).toList();
            LowerStack below = new LowerStack(lowers);
            new LayerUnpacker(s.unpack(), WhiteoutStrategy.overlay(below::exists)).unpack(tarDiff, diff, "layer " + layerId);
            Usage usage = FileTrees.usage(diff);
            try (StorageLock _ = layout.lock()) {
                if (!layout.hasLayer(layerId)) { // else created concurrently: ours is discarded below
                    layout.writeLayerProperties(staging, layerId, parentId, usage, Map.of("link", newLink(s, layerId)));
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

    /** Creates {@code l/<random>} pointing at the layer's diff; the caller holds the lock. */
    private static String newLink(Store s, String layerId) {
        while (true) {
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < LINK_LENGTH; i++) {
                sb.append(LINK_CHARS.charAt(RANDOM.nextInt(LINK_CHARS.length())));
            }
            try {
                Symlinks.create("../layers/" + layerId + "/diff", s.links().resolve(sb.toString()));
                return sb.toString();
            } catch (SyscallException e) {
                if (!e.is(Errno.EEXIST)) {
                    throw e;
                }
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
        Store s = store();
        s.layout().removeLayer(layerId, props -> {
            String link = props.get("link");
            if (link != null) {
                FileTrees.deleteRecursively(s.links().resolve(link));
            }
        });
    }

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
                if (!OverlayMount.isMounted(dir.resolve("merged"))) {
                    mount(s, dir, layerIds); // e.g. after a reboot: the upper dir is still there
                }
                return rootfs(s, dir);
            }
            Path staging = layout.newStagingDirectory("container-");
            try {
                for (String sub : List.of("upper", "work", "merged")) {
                    Files.createDirectory(staging.resolve(sub));
                }
                // The merged root shows the upper root's owner and mode: give it the image's.
                FileStat top = FileMeta.lstat(layerIds.isEmpty() ? s.empty() : s.diff(layerIds.getLast()));
                FileMeta.lchown(staging.resolve("upper"), top.uid(), top.gid());
                FileMeta.chmod(staging.resolve("upper"), top.permissions());
                layout.writeContainerProperties(staging, containerId, layerIds, Map.of());
                layout.commit(staging, dir);
            } catch (IOException | RuntimeException e) {
                FileTrees.deleteRecursively(staging);
                throw e;
            }
            try {
                mount(s, dir, layerIds);
            } catch (RuntimeException e) {
                FileTrees.deleteRecursively(layout.moveToStaging(dir, "failed-container-"));
                throw e;
            }
            return rootfs(s, dir);
        } catch (IOException e) {
            throw new UncheckedIOException("preparing container " + containerId, e);
        }
    }

    private static void mount(Store s, Path dir, List<String> layerIds) {
        List<Path> lowers = new ArrayList<>();
        for (String id : layerIds.reversed()) {
            if (s.newApi()) {
                lowers.add(s.diff(id));
            } else {
                Map<String, String> props = s.layout().layerProperties(id);
                lowers.add(s.links().resolve(MetadataFile.require(props, "link", s.layout().layer(id))));
            }
        }
        if (lowers.isEmpty()) {
            lowers.add(s.empty());
        }
        OverlayMount.mount(lowers, dir.resolve("upper"), dir.resolve("work"), dir.resolve("merged"), s.newApi());
    }

    private static Rootfs rootfs(Store s, Path dir) {
        return new Rootfs(dir.resolve("merged").toString(), Map.of("upperdir", dir.resolve("upper").toString(),
                "workdir", dir.resolve("work").toString(), "mountApi", s.newApi() ? "new" : "legacy"));
    }

    @Override
    public void diff(String containerId, OutputStream tarOut) {
        StorageLayout layout = store().layout();
        if (layout.containerProperties(containerId).isEmpty()) {
            throw new NotFoundException("container " + containerId + " has no rootfs in the overlay driver");
        }
        OverlayDiff.write(layout.container(containerId).resolve("upper"), tarOut);
    }

    @Override
    public void remove(String containerId) {
        StorageLayout layout = store().layout();
        Path dir = layout.container(containerId);
        Path trash;
        try (StorageLock _ = layout.lock()) {
            if (!Files.isDirectory(dir)) {
                return;
            }
            OverlayMount.unmount(dir.resolve("merged"));
            trash = layout.moveToStaging(dir, "removing-container-");
        }
        FileTrees.deleteRecursively(trash);
    }

    @Override
    public Usage usage(String id) {
        StorageLayout layout = store().layout();
        if (layout.hasLayer(id)) {
            return layout.layerUsage(id);
        }
        if (layout.containerProperties(id).isPresent()) {
            return FileTrees.usage(layout.container(id).resolve("upper"));
        }
        throw new NotFoundException("no layer or container " + id + " in the overlay driver");
    }
}
