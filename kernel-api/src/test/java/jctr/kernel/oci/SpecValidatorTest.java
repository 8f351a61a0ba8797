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

    private static List<String[]> problems(String json) {
        return SpecValidator.problems(OciJson.parse("t", json, Spec.class, false), false);
    }

    @Test
    void hostnameAndDomainnameNeedAUtsNamespaceNewOrJoined() {
        String noUts = """
                {"ociVersion":"1.0.0","root":{"path":"r"},"%s":"x","linux":{"namespaces":[{"type":"pid"}]}}""";
        assertEquals("hostname", problems(noUts.formatted("hostname")).getFirst()[0]);
        assertTrue(problems(noUts.formatted("hostname")).getFirst()[1].contains("would rename the host"));
        assertEquals("domainname", problems(noUts.formatted("domainname")).getFirst()[0]);
        // config.md: the name is set in the container's uts namespace, which may be one joined by path
        String joined = """
                {"ociVersion":"1.0.0","root":{"path":"r"},"hostname":"x","domainname":"y",
                 "linux":{"namespaces":[{"type":"uts","path":"/proc/42/ns/uts"}]}}""";
        assertEquals(List.of(), problems(joined));
    }

    @Test
    void mappingErrorsNameTheMappingsAtFault() {
        String noUser = """
                {"ociVersion":"1.0.0","root":{"path":"r"},"linux":{"namespaces":[{"type":"pid"}],%s}}""";
        String map = "[{\"containerID\":0,\"hostID\":1000,\"size\":1}]";
        assertEquals("linux.gidMappings", problems(noUser.formatted("\"gidMappings\":" + map)).getFirst()[0]);
        assertEquals("linux.uidMappings", problems(noUser.formatted("\"uidMappings\":" + map)).getFirst()[0]);
        String newUser = """
                {"ociVersion":"1.0.0","root":{"path":"r"},"linux":{"namespaces":[{"type":"user"}],%s}}""";
        String[] onlyUid = problems(newUser.formatted("\"uidMappings\":" + map)).getFirst();
        assertEquals("linux.gidMappings", onlyUid[0]);
        assertTrue(onlyUid[1].contains("needs uidMappings and gidMappings"));
        assertEquals("linux.uidMappings", problems(newUser.formatted("\"gidMappings\":" + map)).getFirst()[0]);
    }
}
