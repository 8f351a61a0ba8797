package jctr.mgmt.api;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.Objects;

import jctr.kernel.InvalidConfigException;

/**
 * Where and how the management API listens.
 *
 * <p>The unix socket is always served (mode 0600, owned by the engine's user: root). A TCP listener is
 * optional and must be authenticated: with TLS client certificates ({@link Tls}) or a bearer token; an
 * unauthenticated TCP listener is only accepted on a loopback address.
 *
 * @param unixSocket the socket path, e.g. {@code /run/jctr/jctr.sock}
 * @param tcp the optional TCP listener, or null
 * @param maxRequestBody the largest request body accepted (bigger ones get 413 without being read)
 */
public record ApiConfig(Path unixSocket, Tcp tcp, long maxRequestBody) {

    /** The default socket path. */
    public static final Path DEFAULT_SOCKET = Path.of("/run/jctr/jctr.sock");

    /** Default bound on request bodies: enough for any JSON request; image loads and builds stream. */
    public static final long DEFAULT_MAX_REQUEST_BODY = 16L * 1024 * 1024;

    public ApiConfig {
        Objects.requireNonNull(unixSocket, "unixSocket");
        if (!unixSocket.isAbsolute()) {
            throw new InvalidConfigException("", "api.unixSocket", "must be an absolute path: " + unixSocket);
        }
        if (maxRequestBody <= 0) {
            throw new InvalidConfigException("", "api.maxRequestBody", "must be positive: " + maxRequestBody);
        }
        if (tcp != null) {
            tcp.check();
        }
    }

    /** Only the unix socket at {@code socket}. */
    public static ApiConfig unix(Path socket) {
        return new ApiConfig(socket, null, DEFAULT_MAX_REQUEST_BODY);
    }

    /**
     * A TCP listener.
     *
     * @param host the address to bind
     * @param port the port (0 = any free port)
     * @param tls certificate files for TLS with required client certificates, or null
     * @param token a bearer token clients must send as {@code Authorization: Bearer <token>}, or null
     */
    public record Tcp(String host, int port, Tls tls, String token) {

        void check() {
            if (host == null || host.isBlank()) {
                throw new InvalidConfigException("", "api.tcp.host", "is required");
            }
            if (port < 0 || port > 65535) {
                throw new InvalidConfigException("", "api.tcp.port", "must be 0..65535: " + port);
            }
            if (tls == null && (token == null || token.isBlank()) && !isLoopback(host)) {
                throw new InvalidConfigException("", "api.tcp", "refusing an unauthenticated TCP listener on "
                        + host + ": configure TLS client certificates or a token, or bind a loopback address");
            }
        }

        private static boolean isLoopback(String host) {
            try {
                for (InetAddress a : InetAddress.getAllByName(host)) {
                    if (!a.isLoopbackAddress()) {
                        return false;
                    }
                }
                return true;
            } catch (UnknownHostException e) {
                throw new InvalidConfigException("", "api.tcp.host", "unknown host: " + host);
            }
        }
    }

    /**
     * TLS material (PEM files). Clients must present a certificate signed by {@code caCert}.
     *
     * @param cert the server certificate chain
     * @param key the server's private key (PKCS#8)
     * @param caCert the CA that signs client certificates
     */
    public record Tls(Path cert, Path key, Path caCert) {
        public Tls {
            if (cert == null || key == null || caCert == null) {
                throw new InvalidConfigException("", "api.tcp.tls", "TLS needs the server certificate, its key and the "
                        + "CA of the client certificates (--tlscert, --tlskey, --tlscacert)");
            }
        }
    }
}
