package jctr.kernel.oci;

import java.io.IOException;
import java.math.BigInteger;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonSerializer;
import com.fasterxml.jackson.databind.SerializerProvider;

/**
 * JSON (de)serialization of the spec's uint64 fields into a Java {@code long} holding the same 64 bits:
 * {@code 18446744073709551615} (RLIM_INFINITY, as containerd and podman write it) becomes {@code -1L} and is
 * written back unsigned. Compare such values with {@link Long#compareUnsigned}.
 */
public final class Uint64 {

    private static final BigInteger MAX = BigInteger.ONE.shiftLeft(64).subtract(BigInteger.ONE);

    private Uint64() {
    }

    /** Reads an unsigned 64-bit integer; negative or larger values are errors at the field's path. */
    public static final class Deserializer extends JsonDeserializer<Long> {
        /** Instantiated by Jackson from the annotations. */
        public Deserializer() {
        }

        @Override
        public Long deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
            if (p.currentToken() != JsonToken.VALUE_NUMBER_INT) {
                return (Long) ctxt.handleUnexpectedToken(Long.class, p);
            }
            BigInteger v = p.getBigIntegerValue();
            if (v.signum() < 0 || v.compareTo(MAX) > 0) {
                return (Long) ctxt.handleWeirdNumberValue(Long.class, v, "must be an unsigned 64-bit integer");
            }
            return v.longValue();
        }
    }

    /** Writes the long's 64 bits as an unsigned number. */
    public static final class Serializer extends JsonSerializer<Long> {
        /** Instantiated by Jackson from the annotations. */
        public Serializer() {
        }

        @Override
        public void serialize(Long value, JsonGenerator gen, SerializerProvider serializers) throws IOException {
            gen.writeNumber(Long.toUnsignedString(value));
        }
    }
}
