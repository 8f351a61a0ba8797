package jctr.kernel.oci;

import java.util.List;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import org.junit.jupiter.api.Test;

import jctr.kernel.InvalidConfigException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SpecValidatorTest {

    private static final String BASE = """
            {"ociVersion": "1.0.2", "root": {"path": "rootfs"},
             "process": {"args": ["sh"], "cwd": "/", %s},
             "hostname": "h", %s
             "linux": {"namespaces": [{"type": "uts"}, {"type": "pid"} %s] %s}}
            """;

    private static Spec spec(String process, String top, String namespaces, String linux) {
        return OciJson.parse("t", BASE.formatted(process, top, namespaces, linux), Spec.class, false);
    }

    @Test
    void aTypicalSpecIsValid() {
        SpecValidator.validate(spec("\"env\": [\"A=1\"]", "", "", ""), "config.json", true);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            "capabilities": {"bounding": ["CAP_KILL", "CAP_FLY"]}  | '' | '' | ''                       | process.capabilities.bounding[1] | unknown capability: CAP_FLY
            "capabilities": {"ambient": ["kill"]}                  | '' | '' | ''                       | process.capabilities.ambient[0]  | unknown capability: kill
            "rlimits": [{"type": "RLIMIT_WINGS", "hard": 1, "soft": 1}] | '' | '' | ''                 | process.rlimits[0].type          | unknown rlimit type: RLIMIT_WINGS
            "rlimits": [{"type": "RLIMIT_NOFILE", "hard": 1, "soft": 2}] | '' | '' | ''                | process.rlimits[0]               | soft limit 2 exceeds hard limit 1
            "env": ["NOEQUALS"]                                    | '' | '' | ''                       | process.env[0]                   | must be KEY=value
            "user": {"uid": 0, "gid": 0}                           | '' | ,{"type": "bogus"} | ''       | linux.namespaces[2].type         | unknown namespace type: bogus
            "user": {"uid": 0, "gid": 0}                           | '' | ,{"type": "pid"} | ''         | linux.namespaces[2].type         | duplicate namespace type: pid
            "user": {"uid": 0, "gid": 0}                           | '' | ,{"type": "user"} | ''        | linux.uidMappings                | needs uidMappings and gidMappings
            "user": {"uid": 0, "gid": 0}                           | '' | '' | ,"maskedPaths": ["proc/kcore"] | linux.maskedPaths[0]       | must be an absolute path
            "user": {"uid": 0, "gid": 0}                           | '' | '' | ,"sysctl": {"net.ipv4.ip_forward": "1"} | linux.sysctl.net.ipv4.ip_forward | need a new network namespace
            "user": {"uid": 0, "gid": 0}                           | '' | '' | ,"seccomp": {"defaultAction": "SCMP_ACT_MAYBE"} | linux.seccomp.defaultAction | unknown seccomp action
            "user": {"uid": 0, "gid": 0}                           | "hooks": {"poststop": [{"path": "rel"}]}, | '' | '' | hooks.poststop[0].path | must be an absolute path
            """)
    void problemsNameTheirField(String process, String top, String ns, String linux, String field, String text) {
        Spec s = spec(process, top, ns, linux);
        InvalidConfigException e = assertThrows(InvalidConfigException.class,
                () -> SpecValidator.validate(s, "config.json", true));
        assertEquals(field, e.field());
        assertTrue(e.getMessage().contains(text), e.getMessage());
    }

    @Test
    void versionAndRootAndProcessAreRequired() {
        Spec noVersion = OciJson.parse("t", "{\"root\":{\"path\":\"r\"}}", Spec.class, false);
        assertEquals("ociVersion", SpecValidator.problems(noVersion, false).getFirst()[0]);
        Spec badVersion = OciJson.parse("t", "{\"ociVersion\":\"2.0\",\"root\":{\"path\":\"r\"}}", Spec.class, false);
        assertTrue(SpecValidator.problems(badVersion, false).getFirst()[1].contains("not a 1.x semantic version"));
        Spec noProcess = OciJson.parse("t", "{\"ociVersion\":\"1.1.0\",\"root\":{\"path\":\"r\"}}", Spec.class, false);
        assertEquals(List.of(), SpecValidator.problems(noProcess, false));
        assertEquals("process", SpecValidator.problems(noProcess, true).getFirst()[0]);
    }

    @Test
    void hostnameNeedsUtsNamespace() {
        Spec s = OciJson.parse("t", """
                {"ociVersion":"1.0.0","root":{"path":"r"},"hostname":"x","linux":{"namespaces":[{"type":"pid"}]}}
                """, Spec.class, false);
        assertEquals("hostname", SpecValidator.problems(s, false).getFirst()[0]);
    }
}
