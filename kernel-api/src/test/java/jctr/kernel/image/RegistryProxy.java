package jctr.kernel.image;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An HTTP/1.1 proxy in front of a {@link LocalRegistry} that misbehaves on request, written on plain
 * sockets so that it controls the connection: it cuts a blob download after some bytes by closing the
 * socket, stalls one (sends some bytes, then nothing), delays blob responses (to observe parallel
 * fetching), and records every request with its Range header. Every response closes its connection.
 */
public final class RegistryProxy implements AutoCloseable {

    /** A request the proxy saw. */
    public record Seen(String path, String range) {
    }

    private final ServerSocket server;
    private final String upstream;
    private final ExecutorService pool = Executors.newCachedThreadPool();
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private final List<Seen> seen = new CopyOnWriteArrayList<>();
    private final Map<String, Long> cutAfter = new ConcurrentHashMap<>();
    private final Map<String, Long> stallAfter = new ConcurrentHashMap<>();
    private final Set<String> done = ConcurrentHashMap.newKeySet();
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicInteger maxInFlight = new AtomicInteger();
    private volatile long blobDelayMillis;

    public RegistryProxy(String upstreamHostPort) throws IOException {
        this.upstream = "http://" + upstreamHostPort;
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        pool.execute(this::accept);
    }

    /** {@code 127.0.0.1:<port>}. */
    public String hostPort() {
        return "127.0.0.1:" + server.getLocalPort();
    }

    /** The first GET of blob {@code d} sends only {@code bytes} bytes, then closes the connection. */
    public void cutOnce(Digest d, long bytes) {
        cutAfter.put(d.toString(), bytes);
    }

    /** The first GET of blob {@code d} sends only {@code bytes} bytes, then keeps the connection open, silent. */
    public void stallOnce(Digest d, long bytes) {
        stallAfter.put(d.toString(), bytes);
    }

    /** Blob responses wait this long before their headers go out. */
    public void delayBlobs(long millis) {
        blobDelayMillis = millis;
    }

    public List<Seen> seen() {
        return List.copyOf(seen);
    }

    /** The most blob downloads that were in flight at once. */
    public int maxParallelBlobs() {
        return maxInFlight.get();
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket s = server.accept();
                open.add(s);
                pool.execute(() -> serve(s));
            } catch (IOException e) {
                return; // closed
            }
        }
    }

    private void serve(Socket socket) {
        boolean blob = false;
        try (socket) {
            InputStream in = new BufferedInputStream(socket.getInputStream());
            String requestLine = line(in);
            if (requestLine == null || requestLine.isEmpty()) {
                return;
            }
            Map<String, String> headers = new LinkedHashMap<>();
            for (String h = line(in); h != null && !h.isEmpty(); h = line(in)) {
                int colon = h.indexOf(':');
                headers.put(h.substring(0, colon).trim().toLowerCase(), h.substring(colon + 1).trim());
            }
            String[] parts = requestLine.split(" ");
            String method = parts[0];
            String path = parts[1];
            seen.add(new Seen(path, headers.get("range")));
            blob = path.contains("/blobs/");
            if (blob) {
                maxInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
                if (blobDelayMillis > 0) {
                    Thread.sleep(blobDelayMillis);
                }
            }
            HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(upstream + path))
                    .method(method, HttpRequest.BodyPublishers.noBody());
            for (String h : List.of("accept", "authorization", "range")) {
                if (headers.containsKey(h)) {
                    b.header(h, headers.get(h));
                }
            }
            HttpResponse<InputStream> r = http.send(b.build(), HttpResponse.BodyHandlers.ofInputStream());
            OutputStream out = socket.getOutputStream();
            StringBuilder head = new StringBuilder("HTTP/1.1 " + r.statusCode() + " X\r\n");
            List<String> skip = List.of("connection", "transfer-encoding", "keep-alive", ":status");
            r.headers().map().forEach((k, values) -> {
                if (!skip.contains(k.toLowerCase())) {
                    values.forEach(v -> head.append(k).append(": ").append(v).append("\r\n"));
                }
            });
            head.append("Connection: close\r\n\r\n");
            out.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
            String digest = blob ? path.substring(path.lastIndexOf('/') + 1) : null;
            try (InputStream body = r.body()) {
                if (digest != null && r.statusCode() == 200 && done.add(digest + "#first")) {
                    Long cut = cutAfter.get(digest);
                    Long stall = stallAfter.get(digest);
                    if (cut != null || stall != null) {
                        out.write(body.readNBytes((int) (long) (cut != null ? cut : stall)));
                        out.flush();
                        if (stall != null) {
                            Thread.sleep(Long.MAX_VALUE); // silent until the proxy is closed
                        }
                        return; // closing the socket mid-body: the client sees the connection drop
                    }
                }
                if (!method.equals("HEAD")) {
                    body.transferTo(out);
                }
            }
            out.flush();
        } catch (IOException | InterruptedException e) {
            // client went away, or the proxy is closing
        } finally {
            open.remove(socket);
            if (blob) {
                inFlight.decrementAndGet();
            }
        }
    }

    private static String line(InputStream in) throws IOException {
        List<Byte> bytes = new ArrayList<>();
        int c;
        while ((c = in.read()) >= 0) {
            if (c == '\n') {
                break;
            }
            if (c != '\r') {
                bytes.add((byte) c);
            }
        }
        if (c < 0 && bytes.isEmpty()) {
            return null;
        }
        byte[] b = new byte[bytes.size()];
        for (int i = 0; i < b.length; i++) {
            b[i] = bytes.get(i);
        }
        return new String(b, StandardCharsets.ISO_8859_1);
    }

    @Override
    public void close() {
        try {
            server.close();
        } catch (IOException e) {
            // closing anyway
        }
        for (Socket s : open) {
            try {
                s.close();
            } catch (IOException e) {
                // closing anyway
            }
        }
        pool.shutdownNow();
    }
}
