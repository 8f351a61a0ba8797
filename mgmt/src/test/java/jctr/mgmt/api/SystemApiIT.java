package jctr.mgmt.api;

import java.nio.file.Files;
import java.nio.file.attribute.PosixFilePermissions;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import jctr.kernel.testing.RootOnly;
import jctr.mgmt.testing.DockerCli;
import jctr.mgmt.testing.TestDaemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The real docker CLI against the API on a unix socket: version and info. */
class SystemApiIT {

    static TestDaemon daemon;
    static DockerCli docker;

    @BeforeAll
    static void start() {
        RootOnly.assumeRoot();
        assumeTrue(DockerCli.available(), "docker CLI not installed");
        daemon = TestDaemon.start();
        docker = new DockerCli(daemon);
    }

    @AfterAll
    static void stop() {
        if (daemon != null) {
            daemon.close();
        }
    }

    @Test
    void socketIsRootOnly() throws Exception {
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(daemon.socket())));
    }

    @Test
    void dockerVersionTalksToJctr() {
        DockerCli.Result r = docker.run("version");
        assertEquals(0, r.exit(), r.toString());
        assertTrue(r.out().contains("Server: jctr"), r.toString());
        assertTrue(r.out().contains("API version:      1.50 (minimum version 1.24)"), r.toString());
        assertTrue(r.out().contains("OS/Arch:          linux/amd64"), r.toString());
    }

    @Test
    void dockerInfoShowsEngineFacts() {
        DockerCli.Result r = docker.run("info");
        assertEquals(0, r.exit(), r.toString());
        assertTrue(r.out().contains("Docker Root Dir: " + daemon.dir().resolve("data")), r.toString());
        assertTrue(r.out().contains("Logging Driver: json-file"), r.toString());
        assertTrue(r.out().contains("Swarm: inactive"), r.toString());
        assertTrue(r.out().contains("OSType: linux"), r.toString());
    }

    @Test
    void formattedQueriesWork() {
        DockerCli.Result r = docker.run("version", "--format", "{{.Server.APIVersion}}");
        assertEquals(0, r.exit(), r.toString());
        assertEquals("1.50", r.out().trim());
        r = docker.run("info", "--format", "{{.OSType}} {{.NCPU}}");
        assertEquals("linux " + Runtime.getRuntime().availableProcessors(), r.out().trim(), r.toString());
    }
}
