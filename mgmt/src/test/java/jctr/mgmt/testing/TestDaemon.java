package jctr.mgmt.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.stream.Stream;

import jctr.kernel.config.EngineConfig;
import jctr.mgmt.api.ApiConfig;
import jctr.mgmt.api.ApiServer;
import jctr.mgmt.engine.Engine;

/**
 * An engine and its API served in this JVM on a temporary socket, with temporary state and data roots
 * (short paths under /tmp: unix socket paths are limited to 108 bytes). {@link #restart} closes and
 * reopens both over the same roots, as a daemon restart does.
 */
public final class TestDaemon implements AutoCloseable {

    private final Path dir;
    private final ApiConfig.Tcp tcp;
    private Engine engine;
    private ApiServer server;

    private TestDaemon(Path dir, ApiConfig.Tcp tcp) {
        this.dir = dir;
        this.tcp = tcp;
    }

    /** Starts a daemon in a fresh temporary directory. */
    public static TestDaemon start() {
        return start(null);
    }

    /** Starts a daemon that also listens on TCP. */
    public static TestDaemon start(ApiConfig.Tcp tcp) {
        try {
            TestDaemon d = new TestDaemon(Files.createTempDirectory(Path.of("/tmp"), "jctr-it-"), tcp);
            d.open();
            return d;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void open() {
        EngineConfig cfg = EngineConfig.load(null, Map.of(), Map.of(
                "state-root", dir.resolve("state").toString(),
                "data-root", dir.resolve("data").toString()));
        engine = Engine.open(cfg);
        try {
            server = ApiServer.start(engine, new ApiConfig(socket(), tcp, ApiConfig.DEFAULT_MAX_REQUEST_BODY));
        } catch (RuntimeException e) {
            engine.close();
            throw e;
        }
    }

    /** Stops the API and the engine, then starts both again over the same roots. */
    public void restart() {
        server.close();
        engine.close();
        open();
    }

    /** The TCP port, when listening on TCP. */
    public int tcpPort() {
        return server.tcpPort();
    }

    public Path socket() {
        return dir.resolve("d.sock");
    }

    public Path dir() {
        return dir;
    }

    public Engine engine() {
        return engine;
    }

    /** {@code DOCKER_HOST} for this daemon. */
    public String dockerHost() {
        return "unix://" + socket();
    }

    @Override
    public void close() {
        try {
            server.close();
        } finally {
            engine.close();
            deleteTree(dir);
        }
    }

    /** Removes a directory tree (test cleanup). */
    public static void deleteTree(Path p) {
        if (!Files.exists(p)) {
            return;
        }
        try (Stream<Path> s = Files.walk(p)) {
            for (Path x : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(x);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
