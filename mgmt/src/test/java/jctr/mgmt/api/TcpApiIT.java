package jctr.mgmt.api;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import jctr.kernel.InvalidConfigException;
import jctr.kernel.testing.RootOnly;
import jctr.mgmt.testing.DockerCli;
import jctr.mgmt.testing.TestDaemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The optional TCP listener: TLS with client certificates (the docker CLI's --tlsverify) and bearer
 * tokens; an unauthenticated listener on a non-loopback address is refused.
 */
class TcpApiIT {

    private Path certs;
    private TestDaemon daemon;

    @BeforeEach
    void setUp() throws Exception {
        RootOnly.assumeRoot();
        assumeTrue(DockerCli.available(), "docker CLI not installed");
        certs = Files.createTempDirectory(Path.of("/tmp"), "jctr-tls-");
    }

    @AfterEach
    void tearDown() {
        if (daemon != null) {
            daemon.close();
        }
        if (certs != null) {
            TestDaemon.deleteTree(certs);
        }
    }

    private void openssl(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("openssl"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).directory(certs.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), String.join(" ", cmd) + "\n" + out);
    }

    /** A CA, a server certificate for 127.0.0.1 and a client certificate, all signed by the CA. */
    private void makeCertificates() throws Exception {
        openssl("genpkey", "-algorithm", "RSA", "-out", "ca-key.pem");
        openssl("req", "-x509", "-new", "-key", "ca-key.pem", "-subj", "/CN=jctr-test-ca", "-days", "2", "-out", "ca.pem");
        Files.writeString(certs.resolve("server.ext"), "subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n");
        Files.writeString(certs.resolve("client.ext"), "extendedKeyUsage=clientAuth\n");
        for (String who : List.of("server", "client")) {
            openssl("genpkey", "-algorithm", "RSA", "-out", who + "-key.pem");
            openssl("req", "-new", "-key", who + "-key.pem", "-subj", "/CN=" + who, "-out", who + ".csr");
            openssl("x509", "-req", "-in", who + ".csr", "-CA", "ca.pem", "-CAkey", "ca-key.pem", "-CAcreateserial",
                    "-days", "2", "-extfile", who + ".ext", "-out", who + "-cert.pem");
        }
    }

    @Test
    void tlsWithClientCertificatesServesTheDockerCli() throws Exception {
        makeCertificates();
        daemon = TestDaemon.start(new ApiConfig.Tcp("127.0.0.1", 0, new ApiConfig.Tls(certs.resolve("server-cert.pem"),
                certs.resolve("server-key.pem"), certs.resolve("ca.pem")), null));
        String host = "tcp://127.0.0.1:" + daemon.tcpPort();
        DockerCli docker = new DockerCli(daemon);
        DockerCli.Result r = docker.exec(List.of("docker", "--tlsverify", "--tlscacert", certs.resolve("ca.pem").toString(),
                "--tlscert", certs.resolve("client-cert.pem").toString(), "--tlskey", certs.resolve("client-key.pem").toString(),
                "-H", host, "version", "--format", "{{.Server.APIVersion}}"), null);
        assertEquals(0, r.exit(), r.toString());
        assertEquals(ApiVersions.CURRENT, r.out().trim());
        DockerCli.Result noCert = docker.exec(List.of("docker", "--tls", "--tlscacert", certs.resolve("ca.pem").toString(),
                "-H", host, "version"), null);
        assertNotEquals(0, noCert.exit(), "a client without a certificate is refused");
        DockerCli.Result plain = docker.exec(List.of("docker", "-H", host, "version"), null);
        assertNotEquals(0, plain.exit(), "plain HTTP is refused");
    }

    @Test
    void aBearerTokenIsRequiredWhenConfigured() throws Exception {
        daemon = TestDaemon.start(new ApiConfig.Tcp("127.0.0.1", 0, null, "s3cret-token"));
        String host = "tcp://127.0.0.1:" + daemon.tcpPort();
        DockerCli docker = new DockerCli(daemon);
        DockerCli.Result refused = docker.exec(List.of("docker", "-H", host, "info"), null);
        assertNotEquals(0, refused.exit());
        assertTrue(refused.err().contains("authentication required"), refused.toString());
        Path config = daemon.dir().resolve("docker-config");
        Files.createDirectories(config);
        Files.writeString(config.resolve("config.json"), "{\"HttpHeaders\": {\"Authorization\": \"Bearer s3cret-token\"}}");
        DockerCli.Result ok = docker.exec(List.of("docker", "-H", host, "version", "--format", "{{.Server.Os}}"), null);
        assertEquals(0, ok.exit(), ok.toString());
        assertEquals("linux", ok.out().trim());
    }

    @Test
    void anUnauthenticatedListenerOffLoopbackIsRefused() {
        InvalidConfigException e = assertThrows(InvalidConfigException.class,
                () -> new ApiConfig.Tcp("0.0.0.0", 2375, null, null).check());
        assertTrue(e.getMessage().contains("refusing an unauthenticated TCP listener"), e.getMessage());
        new ApiConfig.Tcp("127.0.0.1", 2375, null, null).check();
    }
}
