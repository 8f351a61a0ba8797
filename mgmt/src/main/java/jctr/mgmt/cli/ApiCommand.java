package jctr.mgmt.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.BiFunction;

import jctr.kernel.config.EngineConfig;
import jctr.mgmt.cli.client.ApiClient;
import jctr.mgmt.cli.client.DaemonConnection;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * Base of the docker-like commands that talk to the daemon over its socket: the connection (starting a
 * daemon on demand), and docker's error reporting ({@code Error response from daemon: ...}, exit 1).
 */
abstract class ApiCommand implements Callable<Integer> {

    @ParentCommand
    Object parent;

    @Spec
    CommandSpec spec;

    /** The top-level command, for the engine flags and {@code -H}. */
    JctrCommand root() {
        Object p = parent;
        while (p != null && !(p instanceof JctrCommand)) {
            p = p instanceof ApiCommand a ? a.parent : p instanceof VolumeCommand v ? v.parent : null;
        }
        return (JctrCommand) p;
    }

    ApiClient client() throws IOException {
        JctrCommand r = root();
        EngineConfig config = r.engine.load();
        List<String> flags = new ArrayList<>();
        r.engine.asFlags(flags);
        return DaemonConnection.connect(Hosts.socketPath(r.host), config, flags);
    }

    PrintWriter out() {
        return spec.commandLine().getOut();
    }

    PrintWriter err() {
        return spec.commandLine().getErr();
    }

    /** What a command does with one of its names (a container, image or volume). */
    @FunctionalInterface
    interface PerName {
        void apply(String name) throws IOException;
    }

    /**
     * Runs {@code action} for each name as docker does: a name the daemon refuses is reported on stderr
     * ({@code Error response from daemon: ...}) and the others still run; the exit code is 1 when any failed.
     */
    int forEachName(List<String> names, PerName action) throws IOException {
        return forEachName(names, action, (name, e) -> "Error response from daemon: " + e.getMessage());
    }

    /** {@link #forEachName(List, PerName)} with the command's own error line for a refused name. */
    int forEachName(List<String> names, PerName action, BiFunction<String, ApiClient.ApiException, String> error)
            throws IOException {
        int rc = 0;
        for (String name : names) {
            try {
                action.apply(name);
            } catch (ApiClient.ApiException e) {
                err().println(error.apply(name, e));
                rc = 1;
            }
        }
        out().flush();
        err().flush();
        return rc;
    }

    @Override
    public final Integer call() throws Exception {
        try {
            return run();
        } catch (ApiClient.ApiException e) {
            err().println("Error response from daemon: " + e.getMessage());
            err().flush();
            return failureCode();
        } catch (IOException e) {
            err().println(e.getMessage());
            err().flush();
            return failureCode();
        }
    }

    /** The exit code for a failure of this command (docker: 1; run and create: 125). */
    int failureCode() {
        return 1;
    }

    abstract int run() throws Exception;
}
