package jctr.kernel.oci;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import jctr.kernel.InvalidConfigException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class OciJsonTest {

    /** The config.json that `runc spec` writes, parsed and written back, is the same JSON document. */
    @Test
    void roundTripsRuncSpecOutput(@TempDir Path dir) throws Exception {
        Process p = new ProcessBuilder("runc", "spec", "--bundle", dir.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0, "runc spec failed: " + out);
        Path config = dir.resolve("config.json");

        OciJson.Parsed<Spec> parsed = OciJson.readSpec(config);
        assertEquals(List.of(), parsed.warnings(), "runc's own output has no field unknown to jctr");
        Spec spec = parsed.value();
        assertEquals(List.of("sh"), spec.process().args());
        assertEquals(List.of("CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"), spec.process().capabilities().bounding());
        assertEquals("RLIMIT_NOFILE", spec.process().rlimits().getFirst().type());
        assertEquals(5, spec.linux().namespaces().size());
        assertEquals(false, spec.linux().resources().devices().getFirst().allow());
        SpecValidator.validate(spec, config.toString(), true);

        JsonNode original = OciJson.mapper().readTree(config.toFile());
        JsonNode written = OciJson.mapper().readTree(OciJson.write(spec));
        assertEquals(original, written);
        // And a second trip through the model is stable.
        assertEquals(spec, OciJson.parse("again", OciJson.write(spec), Spec.class, true));
    }

    @Test
    void unknownFieldsAreIgnoredWithAWarningNamingTheirPath(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("config.json");
        Files.writeString(f, """
                {"ociVersion": "1.0.2", "root": {"path": "rootfs", "future": {"x": [1, 2]}},
                 "process": {"args": ["sh"], "cwd": "/", "novel": true},
                 "vm": {"hypervisor": {"path": "/x"}},
                 "mounts": [{"destination": "/proc", "type": "proc", "source": "proc", "idmap": 1}]}
                """);
        OciJson.Parsed<Spec> parsed = OciJson.readSpec(f);
        assertEquals(List.of("unknown field ignored: root.future", "unknown field ignored: process.novel",
                "unknown field ignored: vm", "unknown field ignored: mounts[0].idmap"), parsed.warnings());
        assertEquals("rootfs", parsed.value().root().path());
    }

    @Test
    void strictModeRejectsUnknownFields() {
        InvalidConfigException e = assertThrows(InvalidConfigException.class,
                () -> OciJson.parse("cfg", "{\"drivers\": {\"storage\": \"vfs\", \"storag\": \"x\"}}",
                        jctr.kernel.config.EngineConfig.class, true));
        assertEquals("drivers", e.field());
        assertTrue(e.getMessage().contains("unknown field \"storag\""), e.getMessage());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            {"ociVersion":"1.0.0","process":{"user":{"uid":"0","gid":0}}}            | process.user.uid
            {"ociVersion":"1.0.0","process":{"user":{"uid":1.5,"gid":0}}}            | process.user.uid
            {"ociVersion":"1.0.0","process":{"user":{"uid":null,"gid":0}}}           | process.user.uid
            {"ociVersion":"1.0.0","process":{"args":"sh"}}                           | process.args
            {"ociVersion":"1.0.0","process":{"args":["sh", 3]}}                      | process.args[1]
            {"ociVersion":"1.0.0","mounts":[{"destination":"/a"},{"options":[1]}]}   | mounts[1].options[0]
            {"ociVersion":"1.0.0","mounts":[{"destination":"/a"}, null]}             | mounts[1]
            {"ociVersion":"1.0.0","linux":{"resources":{"memory":{"limit":"1g"}}}}   | linux.resources.memory.limit
            {"ociVersion":"1.0.0","linux":{"namespaces":[{"type":"pid"},{"type":{}}]}}| linux.namespaces[1].type
            {"ociVersion":"1.0.0","root":{"path":"r"}} trailing                      | ''
            {"ociVersion":"1.0.0","root":{"path":"r"                                | root.path
            """)
    void malformedDocumentsNameTheField(String json, String field) {
        InvalidConfigException e = assertThrows(InvalidConfigException.class,
                () -> OciJson.parse("config.json", json, Spec.class, false));
        assertEquals(field, e.field(), e.getMessage());
        assertTrue(e.getMessage().startsWith("config.json: "), e.getMessage());
    }

    @Test
    void messagesSpeakJsonNotJava() {
        InvalidConfigException e = assertThrows(InvalidConfigException.class, () -> OciJson.parse("config.json",
                "{\"ociVersion\":\"1.0.0\",\"process\":{\"user\":{\"uid\":\"root\",\"gid\":0}}}", Spec.class, false));
        assertTrue(e.getMessage().startsWith("config.json: process.user.uid: "), e.getMessage());
        assertTrue(e.getMessage().contains("an integer"), e.getMessage());
        assertTrue(e.getMessage().endsWith("Cannot coerce String value (\"root\") to an integer value"), e.getMessage());
        InvalidConfigException syntax = assertThrows(InvalidConfigException.class,
                () -> OciJson.parse("config.json", "{\"ociVersion\": \"1.0.0\",\n \"root\": {\"path\" \"r\"}}", Spec.class, false));
        assertTrue(syntax.getMessage().contains("(line 2, column"), syntax.getMessage());
    }

    @Test
    void uint64LimitsKeepTheirBits() {
        String json = """
                {"ociVersion":"1.0.0","process":{"rlimits":[{"type":"RLIMIT_NOFILE","hard":18446744073709551615,"soft":1024}]},
                 "linux":{"seccomp":{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["x"],"action":"SCMP_ACT_ERRNO",
                 "args":[{"index":0,"value":18446744073709551614,"op":"SCMP_CMP_EQ"}]}]}}}
                """;
        Spec spec = OciJson.parse("config.json", json, Spec.class, false);
        assertEquals(Rlimit.INFINITY, spec.process().rlimits().getFirst().hard());
        assertEquals(-2L, spec.linux().seccomp().syscalls().getFirst().args().getFirst().value());
        assertTrue(OciJson.write(spec).contains("18446744073709551615"));
        assertTrue(OciJson.write(spec).contains("18446744073709551614"));
        for (String bad : java.util.List.of("-1", "18446744073709551616", "\"5\"")) {
            InvalidConfigException e = assertThrows(InvalidConfigException.class, () -> OciJson.parse("config.json",
                    "{\"process\":{\"rlimits\":[{\"type\":\"RLIMIT_NOFILE\",\"hard\":" + bad + ",\"soft\":1}]}}",
                    Spec.class, false));
            assertEquals("process.rlimits[0].hard", e.field(), e.getMessage());
        }
    }

    @Test
    void emptyDocumentIsRejected() {
        InvalidConfigException e = assertThrows(InvalidConfigException.class,
                () -> OciJson.parse("config.json", "null", Spec.class, false));
        assertTrue(e.getMessage().contains("empty"), e.getMessage());
    }
}
