package jctr.kernel.oci;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Null-tolerant immutable copies for the model's compact constructors: absent means empty. */
final class OciCollections {
    private OciCollections() {
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

    static <V> Map<String, V> map(Map<String, V> in) {
        if (in == null || in.isEmpty()) {
            return Map.of();
        }
        for (Map.Entry<String, V> e : in.entrySet()) {
            if (e.getValue() == null) {
                throw new IllegalArgumentException("value of \"" + e.getKey() + "\" is null");
            }
        }
        // Keep the document's order: sysctls and annotations are applied/shown in it.
        return Collections.unmodifiableMap(new LinkedHashMap<>(in));
    }
}
