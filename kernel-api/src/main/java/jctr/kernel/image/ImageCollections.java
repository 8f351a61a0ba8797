package jctr.kernel.image;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Null-tolerant immutable copies for the image model: absent means empty; null elements are refused. */
final class ImageCollections {

    private ImageCollections() {
    }

    static <T> List<T> list(List<T> in) {
        if (in == null || in.isEmpty()) {
            return List.of();
        }
        for (int i = 0; i < in.size(); i++) {
            if (in.get(i) == null) {
                throw new IllegalArgumentException("element [" + i + "] is null");
            }
        }
        return Collections.unmodifiableList(new ArrayList<>(in));
    }

    /** A copy keeping the document's order; null values become {@code emptyValue} (Docker writes {@code null} for {@code {}}). */
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
