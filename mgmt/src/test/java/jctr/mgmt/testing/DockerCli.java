package jctr.mgmt.testing;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Runs the real docker CLI (28.2.2, client only) against a {@link TestDaemon}, with a private config
 * directory so that the host's docker settings play no part.
 */
public final class DockerCli {

    /** What a docker command did. */
    public record Result(int exit, String out, String err) {
        @Override
        public String toString() {
            return "exit " + exit + "\n--- stdout\n" + out + "--- stderr\n" + err;
        }
    }

    private static final java.util.concurrent.Executor READERS = r -> Thread.ofVirtual().start(r);

    private final TestDaemon daemon;

    public DockerCli(TestDaemon daemon) {
        this.daemon = daemon;
    }

    /** Whether the docker CLI is installed. */
    public static boolean available() {
        return Files.isExecutable(Path.of("/usr/local/bin/docker")) || Files.isExecutable(Path.of("/usr/bin/docker"));
    }

    /** Runs {@code docker args...} with empty stdin. */
    public Result run(String... args) {
        return runWithInput(null, args);
    }

    /** Runs {@code docker args...} with {@code stdin} (null: empty) and a 120 s limit. */
    public Result runWithInput(String stdin, String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add("docker");
        cmd.addAll(List.of(args));
        return exec(cmd, stdin);
    }

    /** Runs any command with DOCKER_HOST pointing at the daemon. */
    public Result exec(List<String> cmd, String stdin) {
        return exec(cmd, stdin == null ? List.of() : List.of(stdin), 0);
    }

    /**
     * Runs a command, feeding its stdin in {@code chunks} with {@code pauseMillis} before each (to type into a
     * terminal once the program has set it up).
     */
    public Result exec(List<String> cmd, List<String> chunks, long pauseMillis) {
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().put("DOCKER_HOST", daemon.dockerHost());
        pb.environment().put("DOCKER_CONFIG", daemon.dir().resolve("docker-config").toString());
        pb.environment().remove("DOCKER_CONTEXT");
        try {
            Process p = pb.start();
            // Own threads: the common pool may be busy with a test's other docker command (it has one thread on 2 CPUs).
            CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> read(p.getInputStream()), READERS);
            CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> read(p.getErrorStream()), READERS);
            try (OutputStream in = p.getOutputStream()) {
                for (String chunk : chunks) {
                    if (pauseMillis > 0) {
                        Thread.sleep(pauseMillis);
                    }
                    in.write(chunk.getBytes(StandardCharsets.UTF_8));
                    in.flush();
                }
            } catch (IOException e) {
                // the program ended before reading all of its input
            }
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                p.waitFor();
                throw new AssertionError("timed out: " + cmd + "\n" + out.getNow("") + err.getNow(""));
            }
            return new Result(p.exitValue(), out.join(), err.join());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    private static String read(java.io.InputStream in) {
        try {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
