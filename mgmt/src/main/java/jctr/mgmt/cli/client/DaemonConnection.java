package jctr.mgmt.cli.client;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import jctr.kernel.config.EngineConfig;

/**
 * How the {@code jctr} commands reach the engine: the daemon's unix socket, and when nobody answers there
 * (the README's main job on a fresh machine: {@code jctr run busybox echo hi}), a daemon started on demand,
 * in the background and in its own session ({@code setsid}), exactly as {@code jctr daemon} would run it.
 * It stays running for the next commands, like Docker's; {@code kill $(cat <stateRoot>/jctr-daemon.pid)}
 * stops it.
 */
public final class DaemonConnection {

    private static final long START_TIMEOUT_MILLIS = 120_000;

    private DaemonConnection() {
    }

    /** A client for the daemon at {@code socket}, starting one if none answers. */
    public static ApiClient connect(Path socket, EngineConfig config, List<String> engineFlags) throws IOException {
        ApiClient client = new ApiClient(socket);
        if (client.reachable()) {
            return client;
        }
        String launcher = System.getProperty("jctr.launcher");
        if (launcher == null || !Files.isExecutable(Path.of(launcher))) {
            throw new IOException("Cannot connect to the jctr daemon at unix://" + socket + ". Is the daemon running? "
                    + "(start it with: jctr daemon)");
        }
        Files.createDirectories(config.stateRoot());
        Path log = config.stateRoot().resolve("jctr-daemon.log");
        List<String> cmd = new ArrayList<>(List.of("setsid", launcher));
        cmd.addAll(engineFlags);
        cmd.addAll(List.of("daemon", "-H", "unix://" + socket, "--pid-file",
                config.stateRoot().resolve("jctr-daemon.pid").toString()));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        pb.redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        pb.redirectErrorStream(true);
        Process p = pb.start();
        long deadline = System.currentTimeMillis() + START_TIMEOUT_MILLIS;
        while (System.currentTimeMillis() < deadline) {
            if (client.reachable()) {
                return client;
            }
            if (!p.isAlive() && p.exitValue() != 0) {
                throw new IOException("the jctr daemon did not start (exit " + p.exitValue() + "); see " + log);
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while starting the daemon", e);
            }
        }
        throw new IOException("the jctr daemon did not answer on unix://" + socket + " within "
                + START_TIMEOUT_MILLIS / 1000 + "s; see " + log);
    }
}
