package jctr.kernel.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import jctr.kernel.KernelException;

/**
 * The registry client's authentication negotiation against a small in-test registry that implements the
 * distribution API's WWW-Authenticate flow (Bearer tokens from a realm, and Basic). Pulls against the real
 * docker-registry are in {@code RegistryPullIT}.
 */
class RegistryClientTest {

    private static final byte[] MANIFEST = """
            {"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json",
             "config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:%s","size":2},
             "layers":[]}""".formatted("4".repeat(64)).getBytes(StandardCharsets.UTF_8);
    private static final String TOKEN = "tok-" + "x".repeat(20);

    @TempDir
    Path tmp;

    private HttpServer server;
    private String base;
    private final List<String> log = new CopyOnWriteArrayList<>();
    /** What the registry wants: "bearer", "basic" or "none". */
    private volatile String mode = "bearer";

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        base = "127.0.0.1:" + server.getAddress().getPort();
        server.createContext("/token", this::token);
        server.createContext("/v2/", this::registry);
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    private void token(HttpExchange x) throws IOException {
        String q = URLDecoder.decode(x.getRequestURI().getRawQuery(), StandardCharsets.UTF_8);
        String auth = x.getRequestHeaders().getFirst("Authorization");
        log.add("token " + q + " auth=" + auth);
        if (!basic("alice", "s3cret").equals(auth)) {
            respond(x, 401, "{\"details\":\"bad credentials\"}".getBytes(StandardCharsets.UTF_8), Map.of());
            return;
        }
        respond(x, 200, ("{\"token\":\"" + TOKEN + "\",\"expires_in\":300}").getBytes(StandardCharsets.UTF_8), Map.of());
    }

    private void registry(HttpExchange x) throws IOException {
        String auth = x.getRequestHeaders().getFirst("Authorization");
        String path = x.getRequestURI().getPath();
        log.add("GET " + path + " auth=" + auth);
        boolean ok = switch (mode) {
            case "bearer" -> ("Bearer " + TOKEN).equals(auth);
            case "basic" -> basic("alice", "s3cret").equals(auth);
            default -> true;
        };
        if (!ok) {
            String challenge = mode.equals("bearer")
                    ? "Bearer realm=\"http://" + base + "/token\",service=\"test-registry\""
                      + (path.equals("/v2/") ? "" : ",scope=\"repository:team/app:pull\"")
                    : "Basic realm=\"test\"";
            respond(x, 401, "{\"errors\":[{\"code\":\"UNAUTHORIZED\",\"message\":\"authentication required\"}]}"
                    .getBytes(StandardCharsets.UTF_8), Map.of("WWW-Authenticate", challenge));
            return;
        }
        if (path.equals("/v2/")) {
            respond(x, 200, "{}".getBytes(StandardCharsets.UTF_8), Map.of());
        } else if (path.equals("/v2/team/app/manifests/1")) {
            respond(x, 200, MANIFEST, Map.of("Content-Type", MediaTypes.OCI_MANIFEST,
                    "Docker-Content-Digest", Digest.sha256(MANIFEST).toString()));
        } else if (path.equals("/v2/team/app/manifests/lying") || path.startsWith("/v2/team/app/manifests/sha256:")) {
            respond(x, 200, MANIFEST, Map.of("Content-Type", MediaTypes.OCI_MANIFEST,
                    "Docker-Content-Digest", "sha256:" + "0".repeat(64)));
        } else {
            respond(x, 404, "{\"errors\":[{\"code\":\"MANIFEST_UNKNOWN\",\"message\":\"manifest unknown\"}]}"
                    .getBytes(StandardCharsets.UTF_8), Map.of());
        }
    }

    private static void respond(HttpExchange x, int status, byte[] body, Map<String, String> headers) throws IOException {
        headers.forEach((k, v) -> x.getResponseHeaders().add(k, v));
        x.sendResponseHeaders(status, body.length);
        try (OutputStream o = x.getResponseBody()) {
            o.write(body);
        }
    }

    private RegistryClient client(RegistryCredentials creds) {
        return new RegistryClient(base, List.of(), creds, 0, java.time.Duration.ofSeconds(5));
    }

    private static RegistryCredentials alice() {
        return RegistryCredentials.fixed(new RegistryCredentials.Credentials("alice", "s3cret"));
    }

    @Test
    void bearerTokenNegotiation() {
        RegistryClient c = client(alice());
        RegistryClient.Manifest m = c.manifest("team/app", "1");
        assertArrayEquals(MANIFEST, m.body());
        assertEquals(Digest.sha256(MANIFEST), m.digest());
        assertEquals(MediaTypes.OCI_MANIFEST, m.mediaType());
        assertEquals(List.of(
                "GET /v2/team/app/manifests/1 auth=null",
                "token scope=repository:team/app:pull&service=test-registry auth=" + basic("alice", "s3cret"),
                "GET /v2/team/app/manifests/1 auth=Bearer " + TOKEN), sortQuery(log));
        log.clear();
        c.manifest("team/app", "1");
        assertEquals(1, log.size(), "the token is reused: " + log);
    }

    private static List<String> sortQuery(List<String> lines) {
        // The order of query parameters is not part of the protocol.
        return lines.stream().map(l -> {
            if (!l.startsWith("token ")) {
                return l;
            }
            String[] parts = l.split(" ", 3);
            List<String> params = new java.util.ArrayList<>(List.of(parts[1].split("&")));
            java.util.Collections.sort(params);
            return "token " + String.join("&", params) + " " + parts[2];
        }).toList();
    }

    @Test
    void bearerWithWrongCredentialsNamesTheRealm() {
        RegistryClient c = client(RegistryCredentials.fixed(new RegistryCredentials.Credentials("alice", "wrong")));
        RegistryException e = assertThrows(RegistryException.class, () -> c.manifest("team/app", "1"));
        assertEquals(401, e.status());
        assertEquals(KernelException.Category.PERMISSION_DENIED, e.category());
        assertTrue(e.getMessage().startsWith(base + "/team/app: getting a token from http://" + base + "/token failed: 401"),
                e.getMessage());
    }

    @Test
    void pingAuthenticatesWithTheComputedScope() {
        client(alice()).ping("team/app");
        assertTrue(log.get(1).contains("scope=repository:team/app:pull"), log.toString());
    }

    @Test
    void basicAuthentication() {
        mode = "basic";
        RegistryClient c = client(alice());
        assertEquals(Digest.sha256(MANIFEST), c.manifest("team/app", "1").digest());
        assertEquals("GET /v2/team/app/manifests/1 auth=" + basic("alice", "s3cret"), log.get(1));
        RegistryException none = assertThrows(RegistryException.class,
                () -> client(RegistryCredentials.NONE).manifest("team/app", "1"));
        assertTrue(none.getMessage().contains("asks for a user name and password (Basic); none configured for " + base),
                none.getMessage());
    }

    @Test
    void notFoundAndDigestMismatchAreClear() {
        mode = "none";
        RegistryClient c = client(RegistryCredentials.NONE);
        RegistryException e = assertThrows(RegistryException.class, () -> c.manifest("team/app", "nosuch"));
        assertEquals(404, e.status());
        assertEquals(base + "/team/app: manifest nosuch: 404 not found (manifest unknown)", e.getMessage());
        assertThrows(DigestMismatchException.class, () -> c.manifest("team/app", "lying"));
        assertThrows(DigestMismatchException.class, () -> c.manifest("team/app", "sha256:" + "1".repeat(64)),
                "content fetched by digest must have that digest");
    }

    @Test
    void unreachableRegistryNamesIt() {
        server.stop(0);
        RegistryException e = assertThrows(RegistryException.class, () -> client(RegistryCredentials.NONE).manifest("a/b", "1"));
        assertEquals(0, e.status());
        assertTrue(e.getMessage().startsWith(base + "/a/b: manifest 1: cannot connect to http://" + base), e.getMessage());
    }

    @Test
    void plainHttpOnlyForLoopbackAndInsecureRegistries() {
        assertTrue(RegistryClient.plainHttp("localhost:5000", List.of()));
        assertTrue(RegistryClient.plainHttp("127.0.0.1:5000", List.of()));
        assertTrue(RegistryClient.plainHttp("127.255.3.4", List.of()));
        assertTrue(RegistryClient.plainHttp("[::1]:5000", List.of()));
        assertFalse(RegistryClient.plainHttp("128.0.0.1:5000", List.of()));
        assertFalse(RegistryClient.plainHttp("127.0.0.1.example.com", List.of()));
        assertFalse(RegistryClient.plainHttp("docker.io", List.of()));
        assertFalse(RegistryClient.plainHttp("registry.lan:5000", List.of()));
        assertTrue(RegistryClient.plainHttp("registry.lan:5000", List.of("registry.lan:5000")));
        assertTrue(RegistryClient.plainHttp("registry.lan:5000", List.of("registry.lan")));
        assertEquals("https://registry-1.docker.io", new RegistryClient("docker.io", List.of(), RegistryCredentials.NONE, 0, java.time.Duration.ofSeconds(5))
                .baseUri().toString());
        assertEquals("http://localhost:5000", new RegistryClient("localhost:5000", List.of(), RegistryCredentials.NONE, 0, java.time.Duration.ofSeconds(5))
                .baseUri().toString());
    }

    @Test
    void challengesParse() {
        AuthChallenge c = AuthChallenge.parse("Bearer realm=\"https://auth.docker.io/token\",service=\"registry.docker.io\","
                + "scope=\"repository:library/busybox:pull,push\"").orElseThrow();
        assertEquals("bearer", c.scheme());
        assertEquals("https://auth.docker.io/token", c.params().get("realm"));
        assertEquals("repository:library/busybox:pull,push", c.params().get("scope"));
        assertEquals("basic", AuthChallenge.parse("Basic realm=x").orElseThrow().scheme());
        assertTrue(AuthChallenge.parse("Negotiate abc").isEmpty());
    }

    @Test
    void credentialsComeFromTheDockerConfig() throws IOException {
        Path config = tmp.resolve("config.json");
        Files.writeString(config, """
                {"auths":{
                  "https://index.docker.io/v1/":{"auth":"%s"},
                  "localhost:5000":{"auth":"%s"},
                  "https://registry.lan:443/v2/":{"auth":"%s"},
                  "empty.example":{}
                }, "credsStore":"desktop"}""".formatted(b64("hub:h"), b64("loc:l"), b64("lan:a:b")));
        RegistryCredentials c = RegistryCredentials.fromDockerConfig(config);
        assertEquals("hub", c.forRegistry("docker.io").orElseThrow().username());
        assertEquals("l", c.forRegistry("localhost:5000").orElseThrow().password());
        assertEquals("a:b", c.forRegistry("registry.lan:443").orElseThrow().password(), "passwords may hold colons");
        assertTrue(c.forRegistry("other.example").isEmpty());
        assertTrue(RegistryCredentials.fromDockerConfig(tmp.resolve("missing.json")).forRegistry("docker.io").isEmpty());
        assertFalse(c.forRegistry("docker.io").orElseThrow().toString().contains("h]"), "toString hides the secret");
        Files.writeString(config, "{\"auths\":{\"x\":{\"auth\":\"not base64!\"}}}");
        assertThrows(jctr.kernel.InvalidConfigException.class, () -> RegistryCredentials.fromDockerConfig(config));
    }

    private static String b64(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }
}
