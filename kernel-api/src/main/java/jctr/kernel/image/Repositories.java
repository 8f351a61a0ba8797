package jctr.kernel.image;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * The content of {@code <dataRoot>/images/repositories.json}: the images, the names pointing at them, and
 * the storage-driver layers the store created. Immutable; the {@code with...} methods return changed copies
 * that {@link ImageStore#update} writes back atomically.
 *
 * @param version the file format, 1
 * @param images image id ({@code sha256:...}) to record
 * @param tags tagged reference ({@code docker.io/library/busybox:latest}) to image id
 * @param digests digest reference ({@code docker.io/library/busybox@sha256:...}, the digest a registry or
 *                archive gave the image) to image id
 * @param layers per storage driver name: layer id (chain id hex) to parent layer id ("" for a base layer)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Repositories(int version, Map<String, ImageRecord> images, Map<String, Digest> tags,
                           Map<String, Digest> digests, Map<String, Map<String, String>> layers) {

    /** A store with nothing in it. */
    public static final Repositories EMPTY = new Repositories(1, null, null, null, null);

    public Repositories {
        images = sorted(images);
        tags = sorted(tags);
        digests = sorted(digests);
        Map<String, Map<String, String>> l = new TreeMap<>();
        if (layers != null) {
            layers.forEach((driver, m) -> {
                if (!m.isEmpty()) {
                    l.put(driver, sorted(m));
                }
            });
        }
        layers = Collections.unmodifiableMap(l);
    }

    private static <V> Map<String, V> sorted(Map<String, V> in) {
        return in == null ? Map.of() : Collections.unmodifiableMap(new TreeMap<>(in));
    }

    /** The record of image {@code id}, or null. */
    public ImageRecord image(Digest id) {
        return images.get(id.toString());
    }

    /** The tagged references of image {@code id}, sorted. */
    public List<Reference> tagsOf(Digest id) {
        return refsTo(tags, id);
    }

    /** The digest references of image {@code id}, sorted. */
    public List<Reference> digestsOf(Digest id) {
        return refsTo(digests, id);
    }

    private static List<Reference> refsTo(Map<String, Digest> refs, Digest id) {
        List<Reference> out = new ArrayList<>();
        refs.forEach((ref, target) -> {
            if (target.equals(id)) {
                out.add(Reference.parse(ref));
            }
        });
        return out;
    }

    /** With {@code record} added or replaced. */
    public Repositories withImage(ImageRecord record) {
        Map<String, ImageRecord> m = new TreeMap<>(images);
        m.put(record.id().toString(), record);
        return new Repositories(version, m, tags, digests, layers);
    }

    /** Without image {@code id} and every name pointing at it. */
    public Repositories withoutImage(Digest id) {
        Map<String, ImageRecord> m = new TreeMap<>(images);
        m.remove(id.toString());
        Map<String, Digest> t = new TreeMap<>(tags);
        t.values().removeIf(id::equals);
        Map<String, Digest> d = new TreeMap<>(digests);
        d.values().removeIf(id::equals);
        return new Repositories(version, m, t, d, layers);
    }

    /** With {@code ref} (tagged or by digest) pointing at {@code id}, replacing what it pointed at. */
    public Repositories withName(Reference ref, Digest id) {
        if (ref.digest() != null) {
            Map<String, Digest> d = new TreeMap<>(digests);
            d.put(ref.repository() + "@" + ref.digest(), id);
            return new Repositories(version, images, tags, d, layers);
        }
        Map<String, Digest> t = new TreeMap<>(tags);
        t.put(ref.orLatest().toString(), id);
        return new Repositories(version, images, t, digests, layers);
    }

    /** Without the name {@code ref}. */
    public Repositories withoutName(Reference ref) {
        if (ref.digest() != null) {
            Map<String, Digest> d = new TreeMap<>(digests);
            d.remove(ref.repository() + "@" + ref.digest());
            return new Repositories(version, images, tags, d, layers);
        }
        Map<String, Digest> t = new TreeMap<>(tags);
        t.remove(ref.orLatest().toString());
        return new Repositories(version, images, t, digests, layers);
    }

    /** The layers recorded for storage driver {@code driver}: id to parent id ("" for none). */
    public Map<String, String> layersOf(String driver) {
        return layers.getOrDefault(driver, Map.of());
    }

    /** With layer {@code id} (parent {@code parent}, or null) recorded for {@code driver}. */
    public Repositories withLayer(String driver, String id, String parent) {
        Map<String, Map<String, String>> l = new TreeMap<>(layers);
        Map<String, String> m = new TreeMap<>(layersOf(driver));
        m.put(id, parent == null ? "" : parent);
        l.put(driver, m);
        return new Repositories(version, images, tags, digests, l);
    }

    /** Without layer {@code id} of {@code driver}. */
    public Repositories withoutLayer(String driver, String id) {
        Map<String, Map<String, String>> l = new TreeMap<>(layers);
        Map<String, String> m = new TreeMap<>(layersOf(driver));
        m.remove(id);
        l.put(driver, m);
        return new Repositories(version, images, tags, digests, l);
    }
}
