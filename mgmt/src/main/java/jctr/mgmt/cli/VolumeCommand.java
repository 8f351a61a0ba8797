package jctr.mgmt.cli;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;

import jctr.mgmt.cli.client.ApiClient;
import jctr.mgmt.engine.DockerJson;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code jctr volume create|ls|inspect|rm|prune}, as docker's. */
@Command(name = "volume", description = "Manage volumes", subcommands = {VolumeCommand.Create.class,
        VolumeCommand.Ls.class, VolumeCommand.Inspect.class, VolumeCommand.Rm.class, VolumeCommand.Prune.class})
public final class VolumeCommand implements Callable<Integer> {

    @ParentCommand
    JctrCommand parent;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getErr());
        return 1;
    }

    @Command(name = "create", description = "Create a volume")
    static final class Create extends ApiCommand {
        @Option(names = {"-d", "--driver"}, description = "Specify volume driver name", defaultValue = "local")
        String driver;

        @Option(names = "--label", description = "Set metadata for a volume")
        List<String> labels = new ArrayList<>();

        @Option(names = {"-o", "--opt"}, description = "Set driver specific options")
        List<String> opts = new ArrayList<>();

        @Parameters(index = "0", arity = "0..1", paramLabel = "VOLUME")
        String name;

        @Override
        int run() throws IOException {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("Name", name == null ? "" : name);
            body.put("Driver", driver);
            body.put("DriverOpts", pairs(opts));
            body.put("Labels", pairs(labels));
            try (ApiClient.Response r = client().request("POST", ApiClient.path("/volumes/create", Map.of()), body)) {
                out().println(r.check().json().path("Name").asText());
            }
            out().flush();
            return 0;
        }
    }

    @Command(name = "ls", aliases = "list", description = "List volumes")
    static final class Ls extends ApiCommand {
        @Option(names = {"-q", "--quiet"}, description = "Only display volume names")
        boolean quiet;

        @Override
        int run() throws IOException {
            try (ApiClient.Response r = client().request("GET", ApiClient.path("/volumes", Map.of()), null)) {
                JsonNode vols = r.check().json().path("Volumes");
                if (!quiet) {
                    out().printf("%-10s%s%n", "DRIVER", "VOLUME NAME");
                }
                for (JsonNode v : vols) {
                    out().println(quiet ? v.path("Name").asText()
                            : String.format("%-10s%s", v.path("Driver").asText(), v.path("Name").asText()));
                }
            }
            out().flush();
            return 0;
        }
    }

    @Command(name = "inspect", description = "Display detailed information on one or more volumes")
    static final class Inspect extends ApiCommand {
        @Parameters(arity = "1..*", paramLabel = "VOLUME")
        List<String> names;

        @Override
        int run() throws IOException {
            ArrayNode all = DockerJson.mapper().createArrayNode();
            ApiClient client = client();
            int rc = forEachName(names, n -> {
                try (ApiClient.Response r = client.request("GET", ApiClient.path("/volumes/" + n, Map.of()), null)) {
                    all.add(r.check().json());
                }
            });
            out().println(DockerJson.pretty(all));
            out().flush();
            return rc;
        }
    }

    @Command(name = "rm", aliases = "remove", description = "Remove one or more volumes")
    static final class Rm extends ApiCommand {
        @Option(names = {"-f", "--force"}, description = "Force the removal of one or more volumes")
        boolean force;

        @Parameters(arity = "1..*", paramLabel = "VOLUME")
        List<String> names;

        @Override
        int run() throws IOException {
            ApiClient client = client();
            return forEachName(names, n -> {
                try (ApiClient.Response r = client.request("DELETE", ApiClient.path("/volumes/" + n,
                        Map.of("force", force ? 1 : 0)), null)) {
                    r.check();
                    out().println(n);
                }
            });
        }
    }

    @Command(name = "prune", description = "Remove unused local volumes")
    static final class Prune extends ApiCommand {
        @Option(names = {"-a", "--all"}, description = "Remove all unused volumes, not just anonymous ones")
        boolean all;

        @Option(names = {"-f", "--force"}, description = "Do not prompt for confirmation")
        boolean force;

        @Override
        int run() throws IOException {
            Map<String, Object> q = new LinkedHashMap<>();
            if (all) {
                q.put("filters", "{\"all\":{\"true\":true}}");
            }
            try (ApiClient.Response r = client().request("POST", ApiClient.path("/volumes/prune", q), null)) {
                JsonNode n = r.check().json();
                if (n.path("VolumesDeleted").size() > 0) {
                    out().println("Deleted Volumes:");
                    n.path("VolumesDeleted").forEach(v -> out().println(v.asText()));
                    out().println();
                }
                out().println("Total reclaimed space: " + n.path("SpaceReclaimed").asLong() + "B");
            }
            out().flush();
            return 0;
        }
    }

    static Map<String, String> pairs(List<String> items) {
        Map<String, String> m = new LinkedHashMap<>();
        for (String i : items) {
            int eq = i.indexOf('=');
            m.put(eq < 0 ? i : i.substring(0, eq), eq < 0 ? "" : i.substring(eq + 1));
        }
        return m;
    }
}
