package jctr.mgmt.cli;

import java.io.IOException;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;

import jctr.mgmt.cli.client.ApiClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code jctr images} and {@code jctr rmi} through the daemon. */
final class ImageCommands {

    private ImageCommands() {
    }

    @Command(name = "images", description = "List images")
    static final class Images extends ApiCommand {
        @Option(names = {"-a", "--all"}, description = "Show all images")
        boolean all;

        @Option(names = {"-q", "--quiet"}, description = "Only show image IDs")
        boolean quiet;

        @Override
        int run() throws IOException {
            try (ApiClient.Response r = client().request("GET", ApiClient.path("/images/json",
                    all ? Map.of("all", 1) : Map.of()), null)) {
                JsonNode list = r.check().json();
                String fmt = "%-40s %-12s %-14s %-16s %s%n";
                if (!quiet) {
                    out().printf(fmt, "REPOSITORY", "TAG", "IMAGE ID", "CREATED", "SIZE");
                }
                Instant now = Instant.now();
                for (JsonNode i : list) {
                    String id = i.path("Id").asText().replaceFirst("^sha256:", "").substring(0, 12);
                    if (quiet) {
                        out().println(id);
                        continue;
                    }
                    List<String> tags = new java.util.ArrayList<>();
                    i.path("RepoTags").forEach(t -> tags.add(t.asText()));
                    if (tags.isEmpty()) {
                        tags.add("<none>:<none>");
                    }
                    for (String t : tags) {
                        int c = t.lastIndexOf(':');
                        out().printf(fmt, t.substring(0, c), t.substring(c + 1), id,
                                ContainerCommands.ago(Instant.ofEpochSecond(i.path("Created").asLong()), now),
                                human(i.path("Size").asLong()));
                    }
                }
            }
            out().flush();
            return 0;
        }

        private static String human(long bytes) {
            if (bytes < 1000) {
                return bytes + "B";
            }
            if (bytes < 1_000_000) {
                return String.format("%.1fkB", bytes / 1000.0);
            }
            if (bytes < 1_000_000_000) {
                return String.format("%.1fMB", bytes / 1_000_000.0);
            }
            return String.format("%.2fGB", bytes / 1_000_000_000.0);
        }
    }

    @Command(name = "rmi", description = "Remove one or more images")
    static final class Rmi extends ApiCommand {
        @Option(names = {"-f", "--force"}, description = "Force removal of the image")
        boolean force;

        @Parameters(arity = "1..*", paramLabel = "IMAGE")
        List<String> images;

        @Override
        int run() throws IOException {
            ApiClient client = client();
            return forEachName(images, i -> {
                try (ApiClient.Response r = client.request("DELETE", ApiClient.path("/images/" + i,
                        Map.of("force", force ? 1 : 0)), null)) {
                    for (JsonNode e : r.check().json()) {
                        e.properties().forEach(p -> out().println(p.getKey() + ": " + p.getValue().asText()));
                    }
                }
            });
        }
    }
}
