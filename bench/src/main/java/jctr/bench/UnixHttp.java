package jctr.bench;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;

/**
 * HTTP/1.1 requests to the jctr daemon's Docker Engine API on its unix socket, one connection each
 * ({@code Connection: close}), as the docker CLI sends them. Only what the memory benchmark needs: a JSON body
 * out, the status and whole body back (plain or chunked). The JDK's HTTP client cannot reach a unix socket.
 */
final class UnixHttp {

    /** A response: status code and body text. */
    record Reply(int status, String body) {
    }

    private final Path socket;

    UnixHttp(Path socket) {
        this.socket = socket;
    }

    /** Sends {@code method path} with {@code json} as body (null: none) and reads the whole response. */
    Reply send(String method, String path, String json) throws IOException {
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            ch.connect(UnixDomainSocketAddress.of(socket));
            byte[] body = json == null ? new byte[0] : json.getBytes(StandardCharsets.UTF_8);
            String head = method + " " + path + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n"
                    + (json == null ? "" : "Content-Type: application/json\r\n")
                    + "Content-Length: " + body.length + "\r\n\r\n";
            OutputStream out = Channels.newOutputStream(ch);
            out.write(head.getBytes(StandardCharsets.US_ASCII));
            out.write(body);
            out.flush();
            return parse(Channels.newInputStream(ch).readAllBytes(), method + " " + path);
        }
    }

    /** Like {@link #send}, but throws unless the status is 2xx. */
    String expect2xx(String method, String path, String json) throws IOException {
        Reply r = send(method, path, json);
        if (r.status() / 100 != 2) {
            throw new IOException(method + " " + path + " answered " + r.status() + ": " + r.body().strip());
        }
        return r.body();
    }

    private static Reply parse(byte[] raw, String request) throws IOException {
        String text = new String(raw, StandardCharsets.ISO_8859_1);
        int end = text.indexOf("\r\n\r\n");
        if (!text.startsWith("HTTP/1.") || end < 0) {
            throw new IOException(request + ": not an HTTP response: " + text.substring(0, Math.min(200, text.length())));
        }
        String[] headers = text.substring(0, end).split("\r\n");
        int status = Integer.parseInt(headers[0].split(" ")[1]);
        boolean chunked = false;
        for (String h : headers) {
            String lower = h.toLowerCase(Locale.ROOT);
            chunked |= lower.startsWith("transfer-encoding:") && lower.contains("chunked");
        }
        byte[] body = Arrays.copyOfRange(raw, end + 4, raw.length);
        return new Reply(status, new String(chunked ? dechunk(body, request) : body, StandardCharsets.UTF_8));
    }

    /** The body of a chunked transfer: hex size line, data, CRLF; up to the chunk of size 0. */
    private static byte[] dechunk(byte[] in, String request) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int i = 0;
        while (true) {
            int eol = indexOfCrlf(in, i);
            if (eol < 0) {
                throw new IOException(request + ": truncated chunked body");
            }
            String sizeLine = new String(in, i, eol - i, StandardCharsets.US_ASCII);
            int semicolon = sizeLine.indexOf(';');
            int size = Integer.parseInt((semicolon < 0 ? sizeLine : sizeLine.substring(0, semicolon)).strip(), 16);
            if (size == 0) {
                return out.toByteArray();
            }
            if (eol + 2 + size > in.length) {
                throw new IOException(request + ": truncated chunked body");
            }
            out.write(in, eol + 2, size);
            i = eol + 2 + size + 2;
        }
    }

    private static int indexOfCrlf(byte[] b, int from) {
        for (int i = from; i + 1 < b.length; i++) {
            if (b[i] == '\r' && b[i + 1] == '\n') {
                return i;
            }
        }
        return -1;
    }
}
