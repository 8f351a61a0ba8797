package jctr.mgmt.api;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashMap;
import java.util.Map;

import io.micronaut.context.ApplicationContext;
import io.micronaut.runtime.server.EmbeddedServer;
import jctr.kernel.AlreadyExistsException;
import jctr.mgmt.engine.Engine;

/**
 * The Docker Engine API-compatible management service: Micronaut's Netty HTTP server on a unix socket
 * (native epoll transport), optionally also on TCP, serving one {@link Engine}.
 *
 * <p>Micronaut's beans here are the controllers, the error mapping, and {@link DockerPipeline}, which adds
 * jctr's own Netty handlers for version prefixes, body limits and the streaming/hijacking endpoints.
 */
public final class ApiServer implements AutoCloseable {

    private final ApplicationContext context;
    private final ApiConfig config;

    private ApiServer(ApplicationContext context, ApiConfig config) {
        this.context = context;
        this.config = config;
    }

    /**
     * Starts serving {@code engine}.
     *
     * @throws AlreadyExistsException if another server answers on the socket
     */
    public static ApiServer start(Engine engine, ApiConfig config) {
        Path socket = config.unixSocket();
        prepareSocketPath(socket);
        Map<String, Object> props = new HashMap<>();
        props.put("micronaut.server.netty.listeners.unix.family", "UNIX");
        props.put("micronaut.server.netty.listeners.unix.path", socket.toString());
        if (config.tcp() != null) {
            props.putAll(TcpSecurity.properties(config.tcp()));
        }
        props.put("micronaut.server.netty.worker.prefer-native-transport", true);
        props.put("micronaut.server.netty.parent.prefer-native-transport", true);
        props.put("micronaut.netty.event-loops.default.prefer-native-transport", true);
        props.put("micronaut.server.max-request-size", config.maxRequestBody());
        // Controllers call the engine, which blocks (processes, files): run them off the event loop.
        props.put("micronaut.server.thread-selection", "BLOCKING");
        // Attach, logs -f, events and wait stay idle for as long as the container runs.
        props.put("micronaut.server.idle-timeout", "-1s");
        props.put("micronaut.server.read-idle-timeout", "-1s");
        props.put("micronaut.server.write-idle-timeout", "-1s");
        props.put("micronaut.server.date-header", true);
        ApplicationContext ctx = ApplicationContext.builder()
                .deduceEnvironment(false)
                .deduceCloudEnvironment(false)
                .banner(false)
                .properties(props)
                .singletons(new ApiContext(engine, config))
                .start();
        try {
            EmbeddedServer server = ctx.getBean(EmbeddedServer.class);
            server.start();
            Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("rw-------"));
            return new ApiServer(ctx, config);
        } catch (IOException | RuntimeException e) {
            ctx.close();
            if (e instanceof RuntimeException r) {
                throw r;
            }
            throw new UncheckedIOException("cannot restrict " + socket, (IOException) e);
        }
    }

    /** The TCP port served (when a TCP listener is configured with port 0, the one picked). */
    public int tcpPort() {
        return context.getBean(EmbeddedServer.class).getPort();
    }

    /** The unix socket served. */
    public Path socket() {
        return config.unixSocket();
    }

    /** Stops listening and closes open connections. The engine stays open (it is the caller's). */
    @Override
    public void close() {
        context.close();
        try {
            Files.deleteIfExists(config.unixSocket());
        } catch (IOException e) {
            // a stale socket file is replaced at the next start
        }
    }

    /**
     * Creates the socket's directory (0700 when new) and removes a stale socket file, refusing if a live
     * server answers on it.
     */
    private static void prepareSocketPath(Path socket) {
        try {
            Path dir = socket.getParent();
            if (!Files.isDirectory(dir)) {
                Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            }
            if (Files.exists(socket)) {
                try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
                    ch.connect(UnixDomainSocketAddress.of(socket));
                    throw new AlreadyExistsException("another jctr daemon is listening on " + socket);
                } catch (IOException e) {
                    Files.delete(socket);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("preparing " + socket, e);
        }
    }
}
