package jctr.kernel.image;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Assumptions;

/**
 * Debian's {@code docker-registry} (distribution 2.x) on 127.0.0.1 for integration tests: filesystem
 * storage in a directory the test owns, a free port, and {@code skopeo} to push OCI layouts into it.
 * {@link #close()} stops the process; the test's temp directory holds everything else.
 */
public final class LocalRegistry implements AutoCloseable {

    private static final Path BINARY = Path.of("/usr/bin/docker-registry");

    private final Process process;
    private final Thread reaper;
    private final String hostPort;
    private final Path storage;
    private final Path work;

    private LocalRegistry(Process process, String hostPort, Path storage, Path work) {
        this.process = process;
        // If the test JVM is killed before @AfterAll runs, do not leave the registry behind.
        this.reaper = new Thread(process::destroyForcibly);
        Runtime.getRuntime().addShutdownHook(reaper);
        this.hostPort = hostPort;
        this.storage = storage;
        this.work = work;
    }

    /** Skips the calling test unless docker-registry and skopeo are installed (scripts/setup-host.sh installs both). */
    public static void assumeTools() {
        Assumptions.assumeTrue(Files.isExecutable(BINARY), "docker-registry is not installed");
        Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/skopeo")), "skopeo is not installed");
    }

    /**
     * Starts a registry working in {@code work} (created).
     *
     * @param authYaml an {@code auth:} section to add (indented by two spaces per level), or null for none
     */
    public static LocalRegistry start(Path work, String authYaml) throws IOException, InterruptedException {
        assumeTools();
        Files.createDirectories(work);
        Path storage = work.resolve("storage");
        int port = freePort();
        String config = """
                version: 0.1
                log:
                  level: warn
                  accesslog:
                    disabled: true
                storage:
                  filesystem:
                    rootdirectory: %s
                  delete:
                    enabled: true
                http:
                  addr: 127.0.0.1:%d
                """.formatted(storage, port) + (authYaml == null ? "" : authYaml);
        Path configFile = work.resolve("config.yml");
        Files.writeString(configFile, config);
        Process p = new ProcessBuilder(BINARY.toString(), "serve", configFile.toString())
                .redirectErrorStream(true).redirectOutput(work.resolve("registry.log").toFile()).start();
        LocalRegistry r = new LocalRegistry(p, "127.0.0.1:" + port, storage, work);
        try {
            r.awaitReady();
        } catch (RuntimeException | IOException | InterruptedException e) {
            r.close();
            throw e;
        }
        return r;
    }

    private void awaitReady() throws IOException, InterruptedException {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("docker-registry exited: " + Files.readString(work.resolve("registry.log")));
            }
            try {
                HttpResponse<Void> r = http.send(HttpRequest.newBuilder(URI.create("http://" + hostPort + "/v2/")).build(),
                        HttpResponse.BodyHandlers.discarding());
                if (r.statusCode() == 200 || r.statusCode() == 401) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            }
            Thread.sleep(50);
        }
        throw new IllegalStateException("docker-registry did not come up on " + hostPort);
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** {@code 127.0.0.1:<port>}. */
    public String hostPort() {
        return hostPort;
    }

    /** The file holding blob {@code d} in the registry's storage. */
    public Path blobData(Digest d) {
        return storage.resolve("docker/registry/v2/blobs/" + d.algorithm() + "/" + d.hex().substring(0, 2) + "/" + d.hex() + "/data");
    }

    /**
     * Pushes {@code layout:ref} (an OCI layout) to {@code repoAndTag} in this registry with skopeo.
     *
     * @param creds {@code user:password} or null
     */
    public void push(Path layout, String ref, String repoAndTag, String creds) {
        List<String> cmd = new ArrayList<>(List.of("skopeo", "copy", "--quiet", "--all", "--dest-tls-verify=false"));
        if (creds != null) {
            cmd.add("--dest-creds=" + creds);
        }
        cmd.add("oci:" + layout + ":" + ref);
        cmd.add("docker://" + hostPort + "/" + repoAndTag);
        skopeo(work, cmd);
    }

    /** Runs a skopeo command line (with an accept-anything policy in {@code work}); fails on a non-zero exit. */
    public static String skopeo(Path work, List<String> cmd) {
        try {
            Path policy = work.resolve("policy.json");
            if (!Files.exists(policy)) {
                Files.writeString(policy, "{\"default\":[{\"type\":\"insecureAcceptAnything\"}]}");
            }
            List<String> full = new ArrayList<>(cmd);
            full.add(1, "--policy=" + policy);
            full.add(2, "--tmpdir=" + Files.createDirectories(work.resolve("skopeo-tmp")));
            Process p = new ProcessBuilder(full).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes());
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException("skopeo timed out: " + full);
            }
            if (p.exitValue() != 0) {
                throw new IllegalStateException("skopeo failed (" + p.exitValue() + "): " + full + "\n" + out);
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        try {
            Runtime.getRuntime().removeShutdownHook(reaper);
        } catch (IllegalStateException e) {
            // already shutting down: the hook runs
        }
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
