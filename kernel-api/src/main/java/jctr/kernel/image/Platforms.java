package jctr.kernel.image;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;

import jctr.kernel.NotFoundException;

/**
 * Picks the manifest for a platform out of an image index, as Docker does: os and architecture must
 * match; a wanted variant must match (arm64 without a variant counts as v8, arm as v7); without a wanted
 * variant, an entry without variant is preferred, then the lowest variant. Entries that are not images
 * (attestations, {@code unknown/unknown}) never match.
 */
public final class Platforms {

    private Platforms() {
    }

    /**
     * The descriptor in {@code index} for {@code wanted}.
     *
     * @param what names the index in the error, e.g. {@code docker.io/library/busybox:latest}
     * @throws NotFoundException listing the platforms the index offers
     */
    public static Descriptor select(ImageIndex index, Platform wanted, String what) {
        List<Descriptor> candidates = new ArrayList<>();
        for (Descriptor d : index.manifests()) {
            if (matches(d.platform(), wanted) && (MediaTypes.isManifest(d.mediaType()) || MediaTypes.isIndex(d.mediaType()))) {
                candidates.add(d);
            }
        }
        if (candidates.isEmpty()) {
            List<String> available = new ArrayList<>();
            for (Descriptor d : index.manifests()) {
                if (d.platform() != null && !"unknown".equals(d.platform().os())) {
                    available.add(d.platform().toString());
                }
            }
            throw new NotFoundException(what + ": no manifest for platform " + wanted + "; available: "
                    + (available.isEmpty() ? "none" : String.join(", ", available)));
        }
        // Without a wanted variant: an entry without variant first, then the lowest variant.
        return candidates.stream().min(Comparator.comparing((Descriptor d) -> variantOf(d.platform()).isEmpty() ? 0 : 1)
                .thenComparing(d -> variantOf(d.platform()))).orElseThrow();
    }

    /** Whether an index entry's platform satisfies {@code wanted}. An entry without platform matches nothing. */
    static boolean matches(Platform have, Platform wanted) {
        if (have == null || have.os() == null || have.architecture() == null) {
            return false;
        }
        if (!have.os().equals(wanted.os())
                || !Platform.normalizeArch(have.architecture()).equals(Platform.normalizeArch(wanted.architecture()))) {
            return false;
        }
        String wantedVariant = wanted.variant() == null || wanted.variant().isEmpty() ? null : wanted.effectiveVariant();
        return wantedVariant == null || Objects.equals(have.effectiveVariant(), wantedVariant);
    }

    private static String variantOf(Platform p) {
        return p.variant() == null ? "" : p.variant();
    }
}
