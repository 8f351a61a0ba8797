package jctr.mgmt.cli;

import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;

import jctr.mgmt.cli.client.ApiClient;
import jctr.mgmt.cli.client.Streams;
import jctr.mgmt.cli.client.Terminal;
import jctr.mgmt.engine.DockerJson;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** The docker-like container commands other than {@code run}, each a thin client of the daemon's API. */
final class ContainerCommands {

    private ContainerCommands() {
    }

    /** Applies {@code action} to each named container, printing the name; docker's error handling per name. */
    private abstract static class EachContainer extends ApiCommand {
        @Parameters(arity = "1..*", paramLabel = "CONTAINER")
        List<String> containers;

        abstract void apply(ApiClient client, String container) throws IOException;

        @Override
        int run() throws IOException {
            ApiClient client = client();
            return forEachName(containers, c -> {
                apply(client, c);
                out().println(c);
            });
        }
    }

    static void post(ApiClient client, String path, Map<String, ?> query) throws IOException {
        try (ApiClient.Response r = client.request("POST", ApiClient.path(path, query), null)) {
            r.check();
        }
    }

    @Command(name = "start", description = "Start one or more stopped containers")
    static final class Start extends ApiCommand {
        @Option(names = {"-a", "--attach"}, description = "Attach STDOUT/STDERR and forward signals")
        boolean attach;

        @Option(names = {"-i", "--interactive"}, description = "Attach container's STDIN")
        boolean interactive;

        @Parameters(arity = "1..*", paramLabel = "CONTAINER")
        List<String> containers;

        @Override
        int run() throws IOException {
            ApiClient client = client();
            if (!attach && !interactive) {
                return forEachName(containers, c -> {
                    post(client, "/containers/" + c + "/start", Map.of());
                    out().println(c);
                });
            }
            String c = containers.getFirst();
            JsonNode info = inspect(client, c);
            String id = info.path("Id").asText();
            boolean tty = info.path("Config").path("Tty").asBoolean();
            boolean stdin = interactive && info.path("Config").path("OpenStdin").asBoolean();
            ApiClient.Response conn = client.hijack("POST", ApiClient.path("/containers/" + id + "/attach",
                    Map.of("stream", 1, "stdin", stdin ? 1 : 0, "stdout", 1, "stderr", 1)), null).check();
            CompletableFuture<Integer> exit = RunCommand.Containers.waitFor(client, id, "next-exit");
            RunCommand.Containers.start(client, id);
            Streaming.attached(client, conn, id, tty, stdin, false);
            return exit.join();
        }
    }

    @Command(name = "stop", description = "Stop one or more running containers")
    static final class Stop extends EachContainer {
        @Option(names = {"-t", "--timeout"}, description = "Seconds to wait before killing the container")
        Integer timeout;

        @Option(names = {"-s", "--signal"}, description = "Signal to send to the container")
        String signal;

        @Override
        void apply(ApiClient client, String c) throws IOException {
            Map<String, Object> q = new LinkedHashMap<>();
            q.put("t", timeout);
            q.put("signal", signal);
            post(client, "/containers/" + c + "/stop", q);
        }
    }

    @Command(name = "restart", description = "Restart one or more containers")
    static final class Restart extends EachContainer {
        @Option(names = {"-t", "--timeout"}, description = "Seconds to wait before killing the container")
        Integer timeout;

        @Override
        void apply(ApiClient client, String c) throws IOException {
            Map<String, Object> q = new LinkedHashMap<>();
            q.put("t", timeout);
            post(client, "/containers/" + c + "/restart", q);
        }
    }

    @Command(name = "kill", description = "Kill one or more running containers")
    static final class Kill extends EachContainer {
        @Option(names = {"-s", "--signal"}, description = "Signal to send to the container")
        String signal;

        @Override
        void apply(ApiClient client, String c) throws IOException {
            Map<String, Object> q = new LinkedHashMap<>();
            q.put("signal", signal);
            post(client, "/containers/" + c + "/kill", q);
        }
    }

    @Command(name = "pause", description = "Pause all processes within one or more containers")
    static final class Pause extends EachContainer {
        @Override
        void apply(ApiClient client, String c) throws IOException {
            post(client, "/containers/" + c + "/pause", Map.of());
        }
    }

    @Command(name = "unpause", description = "Unpause all processes within one or more containers")
    static final class Unpause extends EachContainer {
        @Override
        void apply(ApiClient client, String c) throws IOException {
            post(client, "/containers/" + c + "/unpause", Map.of());
        }
    }

    @Command(name = "rm", description = "Remove one or more containers")
    static final class Rm extends EachContainer {
        @Option(names = {"-f", "--force"}, description = "Force the removal of a running container (uses SIGKILL)")
        boolean force;

        @Option(names = {"-v", "--volumes"}, description = "Remove anonymous volumes associated with the container")
        boolean volumes;

        @Override
        void apply(ApiClient client, String c) throws IOException {
            try (ApiClient.Response r = client.request("DELETE", ApiClient.path("/containers/" + c,
                    Map.of("force", force ? 1 : 0, "v", volumes ? 1 : 0)), null)) {
                r.check();
            }
        }
    }

    @Command(name = "wait", description = "Block until one or more containers stop, then print their exit codes")
    static final class Wait extends ApiCommand {
        @Parameters(arity = "1..*", paramLabel = "CONTAINER")
        List<String> containers;

        @Override
        int run() throws IOException {
            ApiClient client = client();
            return forEachName(containers,
                    c -> out().println(RunCommand.Containers.waitFor(client, c, "not-running").join()));
        }
    }

    static JsonNode inspect(ApiClient client, String c) throws IOException {
        try (ApiClient.Response r = client.request("GET", ApiClient.path("/containers/" + c + "/json", Map.of()), null)) {
            return r.check().json();
        }
    }

    @Command(name = "inspect", description = "Display detailed information on one or more containers")
    static final class Inspect extends ApiCommand {
        @Parameters(arity = "1..*", paramLabel = "CONTAINER")
        List<String> containers;

        @Override
        int run() throws IOException {
            ApiClient client = client();
            ArrayNode all = DockerJson.mapper().createArrayNode();
            int rc = forEachName(containers, c -> all.add(inspect(client, c)), (c, e) -> "Error: No such object: " + c);
            out().println(DockerJson.pretty(all));
            out().flush();
            return rc;
        }
    }

    @Command(name = "ps", description = "List containers")
    static final class Ps extends ApiCommand {
        @Option(names = {"-a", "--all"}, description = "Show all containers (default shows just running)")
        boolean all;

        @Option(names = {"-q", "--quiet"}, description = "Only display container IDs")
        boolean quiet;

        @Option(names = "--no-trunc", description = "Don't truncate output")
        boolean noTrunc;

        @Option(names = {"-f", "--filter"}, description = "Filter output based on conditions provided")
        List<String> filters = new ArrayList<>();

        @Override
        int run() throws IOException {
            ApiClient client = client();
            Map<String, Object> q = new LinkedHashMap<>();
            q.put("all", all ? 1 : null);
            if (!filters.isEmpty()) {
                Map<String, Map<String, Boolean>> f = new LinkedHashMap<>();
                for (String x : filters) {
                    int eq = x.indexOf('=');
                    f.computeIfAbsent(x.substring(0, eq), k -> new LinkedHashMap<>()).put(x.substring(eq + 1), true);
                }
                q.put("filters", DockerJson.writeString(f));
            }
            JsonNode list;
            try (ApiClient.Response r = client.request("GET", ApiClient.path("/containers/json", q), null)) {
                list = r.check().json();
            }
            if (quiet) {
                list.forEach(c -> out().println(trunc(c.path("Id").asText())));
            } else {
                String fmt = "%-14s %-20s %-24s %-16s %-22s %-12s %s%n";
                out().printf(fmt, "CONTAINER ID", "IMAGE", "COMMAND", "CREATED", "STATUS", "PORTS", "NAMES");
                Instant now = Instant.now();
                for (JsonNode c : list) {
                    String cmd = c.path("Command").asText();
                    if (!noTrunc && cmd.length() > 20) {
                        cmd = cmd.substring(0, 19) + "…";
                    }
                    out().printf(fmt, trunc(c.path("Id").asText()), c.path("Image").asText(), "\"" + cmd + "\"",
                            ago(Instant.ofEpochSecond(c.path("Created").asLong()), now), c.path("Status").asText(), "",
                            c.path("Names").path(0).asText().replaceFirst("^/", ""));
                }
            }
            out().flush();
            return 0;
        }

        private String trunc(String id) {
            return noTrunc ? id : id.substring(0, Math.min(12, id.length()));
        }
    }

    static String ago(Instant t, Instant now) {
        long s = Math.max(0, now.getEpochSecond() - t.getEpochSecond());
        if (s < 60) {
            return s + " seconds ago";
        }
        if (s < 3600) {
            return s / 60 + " minutes ago";
        }
        if (s < 172800) {
            return s / 3600 + " hours ago";
        }
        return s / 86400 + " days ago";
    }

    @Command(name = "logs", description = "Fetch the logs of a container")
    static final class Logs extends ApiCommand {
        @Option(names = {"-f", "--follow"}, description = "Follow log output")
        boolean follow;

        @Option(names = {"-t", "--timestamps"}, description = "Show timestamps")
        boolean timestamps;

        @Option(names = {"-n", "--tail"}, description = "Number of lines to show from the end of the logs (default \"all\")")
        String tail = "all";

        @Option(names = "--since", description = "Show logs since timestamp or relative (e.g. 42m)")
        String since;

        @Option(names = "--until", description = "Show logs before a timestamp or relative (e.g. 42m)")
        String until;

        @Parameters(index = "0", paramLabel = "CONTAINER")
        String container;

        @Override
        int run() throws IOException {
            ApiClient client = client();
            JsonNode info = inspect(client, container);
            Map<String, Object> q = new LinkedHashMap<>();
            q.put("stdout", 1);
            q.put("stderr", 1);
            q.put("tail", tail);
            q.put("follow", follow ? 1 : null);
            q.put("timestamps", timestamps ? 1 : null);
            q.put("since", relative(since));
            q.put("until", relative(until));
            try (ApiClient.Response r = client.request("GET", ApiClient.path("/containers/" + info.path("Id").asText()
                    + "/logs", q), null).check()) {
                Streams.output(r.body(), info.path("Config").path("Tty").asBoolean(), System.out, System.err);
            }
            return 0;
        }

        /** {@code 42m}, {@code 10s}, {@code 2h} before now as Unix seconds; other values go as they are. */
        static String relative(String v) {
            if (v == null || !v.matches("\\d+[smh]")) {
                return v;
            }
            long n = Long.parseLong(v.substring(0, v.length() - 1));
            long secs = switch (v.charAt(v.length() - 1)) {
                case 'h' -> n * 3600;
                case 'm' -> n * 60;
                default -> n;
            };
            return Long.toString(Instant.now().getEpochSecond() - secs);
        }
    }

    @Command(name = "attach", description = "Attach local standard input, output, and error streams to a running container")
    static final class Attach extends ApiCommand {
        @Option(names = "--no-stdin", description = "Do not attach STDIN")
        boolean noStdin;

        @Parameters(index = "0", paramLabel = "CONTAINER")
        String container;

        @Override
        int run() throws IOException {
            ApiClient client = client();
            JsonNode info = inspect(client, container);
            if (!info.path("State").path("Running").asBoolean()) {
                err().println("You cannot attach to a stopped container, start it first");
                err().flush();
                return 1;
            }
            String id = info.path("Id").asText();
            boolean tty = info.path("Config").path("Tty").asBoolean();
            boolean stdin = !noStdin && info.path("Config").path("OpenStdin").asBoolean();
            CompletableFuture<Integer> exit = RunCommand.Containers.waitFor(client, id, "not-running");
            ApiClient.Response conn = client.hijack("POST", ApiClient.path("/containers/" + id + "/attach",
                    Map.of("stream", 1, "stdin", stdin ? 1 : 0, "stdout", 1, "stderr", 1)), null).check();
            Streaming.attached(client, conn, id, tty, stdin, false);
            return exit.join();
        }
    }

    @Command(name = "exec", description = "Execute a command in a running container")
    static final class Exec extends ApiCommand {
        @Option(names = {"-i", "--interactive"}, description = "Keep STDIN open even if not attached")
        boolean interactive;

        @Option(names = {"-t", "--tty"}, description = "Allocate a pseudo-TTY")
        boolean tty;

        @Option(names = {"-d", "--detach"}, description = "Detached mode: run command in the background")
        boolean detach;

        @Option(names = {"-e", "--env"}, description = "Set environment variables")
        List<String> env = new ArrayList<>();

        @Option(names = {"-w", "--workdir"}, description = "Working directory inside the container")
        String workdir;

        @Option(names = {"-u", "--user"}, description = "Username or UID (format: <name|uid>[:<group|gid>])")
        String user;

        @Option(names = "--privileged", description = "Give extended privileges to the command")
        boolean privileged;

        @Parameters(index = "0", paramLabel = "CONTAINER")
        String container;

        @Parameters(index = "1..*", arity = "1..*", paramLabel = "COMMAND")
        List<String> command;

        @Override
        int failureCode() {
            return 126;
        }

        @Override
        int run() throws IOException {
            if (tty && interactive && !detach && !Terminal.stdinIsTerminal()) {
                err().println("the input device is not a TTY");
                err().flush();
                return 1;
            }
            ApiClient client = client();
            int[] size = tty ? Terminal.size() : new int[] {0, 0};
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("User", user == null ? "" : user);
            body.put("Privileged", privileged);
            body.put("Tty", tty);
            body.put("ConsoleSize", size[0] > 0 ? size : null);
            body.put("AttachStdin", interactive && !detach);
            body.put("AttachStdout", !detach);
            body.put("AttachStderr", !detach);
            body.put("Env", env);
            body.put("WorkingDir", workdir == null ? "" : workdir);
            body.put("Cmd", command);
            String id;
            try (ApiClient.Response r = client.request("POST", ApiClient.path("/containers/" + container + "/exec",
                    Map.of()), body)) {
                id = r.check().json().path("Id").asText();
            }
            if (detach) {
                try (ApiClient.Response r = client.request("POST", ApiClient.path("/exec/" + id + "/start", Map.of()),
                        Map.of("Detach", true, "Tty", tty))) {
                    r.check();
                }
                return 0;
            }
            ApiClient.Response conn = client.hijack("POST", ApiClient.path("/exec/" + id + "/start", Map.of()),
                    Map.of("Detach", false, "Tty", tty, "ConsoleSize", size[0] > 0 ? List.of(size[0], size[1]) : List.of()))
                    .check();
            Streaming.attached(client, conn, id, tty, interactive, true);
            try (ApiClient.Response r = client.request("GET", ApiClient.path("/exec/" + id + "/json", Map.of()), null)) {
                return r.check().json().path("ExitCode").asInt(126);
            }
        }
    }
}
