package jctr.mgmt.api;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;

import jctr.kernel.InvalidConfigException;
import jctr.mgmt.engine.DockerJson;

/**
 * Docker's {@code filters} query parameter: JSON mapping a key to its values, either
 * {@code {"label":{"a=b":true}}} (what current clients send) or {@code {"label":["a=b"]}} (older ones).
 */
final class Filters {

    private final Map<String, List<String>> values;

    private Filters(Map<String, List<String>> values) {
        this.values = values;
    }

    static Filters parse(String json) {
        Map<String, List<String>> out = new LinkedHashMap<>();
        if (json == null || json.isBlank()) {
            return new Filters(out);
        }
        JsonNode root;
        try {
            root = DockerJson.mapper().readTree(json);
        } catch (java.io.IOException e) {
            throw new InvalidConfigException("filters", "", "invalid filter: " + e.getMessage());
        }
        if (!root.isObject()) {
            throw new InvalidConfigException("filters", "", "invalid filter: expected an object");
        }
        root.properties().forEach(en -> {
            List<String> vs = new ArrayList<>();
            JsonNode v = en.getValue();
            if (v.isArray()) {
                v.forEach(x -> vs.add(x.asText()));
            } else if (v.isObject()) {
                v.properties().forEach(x -> {
                    if (x.getValue().asBoolean(true)) {
                        vs.add(x.getKey());
                    }
                });
            } else {
                vs.add(v.asText());
            }
            out.put(en.getKey(), vs);
        });
        return new Filters(out);
    }

    /** The values of {@code key} (empty when not filtered by it). */
    List<String> get(String key) {
        return values.getOrDefault(key, List.of());
    }

    boolean has(String key) {
        return values.containsKey(key);
    }

    /** Refuses keys this endpoint does not know, as Docker does. */
    Filters only(String... keys) {
        List<String> allowed = List.of(keys);
        for (String k : values.keySet()) {
            if (!allowed.contains(k)) {
                throw new InvalidConfigException("filters", k, "invalid filter '" + k + "'");
            }
        }
        return this;
    }

    /** Whether {@code labels} satisfy every {@code label} filter ({@code key} or {@code key=value}). */
    boolean labelsMatch(Map<String, String> labels) {
        for (String f : get("label")) {
            int eq = f.indexOf('=');
            if (eq < 0 ? !labels.containsKey(f) : !f.substring(eq + 1).equals(labels.get(f.substring(0, eq)))) {
                return false;
            }
        }
        return true;
    }
}
