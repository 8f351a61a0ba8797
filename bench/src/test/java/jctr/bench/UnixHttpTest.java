package jctr.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class UnixHttpTest {

    @TempDir
    Path dir;

    /** Serves one connection with {@code response} and returns what the client sent. */
    private CompletableFuture<String> serveOnce(ServerSocketChannel server, String response) {
        return CompletableFuture.supplyAsync(() -> {
            try (SocketChannel ch = server.accept()) {
                InputStream in = Channels.newInputStream(ch);
                ByteArrayOutputStream request = new ByteArrayOutputStream();
                // Headers, then as many body bytes as Content-Length says.
                while (!request.toString(StandardCharsets.ISO_8859_1).contains("\r\n\r\n")) {
                    request.write(in.read());
                }
                String head = request.toString(StandardCharsets.ISO_8859_1);
                int length = Integer.parseInt(head.replaceAll("(?s).*Content-Length: (\\d+).*", "$1"));
                request.write(in.readNBytes(length));
                Channels.newOutputStream(ch).write(response.getBytes(StandardCharsets.UTF_8));
                return request.toString(StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
    }

    private ServerSocketChannel listen(Path socket) throws IOException {
        ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(socket));
        return server;
    }

    @Test
    void sendsTheBodyAndReadsAContentLengthResponse() throws Exception {
        Path socket = dir.resolve("s.sock");
        try (ServerSocketChannel server = listen(socket)) {
            CompletableFuture<String> sent = serveOnce(server,
                    "HTTP/1.1 201 Created\r\nContent-Type: application/json\r\nContent-Length: 11\r\n\r\n{\"Id\":\"ab\"}");
            UnixHttp.Reply r = new UnixHttp(socket).send("POST", "/containers/create?name=x", "{\"Image\":\"busybox\"}");
            assertEquals(201, r.status());
            assertEquals("{\"Id\":\"ab\"}", r.body());
            String request = sent.get();
            assertTrue(request.startsWith("POST /containers/create?name=x HTTP/1.1\r\n"), request);
            assertTrue(request.contains("Content-Type: application/json\r\n"), request);
            assertTrue(request.endsWith("\r\n\r\n{\"Image\":\"busybox\"}"), request);
        }
    }

    @Test
    void decodesAChunkedResponse() throws Exception {
        Path socket = dir.resolve("s.sock");
        try (ServerSocketChannel server = listen(socket)) {
            serveOnce(server, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                    + "5\r\n{\"Sta\r\na;ext=1\r\ntusCode\":0\r\n1\r\n}\r\n0\r\n\r\n");
            UnixHttp.Reply r = new UnixHttp(socket).send("POST", "/containers/ab/wait", null);
            assertEquals(200, r.status());
            assertEquals("{\"StatusCode\":0}", r.body());
        }
    }

    @Test
    void expect2xxNamesTheRequestAndTheDaemonsMessage() throws Exception {
        Path socket = dir.resolve("s.sock");
        try (ServerSocketChannel server = listen(socket)) {
            serveOnce(server, "HTTP/1.1 404 Not Found\r\nContent-Length: 36\r\n\r\n{\"message\":\"No such image: busybox\"}");
            IOException e = assertThrows(IOException.class,
                    () -> new UnixHttp(socket).expect2xx("POST", "/containers/create", "{}"));
            assertTrue(e.getMessage().contains("POST /containers/create answered 404"), e.getMessage());
            assertTrue(e.getMessage().contains("No such image: busybox"), e.getMessage());
        }
    }

    @Test
    void refusesWhatIsNotHttp() throws Exception {
        Path socket = dir.resolve("s.sock");
        try (ServerSocketChannel server = listen(socket)) {
            serveOnce(server, "hello");
            IOException e = assertThrows(IOException.class, () -> new UnixHttp(socket).send("GET", "/_ping", null));
            assertTrue(e.getMessage().contains("not an HTTP response"), e.getMessage());
        }
    }
}
