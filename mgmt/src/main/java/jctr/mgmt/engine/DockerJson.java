package jctr.mgmt.engine;

import java.io.IOException;
import java.io.UncheckedIOException;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;

import jctr.kernel.InvalidConfigException;

/**
 * JSON in the Docker Engine API's conventions: field names in UpperCamelCase (a record component
 * {@code hostConfig} is {@code "HostConfig"}), unknown request fields ignored (newer clients send more),
 * times as RFC 3339 strings. The engine also persists its own records with it.
 */
public final class DockerJson {

    private static final ObjectMapper MAPPER = JsonMapper.builder()
            .propertyNamingStrategy(PropertyNamingStrategies.UPPER_CAMEL_CASE)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS)
            .addModule(new JavaTimeModule())
            .build();

    private DockerJson() {
    }

    /** The shared mapper (thread-safe). */
    public static ObjectMapper mapper() {
        return MAPPER;
    }

    /** Compact JSON bytes of {@code value}. */
    public static byte[] write(Object value) {
        try {
            return MAPPER.writeValueAsBytes(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot render " + value.getClass().getSimpleName() + " as JSON", e);
        }
    }

    /** Compact JSON text of {@code value}. */
    public static String writeString(Object value) {
        try {
            return MAPPER.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot render " + value.getClass().getSimpleName() + " as JSON", e);
        }
    }

    /**
     * Parses a request body; malformed JSON or a wrong type is an {@link InvalidConfigException} with the
     * parser's explanation (an empty body is read as {@code {}}).
     */
    public static <T> T read(byte[] body, Class<T> type, String what) {
        try {
            if (body == null || body.length == 0) {
                return MAPPER.treeToValue(MAPPER.createObjectNode(), type);
            }
            return MAPPER.readValue(body, type);
        } catch (JsonProcessingException e) {
            throw new InvalidConfigException(what, "", "invalid JSON: " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Parses a request body into a tree (for fields whose shape varies). */
    public static JsonNode tree(byte[] body, String what) {
        return read(body, JsonNode.class, what);
    }

    /** JSON indented as the docker CLI prints it ({@code json.MarshalIndent} with four spaces). */
    public static String pretty(Object value) {
        try {
            return MAPPER.writer(new GoIndent()).writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot render " + value.getClass().getSimpleName() + " as JSON", e);
        }
    }

    /** Go's indentation: four spaces, {@code "key": value}, and {@code {}} / {@code []} when empty. */
    private static final class GoIndent extends com.fasterxml.jackson.core.util.DefaultPrettyPrinter {
        GoIndent() {
            super();
            com.fasterxml.jackson.core.util.DefaultIndenter indent =
                    new com.fasterxml.jackson.core.util.DefaultIndenter("    ", "\n");
            indentObjectsWith(indent);
            indentArraysWith(indent);
            _objectFieldValueSeparatorWithSpaces = ": ";
        }

        GoIndent(GoIndent base) {
            super(base);
        }

        @Override
        public GoIndent createInstance() {
            return new GoIndent(this);
        }

        @Override
        public void writeEndObject(com.fasterxml.jackson.core.JsonGenerator g, int entries) throws java.io.IOException {
            if (entries == 0) {
                _nesting--;
                g.writeRaw('}');
                return;
            }
            super.writeEndObject(g, entries);
        }

        @Override
        public void writeEndArray(com.fasterxml.jackson.core.JsonGenerator g, int values) throws java.io.IOException {
            if (values == 0) {
                _nesting--;
                g.writeRaw(']');
                return;
            }
            super.writeEndArray(g, values);
        }
    }

    /** A fresh JSON object. */
    public static ObjectNode object() {
        return MAPPER.createObjectNode();
    }
}
