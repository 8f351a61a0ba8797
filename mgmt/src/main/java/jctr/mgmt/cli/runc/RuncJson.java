package jctr.mgmt.cli.runc;

import java.io.IOException;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;
import com.fasterxml.jackson.databind.SerializationFeature;

import jctr.kernel.oci.OciJson;

/**
 * JSON as runc's Go encoder writes it: {@code "key": value}, one array element per line, {@code []} and
 * {@code {}} for empty containers, indented with the given string (runc: two spaces for {@code state},
 * a tab for {@code spec}).
 */
final class RuncJson {

    private RuncJson() {
    }

    /** {@code value} indented like Go's {@code json.MarshalIndent(v, "", indent)}, without a trailing newline. */
    static String indent(Object value, String indent) {
        try {
            return OciJson.mapper().writer(new GoPrettyPrinter(indent)).with(SerializationFeature.INDENT_OUTPUT)
                    .writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialize " + value.getClass().getName(), e);
        }
    }

    /** {@code value} on one line, like Go's {@code json.Marshal}. */
    static String compact(Object value) {
        return new String(OciJson.writeCompact(value), java.nio.charset.StandardCharsets.UTF_8);
    }

    private static final class GoPrettyPrinter extends DefaultPrettyPrinter {
        private final String unit;

        GoPrettyPrinter(String unit) {
            super(Separators.createDefaultInstance().withObjectFieldValueSpacing(Separators.Spacing.AFTER));
            this.unit = unit;
            DefaultIndenter indenter = new DefaultIndenter(unit, "\n");
            indentObjectsWith(indenter);
            indentArraysWith(indenter);
        }

        @Override
        public DefaultPrettyPrinter createInstance() {
            return new GoPrettyPrinter(unit);
        }

        @Override
        public void writeEndObject(JsonGenerator g, int nrOfEntries) throws IOException {
            if (nrOfEntries == 0) {
                _nesting--;
                g.writeRaw('}');
                return;
            }
            super.writeEndObject(g, nrOfEntries);
        }

        @Override
        public void writeEndArray(JsonGenerator g, int nrOfValues) throws IOException {
            if (nrOfValues == 0) {
                _nesting--;
                g.writeRaw(']');
                return;
            }
            super.writeEndArray(g, nrOfValues);
        }
    }
}
