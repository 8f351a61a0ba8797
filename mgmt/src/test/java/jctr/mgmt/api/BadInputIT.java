package jctr.mgmt.api;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import jctr.kernel.testing.RootOnly;
import jctr.mgmt.cli.client.ApiClient;
import jctr.mgmt.testing.TestDaemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Bad requests get Docker-style errors ({@code {"message": ...}}, application/json, the right status) and
 * the daemon keeps serving: malformed JSON, unknown container, name conflict, a bind of a missing path,
 * negative memory, and a 1 GiB body.
 */
class BadInputIT {

    static TestDaemon daemon;
    static ApiClient client;

    @BeforeAll
    static void start() throws IOException {
        RootOnly.assumeRoot();
        daemon = TestDaemon.start();
        client = new ApiClient(daemon.socket());
        // A busybox image, loaded as an OCI layout tar (no registry needed here).
        java.nio.file.Path work = daemon.dir().resolve("image");
        jctr.kernel.image.TestImages.Layout layout = new jctr.kernel.image.TestImages.Layout(work.resolve("layout"));
        layout.image(List.of(jctr.kernel.testing.LayerTar.ofDirectory(
                jctr.kernel.testing.BusyboxRootfs.create(work.resolve("rootfs")))), true, List.of("sh"), Map.of());
        byte[] tar = jctr.kernel.testing.LayerTar.ofDirectory(layout.dir());
        String id;
        try (ApiClient.Response r = client.requestRaw("POST", ApiClient.path("/images/load", Map.of()), tar,
                "application/x-tar")) {
            String text = r.check().text();
            id = text.substring(text.indexOf("sha256:"), text.indexOf("sha256:") + 71);
        }
        try (ApiClient.Response r = client.request("POST", ApiClient.path("/images/" + id + "/tag",
                Map.of("repo", "busybox", "tag", "latest")), null)) {
            r.check();
        }
    }

    @AfterAll
    static void stop() {
        if (daemon != null) {
            daemon.close();
        }
    }

    private static JsonNode error(ApiClient.Response r, int status) throws IOException {
        assertEquals(status, r.status());
        assertEquals("application/json", r.header("Content-Type"));
        JsonNode n = r.json();
        assertTrue(n.hasNonNull("message"), n.toString());
        return n;
    }

    private static void stillServing() throws IOException {
        try (ApiClient.Response r = client.request("GET", "/_ping", null)) {
            assertEquals(200, r.status());
            assertEquals("OK", r.text());
            assertEquals(ApiVersions.CURRENT, r.header("Api-Version"));
        }
    }

    @Test
    void malformedJsonIs400() throws IOException {
        try (ApiClient.Response r = rawPost("/v1.50/containers/create", "{\"Image\": \"busybox\", ")) {
            assertTrue(error(r, 400).get("message").asText().contains("invalid JSON"));
        }
        try (ApiClient.Response r = rawPost("/v1.50/volumes/create", "[1, 2")) {
            error(r, 400);
        }
        stillServing();
    }

    @Test
    void unknownContainerIs404() throws IOException {
        try (ApiClient.Response r = client.request("GET", ApiClient.path("/containers/nope/json", Map.of()), null)) {
            assertEquals("No such container: nope", error(r, 404).get("message").asText());
        }
        try (ApiClient.Response r = client.request("POST", ApiClient.path("/containers/nope/start", Map.of()), null)) {
            error(r, 404);
        }
        try (ApiClient.Response r = client.request("GET", ApiClient.path("/volumes/nope", Map.of()), null)) {
            error(r, 404);
        }
        try (ApiClient.Response r = client.request("GET", "/v1.50/no/such/endpoint", null)) {
            assertEquals("page not found", error(r, 404).get("message").asText());
        }
        stillServing();
    }

    @Test
    void aBindOfAMissingPathAndNegativeMemoryAre400() throws IOException {
        Map<String, Object> bind = Map.of("Image", "busybox", "HostConfig", Map.of("Mounts", List.of(Map.of(
                "Type", "bind", "Source", "/nonexistent/jctr", "Target", "/x"))));
        try (ApiClient.Response r = client.request("POST", ApiClient.path("/containers/create", Map.of()), bind)) {
            assertTrue(error(r, 400).get("message").asText().contains("bind source path does not exist"));
        }
        Map<String, Object> mem = Map.of("Image", "busybox", "HostConfig", Map.of("Memory", -5));
        try (ApiClient.Response r = client.request("POST", ApiClient.path("/containers/create", Map.of()), mem)) {
            assertTrue(error(r, 400).get("message").asText().contains("Memory"));
        }
        stillServing();
    }

    @Test
    void aNameConflictIs409() throws IOException {
        Map<String, Object> body = Map.of("Image", "busybox", "Cmd", List.of("true"));
        String path = ApiClient.path("/containers/create", Map.of("name", "twin"));
        try (ApiClient.Response r = client.request("POST", path, body)) {
            assertEquals(201, r.status());
        }
        try (ApiClient.Response r = client.request("POST", path, body)) {
            assertTrue(error(r, 409).get("message").asText().contains("is already in use"));
        }
        try (ApiClient.Response r = client.request("DELETE", ApiClient.path("/containers/twin", Map.of()), null)) {
            assertEquals(204, r.status());
        }
        try (ApiClient.Response r = client.request("POST", ApiClient.path("/containers/create", Map.of()),
                Map.of("Image", "no-such-image-jctr"))) {
            assertTrue(error(r, 404).get("message").asText().startsWith("No such image"));
        }
        try (ApiClient.Response r = client.request("POST", ApiClient.path("/volumes/create", Map.of()),
                Map.of("Name", "bad name!"))) {
            error(r, 400);
        }
        stillServing();
    }

    @Test
    void aOneGibibyteBodyIsRefusedWithoutHarm() throws IOException {
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            ch.connect(UnixDomainSocketAddress.of(daemon.socket()));
            OutputStream out = Channels.newOutputStream(ch);
            out.write(("POST /v1.50/containers/create HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                    + "Content-Length: 1073741824\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
            out.write("{\"Image\":\"".getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            InputStream in = Channels.newInputStream(ch);
            String head = new String(in.readNBytes(12), StandardCharsets.ISO_8859_1);
            assertEquals("HTTP/1.1 413", head);
        }
        // Chunked, without a length: refused once past the bound, as it streams in.
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            ch.connect(UnixDomainSocketAddress.of(daemon.socket()));
            OutputStream out = Channels.newOutputStream(ch);
            out.write(("POST /v1.50/containers/create HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                    + "Transfer-Encoding: chunked\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
            byte[] chunk = new byte[1 << 20];
            java.util.Arrays.fill(chunk, (byte) ' ');
            byte[] size = (Integer.toHexString(chunk.length) + "\r\n").getBytes(StandardCharsets.ISO_8859_1);
            try {
                for (int i = 0; i < 1024; i++) {
                    out.write(size);
                    out.write(chunk);
                    out.write("\r\n".getBytes(StandardCharsets.ISO_8859_1));
                }
            } catch (IOException e) {
                // the server stopped reading and closed: expected
            }
            InputStream in = Channels.newInputStream(ch);
            String head = new String(in.readNBytes(12), StandardCharsets.ISO_8859_1);
            assertEquals("HTTP/1.1 413", head);
        } catch (IOException e) {
            // closed before we could read the answer: also a refusal
        }
        stillServing();
    }

    private static ApiClient.Response rawPost(String path, String body) throws IOException {
        return client.requestRaw("POST", path, body.getBytes(StandardCharsets.UTF_8), "application/json");
    }
}
