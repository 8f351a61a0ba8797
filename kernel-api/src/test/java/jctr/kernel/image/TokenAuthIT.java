package jctr.kernel.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import jctr.kernel.KernelException;
import jctr.kernel.oci.OciJson;

/**
 * Token authentication end to end: the real docker-registry configured with {@code auth.token} (it trusts
 * a certificate the test makes with keytool), and an in-test token server that checks Basic credentials
 * and issues RS256-signed JWTs with the requested access. skopeo pushes with credentials; jctr pulls with
 * credentials from a Docker client config, and fails clearly without them.
 */
class TokenAuthIT {

    private static final String SERVICE = "jctr-test-registry";
    private static final String ISSUER = "jctr-test-issuer";

    @TempDir
    static Path tmp;

    private static LocalRegistry registry;
    private static HttpServer tokenServer;
    private static PrivateKey key;
    private static byte[] certDer;
    private static final List<String> tokenRequests = new CopyOnWriteArrayList<>();
    private static TestImages.Built image;

    @BeforeAll
    static void start() throws Exception {
        LocalRegistry.assumeTools();
        Path pem = makeSigningKey(tmp.resolve("keys"));
        tokenServer = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        tokenServer.createContext("/token", TokenAuthIT::token);
        tokenServer.start();
        String auth = """
                auth:
                  token:
                    realm: http://127.0.0.1:%d/token
                    service: %s
                    issuer: %s
                    rootcertbundle: %s
                """.formatted(tokenServer.getAddress().getPort(), SERVICE, ISSUER, pem);
        registry = LocalRegistry.start(tmp.resolve("registry"), auth);
        TestImages.Layout layout = new TestImages.Layout(tmp.resolve("layout"));
        image = layout.image(List.of(TestImages.layerTar(Map.of("secret", "data"))), true, List.of("x"),
                Map.of(Descriptor.REF_NAME, "private"));
        registry.push(layout.dir(), "private", "team/private:1", "alice:s3cret");
    }

    @AfterAll
    static void stop() {
        if (registry != null) {
            registry.close();
        }
        if (tokenServer != null) {
            tokenServer.stop(0);
        }
    }

    /** A self-signed RSA key pair made with the JDK's keytool; returns the certificate as PEM. */
    private static Path makeSigningKey(Path dir) throws Exception {
        Files.createDirectories(dir);
        Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
        Path ks = dir.resolve("token.p12");
        Path pem = dir.resolve("token.pem");
        run(List.of(keytool.toString(), "-genkeypair", "-alias", "token", "-keyalg", "RSA", "-keysize", "2048",
                "-sigalg", "SHA256withRSA", "-dname", "CN=jctr-test-token", "-validity", "2", "-keystore", ks.toString(),
                "-storetype", "PKCS12", "-storepass", "changeit", "-keypass", "changeit"));
        run(List.of(keytool.toString(), "-exportcert", "-rfc", "-alias", "token", "-keystore", ks.toString(),
                "-storepass", "changeit", "-file", pem.toString()));
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(ks)) {
            store.load(in, "changeit".toCharArray());
        }
        key = (PrivateKey) store.getKey("token", "changeit".toCharArray());
        Certificate cert = store.getCertificate("token");
        certDer = cert.getEncoded();
        return pem;
    }

    private static void run(List<String> cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException(cmd + " failed: " + out);
        }
    }

    /** The token endpoint: Basic alice:s3cret gets a JWT granting the requested scopes; others get 401. */
    private static void token(HttpExchange x) throws IOException {
        String query = x.getRequestURI().getRawQuery();
        List<String> scopes = new ArrayList<>();
        String service = null;
        for (String kv : query == null ? new String[0] : query.split("&")) {
            String[] p = kv.split("=", 2);
            String v = URLDecoder.decode(p.length > 1 ? p[1] : "", StandardCharsets.UTF_8);
            if (p[0].equals("scope")) {
                scopes.add(v);
            } else if (p[0].equals("service")) {
                service = v;
            }
        }
        String auth = x.getRequestHeaders().getFirst("Authorization");
        tokenRequests.add("service=" + service + " scopes=" + scopes + " auth=" + (auth != null));
        String expected = "Basic " + Base64.getEncoder().encodeToString("alice:s3cret".getBytes(StandardCharsets.UTF_8));
        if (!expected.equals(auth) || !SERVICE.equals(service)) {
            byte[] body = "{\"details\":\"incorrect username or password\"}".getBytes(StandardCharsets.UTF_8);
            x.sendResponseHeaders(401, body.length);
            try (OutputStream o = x.getResponseBody()) {
                o.write(body);
            }
            return;
        }
        List<Map<String, Object>> access = new ArrayList<>();
        for (String s : scopes) {
            String[] parts = s.split(":"); // repository:name:actions
            access.add(Map.of("type", parts[0], "name", parts[1], "actions", List.of(parts[2].split(","))));
        }
        String jwt = jwt(access);
        byte[] body = OciJson.writeCompact(Map.of("token", jwt, "access_token", jwt, "expires_in", 300,
                "issued_at", Instant.now().toString()));
        x.getResponseHeaders().add("Content-Type", "application/json");
        x.sendResponseHeaders(200, body.length);
        try (OutputStream o = x.getResponseBody()) {
            o.write(body);
        }
    }

    private static String jwt(List<Map<String, Object>> access) {
        Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
        Map<String, Object> header = Map.of("typ", "JWT", "alg", "RS256", "x5c", List.of(Base64.getEncoder().encodeToString(certDer)));
        long now = Instant.now().getEpochSecond();
        Map<String, Object> claims = new LinkedHashMap<>();
        claims.put("iss", ISSUER);
        claims.put("sub", "alice");
        claims.put("aud", SERVICE);
        claims.put("exp", now + 300);
        claims.put("nbf", now - 10);
        claims.put("iat", now);
        claims.put("jti", UUID.randomUUID().toString());
        claims.put("access", access);
        String signingInput = b64.encodeToString(OciJson.writeCompact(header)) + "." + b64.encodeToString(OciJson.writeCompact(claims));
        try {
            Signature sig = Signature.getInstance("SHA256withRSA");
            sig.initSign(key);
            sig.update(signingInput.getBytes(StandardCharsets.US_ASCII));
            return signingInput + "." + b64.encodeToString(sig.sign());
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void pullsWithCredentialsFromTheDockerConfig() throws IOException {
        Path dockerConfig = tmp.resolve("docker/config.json");
        Files.createDirectories(dockerConfig.getParent());
        Files.writeString(dockerConfig, "{\"auths\":{\"" + registry.hostPort() + "\":{\"auth\":\""
                + Base64.getEncoder().encodeToString("alice:s3cret".getBytes(StandardCharsets.UTF_8)) + "\"}}}");
        tokenRequests.clear();
        ImageStore store = new ImageStore(tmp.resolve("store-ok"));
        ImagePuller puller = new ImagePuller(store, ImagePuller.Options.defaults()
                .withCredentials(RegistryCredentials.fromDockerConfig(dockerConfig)));
        ImagePuller.Result r = puller.pull(Reference.parse(registry.hostPort() + "/team/private:1"), PullProgress.NONE);
        assertEquals(image.id(), r.imageId());
        assertTrue(store.blobs().has(image.layers().getFirst()));
        assertTrue(tokenRequests.contains("service=" + SERVICE + " scopes=[repository:team/private:pull] auth=true"),
                tokenRequests.toString());
    }

    @Test
    void withoutCredentialsThePullFailsNamingTheRegistry() {
        ImageStore store = new ImageStore(tmp.resolve("store-anon"));
        RegistryException e = assertThrows(RegistryException.class, () -> new ImagePuller(store, ImagePuller.Options.defaults())
                .pull(Reference.parse(registry.hostPort() + "/team/private:1"), PullProgress.NONE));
        assertEquals(KernelException.Category.PERMISSION_DENIED, e.category());
        assertTrue(e.getMessage().startsWith(registry.hostPort() + "/team/private: getting a token from http://127.0.0.1:"),
                e.getMessage());
        assertTrue(e.getMessage().contains("(no credentials configured for " + registry.hostPort() + ")"), e.getMessage());
        assertTrue(store.list().isEmpty());
    }

    @Test
    void wrongCredentialsFail() {
        ImageStore store = new ImageStore(tmp.resolve("store-wrong"));
        RegistryException e = assertThrows(RegistryException.class, () -> new ImagePuller(store, ImagePuller.Options.defaults()
                .withCredentials(RegistryCredentials.fixed(new RegistryCredentials.Credentials("alice", "nope"))))
                .pull(Reference.parse(registry.hostPort() + "/team/private:1"), PullProgress.NONE));
        assertEquals(401, e.status());
    }
}
