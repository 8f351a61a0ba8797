package jctr.kernel.image;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import jctr.kernel.KernelException;
import jctr.kernel.NotFoundException;
import jctr.kernel.spi.StorageDriver;

/**
 * Removing images and collecting garbage, with Docker's rules:
 * <ul>
 *   <li>{@code rm NAME} removes the name; the image goes when its last tag goes (with its digest names).
 *       If a container uses it, removing its last tag needs force, and even then the image stays (unnamed)
 *       for the container.</li>
 *   <li>{@code rm ID} removes every name and the image; force is needed when a container uses it (the image
 *       then stays, unnamed) or when names from several repositories point at it.</li>
 *   <li>{@code prune} removes unnamed images (or with {@code all}, every image) no container uses, then the
 *       blobs no image references, temp and partial files, and the storage driver's layers no image
 *       reaches. A layer the driver refuses to remove with {@code FAILED_PRECONDITION} (under a prepared
 *       container's rootfs) is in use and kept.</li>
 * </ul>
 */
public final class ImageGc {

    /**
     * What prune did.
     *
     * @param events untagged names and deleted images and layers
     * @param reclaimedBytes bytes of blobs and temp files removed
     */
    public record PruneReport(List<RemoveEvent> events, long reclaimedBytes) {
        public PruneReport {
            events = List.copyOf(events);
        }
    }

    private final ImageStore store;
    private final ImageUsers users;
    private final StorageDriver driver;

    /**
     * @param driver the storage driver whose layers to collect, or null to leave layers alone
     */
    public ImageGc(ImageStore store, ImageUsers users, StorageDriver driver) {
        this.store = store;
        this.users = users;
        this.driver = driver;
    }

    /**
     * Removes the name or image {@code name}; see the class comment for the rules. When an image was deleted,
     * its blobs and layers that nothing else uses are removed too, unless a pull or import is writing blobs at
     * this moment (then {@link #prune} removes them later).
     *
     * @throws NotFoundException if {@code name} names no image
     * @throws ImageConflictException when force is needed and not given; nothing is changed then
     */
    public List<RemoveEvent> remove(String name, boolean force) {
        Set<String> inUse = users.imageIdsInUse();
        List<RemoveEvent> events = new ArrayList<>();
        store.update(r -> {
            events.clear();
            Digest id = ImageStore.find(r, name);
            if (id == null) {
                throw new NotFoundException("No such image: " + name);
            }
            boolean used = inUse.contains(id.toString());
            Reference ref = nameReference(r, name, id);
            Repositories out = r;
            if (ref != null) {
                out = out.withoutName(ref);
                events.add(new RemoveEvent(RemoveEvent.Type.UNTAGGED, ref.familiar()));
                if (ref.digest() == null && !out.tagsOf(id).isEmpty()) {
                    return out; // other tags keep the image
                }
                if (ref.digest() != null && !(out.tagsOf(id).isEmpty() && out.digestsOf(id).isEmpty())) {
                    return out;
                }
                if (used && !force) {
                    throw new ImageConflictException("conflict: unable to remove repository reference \"" + name
                            + "\" (must force) - a container is using its referenced image " + id.shortHex());
                }
            } else {
                if (used && !force) {
                    throw new ImageConflictException("conflict: unable to delete " + id.shortHex()
                            + " (must be forced) - image is being used by a container");
                }
                Set<String> repos = new HashSet<>();
                r.tagsOf(id).forEach(t -> repos.add(t.repository()));
                if (repos.size() > 1 && !force) {
                    throw new ImageConflictException("conflict: unable to delete " + id.shortHex()
                            + " (must be forced) - image is referenced in multiple repositories");
                }
            }
            for (Reference t : out.tagsOf(id)) {
                events.add(new RemoveEvent(RemoveEvent.Type.UNTAGGED, t.familiar()));
            }
            for (Reference d : out.digestsOf(id)) {
                events.add(new RemoveEvent(RemoveEvent.Type.UNTAGGED, d.familiar()));
            }
            if (used) {
                // Forced, but a container still needs the image: keep it without names.
                Repositories kept = out;
                for (Reference t : out.tagsOf(id)) {
                    kept = kept.withoutName(t);
                }
                for (Reference d : out.digestsOf(id)) {
                    kept = kept.withoutName(d);
                }
                return kept;
            }
            events.add(new RemoveEvent(RemoveEvent.Type.DELETED, id.toString()));
            return out.withoutImage(id);
        });
        if (events.stream().anyMatch(e -> e.type() == RemoveEvent.Type.DELETED)) {
            try (StoreLock gc = store.tryGcExclusive()) {
                if (gc != null) {
                    events.addAll(sweep().events());
                }
            }
        }
        return events;
    }

    /** The reference form of {@code name} if it named the image by a tag or digest (not by id). */
    private static Reference nameReference(Repositories r, String name, Digest id) {
        try {
            Reference ref = Reference.parse(name);
            Digest target = ref.digest() != null ? r.digests().get(ref.repository() + "@" + ref.digest())
                    : r.tags().get(ref.orLatest().toString());
            if (!id.equals(target)) {
                return null;
            }
            // Names are kept as repo:tag or repo@digest; a name:tag@digest reference names the digest one.
            return ref.digest() != null ? ref.withDigest(ref.digest()) : ref.orLatest();
        } catch (jctr.kernel.InvalidConfigException e) {
            return null;
        }
    }

    /**
     * Removes unnamed images no container uses (with {@code all}: every image no container uses), then
     * collects unreferenced blobs, temp files and layers. Waits for running pulls and imports to finish.
     */
    public PruneReport prune(boolean all) {
        Set<String> inUse = users.imageIdsInUse();
        try (StoreLock _ = store.gcExclusive()) {
            List<RemoveEvent> events = new ArrayList<>();
            store.update(r -> {
                events.clear();
                Repositories out = r;
                for (ImageRecord rec : r.images().values()) {
                    Digest id = rec.id();
                    if (inUse.contains(id.toString()) || (!all && !r.tagsOf(id).isEmpty())) {
                        continue;
                    }
                    for (Reference t : r.tagsOf(id)) {
                        events.add(new RemoveEvent(RemoveEvent.Type.UNTAGGED, t.familiar()));
                    }
                    for (Reference d : r.digestsOf(id)) {
                        events.add(new RemoveEvent(RemoveEvent.Type.UNTAGGED, d.familiar()));
                    }
                    events.add(new RemoveEvent(RemoveEvent.Type.DELETED, id.toString()));
                    out = out.withoutImage(id);
                }
                return out;
            });
            PruneReport swept = sweep();
            events.addAll(swept.events());
            return new PruneReport(events, swept.reclaimedBytes() + store.blobs().clearTemp());
        }
    }

    /** Removes blobs and layers nothing references; the caller holds the GC lock exclusively. */
    private PruneReport sweep() {
        Repositories r = store.read();
        Set<Digest> referenced = referencedBlobs(store);
        long freed = 0;
        for (Digest d : store.blobs().list()) {
            if (!referenced.contains(d)) {
                freed += store.blobs().size(d);
                store.blobs().delete(d);
            }
        }
        List<RemoveEvent> events = new ArrayList<>();
        if (driver != null) {
            events.addAll(sweepLayers(r));
        }
        return new PruneReport(events, freed);
    }

    private List<RemoveEvent> sweepLayers(Repositories snapshot) {
        Set<String> reachable = new HashSet<>();
        for (ImageRecord rec : snapshot.images().values()) {
            try {
                for (Digest c : ImageLayers.chainIds(store.config(rec).diffIds())) {
                    reachable.add(c.hex());
                }
            } catch (KernelException e) {
                // an image whose config is unreadable reaches nothing; it is broken anyway
            }
        }
        List<RemoveEvent> events = new ArrayList<>();
        try (StoreLock _ = store.layersLock()) {
            Map<String, String> recorded = store.read().layersOf(driver.name());
            Map<String, Integer> depth = new HashMap<>();
            for (String id : recorded.keySet()) {
                depth.put(id, depth(recorded, id));
            }
            List<String> candidates = new ArrayList<>(recorded.keySet());
            candidates.removeIf(reachable::contains);
            // Children before parents: a parent under a remaining child would break the child.
            candidates.sort(Comparator.comparing((String id) -> depth.get(id)).reversed());
            for (String id : candidates) {
                try {
                    driver.removeLayer(id);
                } catch (KernelException e) {
                    if (e.category() == KernelException.Category.FAILED_PRECONDITION) {
                        continue; // under a prepared container's rootfs: in use, keep it
                    }
                    throw e;
                }
                store.update(x -> x.withoutLayer(driver.name(), id));
                events.add(new RemoveEvent(RemoveEvent.Type.DELETED, "sha256:" + id));
            }
        }
        return events;
    }

    private static int depth(Map<String, String> layers, String id) {
        int d = 0;
        String p = layers.get(id);
        while (p != null && !p.isEmpty() && d <= layers.size()) {
            d++;
            p = layers.get(p);
        }
        return d;
    }

    /** Every blob some image of the store references: manifests, configs, layers, and digest names' targets. */
    static Set<Digest> referencedBlobs(ImageStore store) {
        Repositories r = store.read();
        Set<Digest> out = new HashSet<>();
        for (ImageRecord rec : r.images().values()) {
            out.add(rec.id());
            out.add(rec.manifest());
            try {
                for (Descriptor l : store.manifest(rec).layers()) {
                    out.add(l.digest());
                }
            } catch (KernelException e) {
                // unreadable manifest: its layers cannot be known; the image is broken and keeps only what it names
            }
        }
        for (String ref : r.digests().keySet()) {
            out.add(Reference.parse(ref).digest());
        }
        return out;
    }
}
