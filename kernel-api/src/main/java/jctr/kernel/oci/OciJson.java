package jctr.kernel.oci;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.annotation.JsonSetter;
import com.fasterxml.jackson.annotation.Nulls;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonStreamContext;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.BeanDescription;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.introspect.BeanPropertyDefinition;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.type.LogicalType;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;

import jctr.kernel.InvalidConfigException;
import jctr.kernel.NotFoundException;

/**
 * Reading and writing jctr's JSON documents (OCI config and state, engine config, state records).
 *
 * <p>Types are strict: a string where a number belongs, a number where a string belongs, a fraction
 * for an integer, a null for a required number or inside an array, trailing garbage: all fail with an
 * {@link InvalidConfigException} whose field is the JSON path of the offending value
 * ({@code process.user.uid}, {@code mounts[3].options[0]}).
 *
 * <p>Unknown fields: with {@code strict=false} they are skipped and each is reported as a warning
 * (the OCI policy: runtimes must ignore unknown properties); with {@code strict=true} the first one is
 * an error (jctr's own files, where an unknown key is a typo). They are found by walking the document
 * against the record types, so that their paths are exact.
 */
public final class OciJson {

    private static final ObjectMapper MAPPER = mapper(JsonMapper.builder()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
            .enable(StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION)
            .enable(SerializationFeature.INDENT_OUTPUT)
            .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS)
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .addModule(new JavaTimeModule())
            // A null inside an array or map is an error at its own path, not a silently dropped element.
            .defaultSetterInfo(JsonSetter.Value.forContentNulls(Nulls.FAIL))
            .build());

    private static final Map<JavaType, Map<String, JavaType>> PROPERTIES = Collections.synchronizedMap(new HashMap<>());

    private OciJson() {
    }

    private static ObjectMapper mapper(ObjectMapper m) {
        // Numbers and booleans are not text: "args": ["sh", 3] is a mistake, not "3".
        m.coercionConfigFor(LogicalType.Textual)
                .setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
                .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
                .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail);
        return m;
    }

    /** A parsed document with the warnings (unknown fields) met while reading it. */
    public record Parsed<T>(T value, List<String> warnings) {
        public Parsed {
            warnings = List.copyOf(warnings);
        }
    }

    /** The shared, configured mapper (thread-safe). Callers must not reconfigure it. */
    public static ObjectMapper mapper() {
        return MAPPER;
    }

    /** Reads an OCI config.json, ignoring (and reporting) unknown fields. Does not validate semantics. */
    public static Parsed<Spec> readSpec(Path configJson) {
        return readFile(configJson, Spec.class, false);
    }

    /** Reads a JSON file into {@code type}. */
    public static <T> Parsed<T> readFile(Path file, Class<T> type, boolean strict) {
        try (InputStream in = java.nio.file.Files.newInputStream(file)) {
            return read(file.toString(), in, type, strict);
        } catch (NoSuchFileException e) {
            throw new NotFoundException(file + ": no such file", e);
        } catch (IOException e) {
            throw new UncheckedIOException("reading " + file, e);
        }
    }

    /**
     * Reads one JSON document.
     *
     * @param source names the document in error messages (a file path, "request body")
     * @param strict whether unknown fields are errors (true) or warnings (false)
     */
    public static <T> Parsed<T> read(String source, InputStream in, Class<T> type, boolean strict) {
        JsonNode tree;
        try {
            tree = MAPPER.readTree(in);
        } catch (JsonProcessingException e) {
            throw toInvalidConfig(source, e);
        } catch (IOException e) {
            throw new UncheckedIOException("reading " + source, e);
        }
        if (tree == null || tree.isMissingNode() || tree.isNull()) {
            throw new InvalidConfigException(source, "", "document is empty or null");
        }
        List<String> unknown = new ArrayList<>();
        findUnknown(tree, MAPPER.constructType(type), "", unknown);
        if (strict && !unknown.isEmpty()) {
            String path = unknown.getFirst();
            int dot = path.lastIndexOf('.');
            throw new InvalidConfigException(source, dot < 0 ? "" : path.substring(0, dot),
                    "unknown field \"" + path.substring(dot + 1) + "\"");
        }
        try {
            T value = MAPPER.treeToValue(tree, type);
            return new Parsed<>(value, unknown.stream().map(p -> "unknown field ignored: " + p).toList());
        } catch (JsonProcessingException e) {
            throw toInvalidConfig(source, e);
        } catch (IllegalArgumentException e) {
            throw new InvalidConfigException(source, "", e.getMessage(), e);
        }
    }

    /** Parses a JSON string (convenience for tests, CLI flags and request bodies). */
    public static <T> T parse(String source, String json, Class<T> type, boolean strict) {
        return read(source, new java.io.ByteArrayInputStream(json.getBytes(java.nio.charset.StandardCharsets.UTF_8)),
                type, strict).value();
    }

    /** Writes a value as indented JSON. */
    public static String write(Object value) {
        try {
            return MAPPER.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialize " + value.getClass().getName(), e);
        }
    }

    /** Writes a value as compact JSON bytes (for state files and hook stdin). */
    public static byte[] writeCompact(Object value) {
        try {
            return MAPPER.writer().without(SerializationFeature.INDENT_OUTPUT).writeValueAsBytes(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialize " + value.getClass().getName(), e);
        }
    }

    /** Walks {@code node} against {@code type}: object keys that no record component takes are unknown. */
    private static void findUnknown(JsonNode node, JavaType type, String path, List<String> out) {
        Class<?> raw = type.getRawClass();
        if (node.isObject() && Map.class.isAssignableFrom(raw)) {
            for (Map.Entry<String, JsonNode> e : node.properties()) {
                findUnknown(e.getValue(), type.getContentType(), join(path, e.getKey()), out);
            }
        } else if (node.isObject() && raw.isRecord()) {
            Map<String, JavaType> props = PROPERTIES.computeIfAbsent(type, OciJson::properties);
            for (Map.Entry<String, JsonNode> e : node.properties()) {
                JavaType propType = props.get(e.getKey());
                if (propType == null) {
                    out.add(join(path, e.getKey()));
                } else {
                    findUnknown(e.getValue(), propType, join(path, e.getKey()), out);
                }
            }
        } else if (node.isArray() && Collection.class.isAssignableFrom(raw)) {
            for (int i = 0; i < node.size(); i++) {
                findUnknown(node.get(i), type.getContentType(), path + "[" + i + "]", out);
            }
        }
    }

    private static Map<String, JavaType> properties(JavaType type) {
        BeanDescription bd = MAPPER.getDeserializationConfig().introspect(type);
        Map<String, JavaType> props = new HashMap<>();
        for (BeanPropertyDefinition p : bd.findProperties()) {
            props.put(p.getName(), p.getPrimaryType());
        }
        return props;
    }

    private static String join(String path, String key) {
        return path.isEmpty() ? key : path + "." + key;
    }

    /** Turns a Jackson failure into an error that names the JSON path and the problem in plain words. */
    static InvalidConfigException toInvalidConfig(String source, JsonProcessingException e) {
        String field;
        if (e instanceof JsonMappingException m && !m.getPath().isEmpty()) {
            field = path(m.getPath());
        } else if (e.getProcessor() instanceof JsonParser p) {
            field = path(p.getParsingContext());
        } else {
            field = "";
        }
        String problem = e.getOriginalMessage();
        int newline = problem.indexOf('\n');
        if (newline >= 0) {
            problem = problem.substring(0, newline);
        }
        // Jackson names Java types; users wrote JSON, so say what JSON was expected.
        problem = problem.replaceAll("`java\\.lang\\.(Long|Integer|Short)`|`(long|int|short)`", "an integer")
                .replaceAll("`java\\.lang\\.String`", "a string")
                .replaceAll("`java\\.lang\\.Boolean`|`boolean`", "a boolean")
                .replaceAll("`java\\.util\\.List<[^`]*>`|`java\\.util\\.List`", "an array")
                .replaceAll("`jctr\\.kernel\\.[a-z.]+\\.([A-Za-z]+)`", "an object ($1)")
                .replaceAll("\\s*\\(but might if coercion[^)]*\\)", "")
                .replaceAll("\\s*\\(start marker at \\[Source: [^]]*\\]\\)", "");
        JsonLocation loc = e.getLocation();
        if (loc != null && loc.getLineNr() > 0) {
            problem = problem + " (line " + loc.getLineNr() + ", column " + loc.getColumnNr() + ")";
        }
        return new InvalidConfigException(source, field, problem, e);
    }

    private static String path(List<JsonMappingException.Reference> refs) {
        StringBuilder sb = new StringBuilder();
        for (JsonMappingException.Reference r : refs) {
            if (r.getFieldName() != null) {
                if (!sb.isEmpty()) {
                    sb.append('.');
                }
                sb.append(r.getFieldName());
            } else if (r.getIndex() >= 0) {
                sb.append('[').append(r.getIndex()).append(']');
            }
        }
        return sb.toString();
    }

    private static String path(JsonStreamContext ctx) {
        List<String> parts = new ArrayList<>();
        for (JsonStreamContext c = ctx; c != null && !c.inRoot(); c = c.getParent()) {
            if (c.inArray()) {
                parts.add("[" + Math.max(c.getCurrentIndex(), 0) + "]");
            } else if (c.getCurrentName() != null) {
                parts.add("." + c.getCurrentName());
            }
        }
        Collections.reverse(parts);
        String p = String.join("", parts);
        return p.startsWith(".") ? p.substring(1) : p;
    }
}
