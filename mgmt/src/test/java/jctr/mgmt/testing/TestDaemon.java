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
        Path configFile = dir.resolve("config.json");
        try {
            // Containers' cgroups go under jctr-test/<this daemon>, as every test's must.
            Files.writeString(configFile, "{\"driverOptions\": {\"cgroup-v1\": {\"parent\": \"" + cgroupParent()
                    + "\"}, \"cgroup-v2\": {\"parent\": \"" + cgroupParent() + "\"}}}\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        EngineConfig cfg = EngineConfig.load(configFile, Map.of(), Map.of(
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

    /** The cgroup parent of this daemon's containers (relative to each hierarchy's root). */
    public String cgroupParent() {
        return "jctr-test/" + dir.getFileName();
    }

    /** Removes every container left (killing it), stops the daemon, and removes its cgroup parents and files. */
    @Override
    public void close() {
        try {
            try {
                for (jctr.mgmt.engine.Container c : engine.containers().list(x -> true)) {
                    try {
                        engine.containers().remove(c.id(), true, true);
                    } catch (RuntimeException e) {
                        System.err.println("TestDaemon: removing " + c.id() + ": " + e);
                    }
                }
            } catch (RuntimeException e) {
                // no storage driver: no containers
            }
            server.close();
        } finally {
            engine.close();
            removeCgroupParents();
            deleteTree(dir);
        }
    }

    private void removeCgroupParents() {
        try (Stream<Path> hierarchies = Files.list(Path.of("/sys/fs/cgroup"))) {
            for (Path h : hierarchies.toList()) {
                Path p = h.resolve(cgroupParent());
                if (Files.isDirectory(p)) {
                    try {
                        Files.delete(p); // rmdir: succeeds only when empty, which is what must be true here
                    } catch (IOException e) {
                        System.err.println("TestDaemon: cgroup " + p + " left: " + e);
                    }
                }
            }
        } catch (IOException e) {
            // no cgroup file system
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
