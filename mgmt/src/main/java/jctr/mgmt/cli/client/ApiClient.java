package jctr.mgmt.cli.client;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.URLEncoder;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;

import jctr.mgmt.engine.DockerJson;

/**
 * A small HTTP/1.1 client of the Docker Engine API on a unix socket, for the {@code jctr} commands: plain
 * requests (one connection each), streamed bodies (chunked or not), and hijacked connections after
 * {@code 101 UPGRADED}. The JDK's HTTP client cannot reach a unix socket, hence this.
 */
public final class ApiClient {

    /** The API version the client speaks (the prefix of every path). */
    public static final String VERSION = "1.50";

    private final Path socket;

    public ApiClient(Path socket) {
        this.socket = socket;
    }

    public Path socket() {
        return socket;
    }

    /** Whether a daemon answers on the socket. */
    public boolean reachable() {
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            ch.connect(UnixDomainSocketAddress.of(socket));
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** A response: status, headers, and the body as a stream (close the response when done). */
    public static final class Response implements AutoCloseable {
        private final int status;
        private final Map<String, String> headers;
        private final InputStream body;
        private final SocketChannel channel;

        Response(int status, Map<String, String> headers, InputStream body, SocketChannel channel) {
            this.status = status;
            this.headers = headers;
            this.body = body;
            this.channel = channel;
        }

        public int status() {
            return status;
        }

        public String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }

        public InputStream body() {
            return body;
        }

        /** The whole body as text. */
        public String text() throws IOException {
            return new String(body.readAllBytes(), StandardCharsets.UTF_8);
        }

        /** The whole body as JSON. */
        public JsonNode json() throws IOException {
            byte[] b = body.readAllBytes();
            return b.length == 0 ? DockerJson.object() : DockerJson.mapper().readTree(b);
        }

        /** Throws the daemon's message when the status is an error. */
        public Response check() throws IOException {
            if (status >= 400) {
                String text = text();
                String message = text;
                try {
                    JsonNode n = DockerJson.mapper().readTree(text);
                    if (n.hasNonNull("message")) {
                        message = n.get("message").asText();
                    }
                } catch (IOException e) {
                    // not JSON: show it as it is
                }
                close();
                throw new ApiException(status, message.trim());
            }
            return this;
        }

        /** The raw connection of a hijacked response (101). */
        public SocketChannel channel() {
            return channel;
        }

        @Override
        public void close() {
            try {
                channel.close();
            } catch (IOException e) {
                // nothing to do
            }
        }
    }

    /** An error answer of the daemon. */
    public static final class ApiException extends IOException {
        private final int status;

        public ApiException(int status, String message) {
            super(message);
            this.status = status;
        }

        public int status() {
            return status;
        }
    }

    /** Builds a path with the version prefix and a query (null values are left out). */
    public static String path(String path, Map<String, ?> query) {
        StringBuilder sb = new StringBuilder("/v").append(VERSION).append(path);
        char sep = '?';
        for (Map.Entry<String, ?> e : query.entrySet()) {
            if (e.getValue() == null) {
                continue;
            }
            List<?> values = e.getValue() instanceof List<?> l ? l : List.of(e.getValue());
            for (Object v : values) {
                sb.append(sep).append(URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8)).append('=')
                        .append(URLEncoder.encode(String.valueOf(v), StandardCharsets.UTF_8));
                sep = '&';
            }
        }
        return sb.toString();
    }

    /** A request with an optional JSON body. */
    public Response request(String method, String path, Object jsonBody) throws IOException {
        byte[] body = jsonBody == null ? null : DockerJson.write(jsonBody);
        return send(method, path, body == null ? Map.of() : Map.of("Content-Type", "application/json"), body, false);
    }

    /** A request with a body sent as it is. */
    public Response requestRaw(String method, String path, byte[] body, String contentType) throws IOException {
        return send(method, path, Map.of("Content-Type", contentType), body, false);
    }

    /** A request asking to hijack the connection; the response's channel then carries raw bytes. */
    public Response hijack(String method, String path, Object jsonBody) throws IOException {
        byte[] body = jsonBody == null ? null : DockerJson.write(jsonBody);
        Map<String, String> h = new LinkedHashMap<>();
        h.put("Connection", "Upgrade");
        h.put("Upgrade", "tcp");
        if (body != null) {
            h.put("Content-Type", "application/json");
        }
        return send(method, path, h, body, true);
    }

    private Response send(String method, String path, Map<String, String> headers, byte[] body, boolean hijack)
            throws IOException {
        SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            ch.connect(UnixDomainSocketAddress.of(socket));
        } catch (IOException e) {
            ch.close();
            throw new IOException("Cannot connect to the jctr daemon at unix://" + socket + ". Is the daemon running?", e);
        }
        OutputStream out = Channels.newOutputStream(ch);
        StringBuilder req = new StringBuilder(method).append(' ').append(path).append(" HTTP/1.1\r\n");
        req.append("Host: api.moby.localhost\r\nUser-Agent: jctr\r\n");
        headers.forEach((k, v) -> req.append(k).append(": ").append(v).append("\r\n"));
        if (body != null) {
            req.append("Content-Length: ").append(body.length).append("\r\n");
        } else if (!method.equals("GET") && !method.equals("HEAD")) {
            req.append("Content-Length: 0\r\n");
        }
        if (!hijack) {
            req.append("Connection: close\r\n");
        }
        req.append("\r\n");
        out.write(req.toString().getBytes(StandardCharsets.ISO_8859_1));
        if (body != null) {
            out.write(body);
        }
        out.flush();
        InputStream in = Channels.newInputStream(ch);
        String statusLine = line(in);
        String[] parts = statusLine.split(" ", 3);
        if (parts.length < 2 || !parts[0].startsWith("HTTP/1.")) {
            ch.close();
            throw new IOException("not an HTTP answer from " + socket + ": " + statusLine);
        }
        int status = Integer.parseInt(parts[1]);
        Map<String, String> h = new LinkedHashMap<>();
        String l;
        while (!(l = line(in)).isEmpty()) {
            int c = l.indexOf(':');
            if (c > 0) {
                h.put(l.substring(0, c).trim().toLowerCase(Locale.ROOT), l.substring(c + 1).trim());
            }
        }
        InputStream bodyIn;
        if (status == 101 || (hijack && status == 200 && h.get("content-length") == null
                && !"chunked".equalsIgnoreCase(h.get("transfer-encoding")))) {
            bodyIn = in;
        } else if ("chunked".equalsIgnoreCase(h.get("transfer-encoding"))) {
            bodyIn = new ChunkedInputStream(in);
        } else if (h.containsKey("content-length")) {
            bodyIn = new LimitedInputStream(in, Long.parseLong(h.get("content-length")));
        } else if (status == 204 || status == 304 || method.equals("HEAD")) {
            bodyIn = InputStream.nullInputStream();
        } else {
            bodyIn = in;
        }
        return new Response(status, h, bodyIn, ch);
    }

    /** One CRLF-terminated line, without the line end. */
    static String line(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) >= 0) {
            if (c == '\n') {
                break;
            }
            if (c != '\r') {
                b.write(c);
            }
        }
        if (c < 0 && b.size() == 0) {
            throw new EOFException("the daemon closed the connection");
        }
        return b.toString(StandardCharsets.ISO_8859_1);
    }

    /** A body of known length. */
    private static final class LimitedInputStream extends InputStream {
        private final InputStream in;
        private long left;

        LimitedInputStream(InputStream in, long length) {
            this.in = in;
            this.left = length;
        }

        @Override
        public int read() throws IOException {
            byte[] b = new byte[1];
            return read(b, 0, 1) < 0 ? -1 : b[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (left <= 0) {
                return -1;
            }
            int n = in.read(b, off, (int) Math.min(len, left));
            if (n > 0) {
                left -= n;
            }
            return n;
        }
    }

    /** A chunked body, decoded. */
    private static final class ChunkedInputStream extends InputStream {
        private final InputStream in;
        private long left;
        private boolean done;

        ChunkedInputStream(InputStream in) {
            this.in = in;
        }

        @Override
        public int read() throws IOException {
            byte[] b = new byte[1];
            return read(b, 0, 1) < 0 ? -1 : b[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (done) {
                return -1;
            }
            if (left == 0) {
                String size = line(in);
                int semi = size.indexOf(';');
                left = Long.parseLong((semi < 0 ? size : size.substring(0, semi)).trim(), 16);
                if (left == 0) {
                    while (!line(in).isEmpty()) {
                        // trailers
                    }
                    done = true;
                    return -1;
                }
            }
            int n = in.read(b, off, (int) Math.min(len, left));
            if (n < 0) {
                throw new EOFException("chunked body cut short");
            }
            left -= n;
            if (left == 0) {
                line(in);
            }
            return n;
        }
    }
}
