package jctr.mgmt.cli;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import com.fasterxml.jackson.databind.JsonNode;

import jctr.mgmt.cli.client.ApiClient;
import jctr.mgmt.cli.client.Terminal;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code jctr run}: docker run's flags and behaviour, through the daemon's API: create (pulling a missing
 * image), attach, wait, start, stream; the exit code is the container's (125 when it could not be created,
 * 127/126 when its command could not be run).
 */
@Command(name = "run", description = "Create and run a new container from an image")
public final class RunCommand extends ApiCommand {

    @Mixin
    ContainerOptions options;

    @Option(names = {"-d", "--detach"}, description = "Run container in background and print container ID")
    boolean detach;

    @Option(names = "--rm", description = "Automatically remove the container and its associated anonymous volumes when it exits")
    boolean rm;

    @Parameters(index = "0", paramLabel = "IMAGE")
    String image;

    @Parameters(index = "1..*", paramLabel = "COMMAND", description = "Command and arguments")
    List<String> command = new ArrayList<>();

    @Override
    int failureCode() {
        return 125;
    }

    @Override
    int run() throws Exception {
        if (options.tty && !detach && options.interactive && !Terminal.stdinIsTerminal()) {
            err().println("the input device is not a TTY");
            err().flush();
            return 1;
        }
        ApiClient client = client();
        int[] size = options.tty && !detach ? Terminal.size() : new int[] {0, 0};
        Map<String, Object> body = options.body(image, command, !detach, size[0] > 0 ? size : null);
        @SuppressWarnings("unchecked")
        Map<String, Object> host = (Map<String, Object>) body.get("HostConfig");
        host.put("AutoRemove", rm);
        String id = Containers.create(client, options.name, body, image, err());
        if (detach) {
            Containers.start(client, id);
            out().println(id);
            out().flush();
            return 0;
        }
        ApiClient.Response attach = client.hijack("POST", ApiClient.path("/containers/" + id + "/attach",
                Map.of("stream", 1, "stdin", options.interactive ? 1 : 0, "stdout", 1, "stderr", 1)), null).check();
        CompletableFuture<Integer> exit = Containers.waitFor(client, id, rm ? "removed" : "next-exit");
        try {
            Containers.start(client, id);
        } catch (ApiClient.ApiException e) {
            attach.close();
            err().println("jctr: Error response from daemon: " + e.getMessage());
            err().flush();
            String m = e.getMessage();
            return m.contains("executable file not found") || m.contains("no such file or directory") ? 127
                    : m.contains("permission denied") ? 126 : 125;
        }
        Streaming.attached(client, attach, id, options.tty, options.interactive, false);
        return exit.join();
    }

    /** Shared calls of the container commands. */
    static final class Containers {
        private Containers() {
        }

        /** Creates a container, pulling its image first when the daemon does not have it. */
        static String create(ApiClient client, String name, Map<String, Object> body, String image,
                             java.io.PrintWriter err) throws IOException {
            String path = ApiClient.path("/containers/create", name == null ? Map.of() : Map.of("name", name));
            boolean missing;
            try (ApiClient.Response r = client.request("POST", path, body)) {
                missing = r.status() == 404;
                if (!missing) {
                    return r.check().json().path("Id").asText();
                }
            }
            err.println("Unable to find image '" + image + (image.contains(":") ? "" : ":latest") + "' locally");
            err.flush();
            ApiPull.pull(client, image, err);
            try (ApiClient.Response again = client.request("POST", path, body).check()) {
                return again.json().path("Id").asText();
            }
        }

        static void start(ApiClient client, String id) throws IOException {
            try (ApiClient.Response r = client.request("POST", ApiClient.path("/containers/" + id + "/start", Map.of()), null)) {
                r.check();
            }
        }

        /** Starts waiting now (the daemon answers the headers at once) and completes with the exit code. */
        static CompletableFuture<Integer> waitFor(ApiClient client, String id, String condition) throws IOException {
            ApiClient.Response r = client.request("POST", ApiClient.path("/containers/" + id + "/wait",
                    Map.of("condition", condition)), null).check();
            return CompletableFuture.supplyAsync(() -> {
                try (r) {
                    JsonNode n = r.json();
                    return n.path("StatusCode").asInt(125);
                } catch (IOException e) {
                    return 125;
                }
            });
        }
    }

    /** Reads a stream fully (used to drain answers). */
    static void drain(InputStream in) throws IOException {
        in.transferTo(java.io.OutputStream.nullOutputStream());
    }
}
