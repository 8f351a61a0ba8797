package jctr.kernel.image;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Immutable copies for the image model's compact constructors: absent means empty. (Nulls inside JSON
 * arrays are refused by {@code OciJson} with their path before they get here.)
 */
final class ImageCollections {

    private ImageCollections() {
    }

    static <T> List<T> list(List<T> in) {
        return in == null ? List.of() : List.copyOf(in);
    }

    /**
     * A copy keeping the document's order; null values become {@code emptyValue} (Docker's Go structs write
     * {@code null} for empty ones), or are refused when it is null.
     */
    static <V> Map<String, V> map(Map<String, V> in, V emptyValue) {
        if (in == null || in.isEmpty()) {
            return Map.of();
        }
        Map<String, V> out = new LinkedHashMap<>();
        in.forEach((k, v) -> {
            if (v == null && emptyValue == null) {
                throw new IllegalArgumentException("value of \"" + k + "\" is null");
            }
            out.put(k, v == null ? emptyValue : v);
        });
        return Collections.unmodifiableMap(out);
    }
}
