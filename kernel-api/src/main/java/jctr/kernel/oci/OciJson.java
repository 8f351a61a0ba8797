package jctr.kernel.oci;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonStreamContext;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.deser.DeserializationProblemHandler;
import com.fasterxml.jackson.databind.json.JsonMapper;

import jctr.kernel.InvalidConfigException;
import jctr.kernel.NotFoundException;

/**
 * Reading and writing jctr's JSON documents (OCI config and state, engine config, state records).
 *
 * <p>Types are strict: a string where a number belongs, a fraction for an integer, a null for a
 * required number, trailing garbage, all fail with an {@link InvalidConfigException} whose field is
 * the JSON path of the offending value ({@code process.user.uid}, {@code mounts[3].options[0]}).
 *
 * <p>Unknown fields: {@link #read} with {@code strict=false} skips them and reports each as a warning
 * (the OCI policy: runtimes must ignore unknown properties); with {@code strict=true} the first one is
 * an error (jctr's own files, where an unknown key is a typo).
 */
public final class OciJson {

    private static final String WARNINGS = "jctr.warnings";
    private static final String STRICT = "jctr.strict";

    private static final ObjectMapper MAPPER = JsonMapper.builder()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
            .enable(StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION)
            .enable(SerializationFeature.INDENT_OUTPUT)
            .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS)
            .addHandler(new UnknownFieldHandler())
            .build();

    private OciJson() {
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
        List<String> warnings = Collections.synchronizedList(new ArrayList<>());
        ObjectReader reader = MAPPER.readerFor(type).withAttribute(WARNINGS, warnings).withAttribute(STRICT, strict);
        try {
            T value = reader.readValue(in);
            if (value == null) {
                throw new InvalidConfigException(source, "", "document is empty or null");
            }
            return new Parsed<>(value, warnings);
        } catch (JsonProcessingException e) {
            throw toInvalidConfig(source, e);
        } catch (IOException e) {
            throw new UncheckedIOException("reading " + source, e);
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
                .replaceAll("`jctr\\.kernel\\.[a-z.]+\\.([A-Za-z]+)`", "an object ($1)");
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

    /** Skips unknown fields and records them, or fails on them in strict mode. */
    private static final class UnknownFieldHandler extends DeserializationProblemHandler {
        @Override
        @SuppressWarnings("unchecked")
        public boolean handleUnknownProperty(DeserializationContext ctxt, JsonParser p, JsonDeserializer<?> deserializer,
                                             Object beanOrClass, String propertyName) throws IOException {
            // For an object or array value the parser has already entered the value's own context.
            JsonStreamContext owner = p.getParsingContext();
            if (p.currentToken() == JsonToken.START_OBJECT || p.currentToken() == JsonToken.START_ARRAY) {
                owner = owner.getParent();
            }
            String field = path(owner);
            if (Boolean.TRUE.equals(ctxt.getAttribute(STRICT))) {
                throw JsonMappingException.from(p, "unknown field \"" + propertyName + "\"");
            }
            Object warnings = ctxt.getAttribute(WARNINGS);
            if (warnings instanceof List<?> list) {
                ((List<String>) list).add("unknown field ignored: " + field);
            }
            p.skipChildren();
            return true;
        }
    }
}
