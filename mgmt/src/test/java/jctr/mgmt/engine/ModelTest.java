package jctr.mgmt.engine;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The engine's Docker-shaped records survive JSON both ways; small parsers. */
class ModelTest {

    @Test
    void aCreateRequestParsesInDockersNames() {
        String body = """
                {"Hostname":"","User":"","AttachStdin":true,"Tty":true,"OpenStdin":true,"StdinOnce":true,
                 "Env":["A=B"],"Cmd":"echo hi","Image":"busybox","Entrypoint":null,"Labels":{"k":"v"},
                 "HostConfig":{"Binds":["myvol:/data"],"Memory":536870912,"NanoCpus":1000000000,"AutoRemove":true,
                   "RestartPolicy":{"Name":"on-failure","MaximumRetryCount":3},
                   "Mounts":[{"Type":"tmpfs","Target":"/t","TmpfsOptions":{"SizeBytes":1048576,"Mode":448}}],
                   "LogConfig":{"Type":"json-file","Config":{"max-size":"10m","max-file":"3"}}},
                 "NetworkingConfig":{"EndpointsConfig":{"default":{}}}, "SomethingNew":1}
                """;
        ContainerConfig c = DockerJson.read(body.getBytes(), ContainerConfig.class, "test");
        assertEquals(List.of("echo hi"), c.cmd(), "a string Cmd is a one-element list, as in Docker");
        assertTrue(c.ttyEnabled() && c.openStdinEnabled() && c.stdinOnceEnabled());
        assertEquals(Map.of("k", "v"), c.labels());
        HostConfig h = DockerJson.mapper().convertValue(DockerJson.tree(body.getBytes(), "test").get("HostConfig"),
                HostConfig.class);
        assertEquals(List.of("myvol:/data"), h.binds());
        assertEquals(536870912L, h.memory());
        assertEquals("on-failure", h.restartPolicyOrNo().nameOrNo());
        assertEquals(3, h.restartPolicyOrNo().retries());
        assertEquals(448, h.mountsOrEmpty().getFirst().tmpfsOptions().mode());
        assertEquals(10L << 20, Containers.logMaxSize(h));
        assertEquals(3, Containers.logMaxFiles(h));
    }

    @Test
    void aContainerRecordRoundTrips() {
        ContainerConfig cfg = new ContainerConfig("h", "", "", false, true, true, null, false, false, false,
                List.of("A=1"), List.of("sh"), "busybox:latest", null, "/", null, Map.of(), null, null);
        HostConfig host = DockerJson.mapper().convertValue(Map.of("Binds", List.of("/x:/y:ro")), HostConfig.class);
        Container c = new Container(Ids.random(), "/n", Instant.parse("2024-01-02T03:04:05.123456789Z"), "sh",
                List.of("-c", "x"), cfg, host, ContainerState.created().running(42, Instant.EPOCH), "sha256:ab",
                List.of("l1"), "vfs", List.of(new Container.MountPoint("bind", null, "/x", "/y", null, "ro", false,
                "rprivate", List.of())), 2, true, "/run/m");
        Container back = DockerJson.read(DockerJson.write(c), Container.class, "test");
        assertEquals(c, back);
        assertTrue(new String(DockerJson.write(c)).contains("\"State\":{\"Status\":\"running\""));
    }

    @Test
    void envMergesByKeyAsDockerDoes() {
        assertEquals(List.of("PATH=/bin", "A=2", "B=3"),
                Containers.mergeEnv(List.of("PATH=/bin", "A=1"), List.of("A=2", "B=3")));
    }

    @Test
    void sizesUseBinaryUnits() {
        assertEquals(10L << 20, Sizes.parse("10m", "f"));
        assertEquals(512L << 10, Sizes.parse("512k", "f"));
        assertEquals(1L << 30, Sizes.parse("1g", "f"));
        assertEquals(1536L << 20, Sizes.parse("1.5GB", "f"));
        assertEquals(100, Sizes.parse("100", "f"));
        assertThrows(jctr.kernel.InvalidConfigException.class, () -> Sizes.parse("lots", "f"));
    }

    @Test
    void containerNamesFollowDockersRule() {
        assertEquals("/web-1", ContainerStore.checkName("web-1"));
        assertEquals("/web", ContainerStore.checkName("/web"));
        assertThrows(jctr.kernel.InvalidConfigException.class, () -> ContainerStore.checkName("bad name"));
        assertThrows(jctr.kernel.InvalidConfigException.class, () -> ContainerStore.checkName("x"));
        assertTrue(Names.generate(n -> false).matches("[a-z]+_[a-z]+"));
    }

    @Test
    void startFailuresMapToDockersExitCodes() {
        assertEquals(127, Containers.startExitCode(new RuntimeException("exec: \"x\": executable file not found in $PATH")));
        assertEquals(126, Containers.startExitCode(new RuntimeException("exec: permission denied")));
        assertEquals(128, Containers.startExitCode(new RuntimeException("something else")));
    }
}
