package jctr.mgmt.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;

import jctr.mgmt.cli.client.ApiClient;
import jctr.mgmt.engine.DockerJson;

/**
 * A pull through the daemon's API, as {@code jctr run} does for a missing image (docker pull's output, one
 * line per state change). {@code jctr pull} itself works on the image store directly (ImagePullCommand).
 */
final class ApiPull {

    private ApiPull() {
    }

    /** Pulls {@code image}, printing docker's progress lines to {@code out}; an error message fails it. */
    static void pull(ApiClient client, String image, PrintWriter out) throws IOException {
        String name = image;
        String tag = null;
        int at = image.indexOf('@');
        int colon = image.lastIndexOf(':');
        if (at > 0) {
            name = image.substring(0, at);
            tag = image.substring(at + 1);
        } else if (colon > image.lastIndexOf('/')) {
            name = image.substring(0, colon);
            tag = image.substring(colon + 1);
        }
        try (ApiClient.Response r = client.request("POST", ApiClient.path("/images/create",
                tag == null ? Map.of("fromImage", name, "tag", "latest") : Map.of("fromImage", name, "tag", tag)), null)) {
            r.check();
            var parser = DockerJson.mapper().getFactory().createParser(r.body());
            var it = DockerJson.mapper().readValues(parser, JsonNode.class);
            while (it.hasNext()) {
                JsonNode m = it.next();
                if (m.has("error")) {
                    throw new ApiClient.ApiException(500, m.path("error").asText());
                }
                String id = m.path("id").asText("");
                String status = m.path("status").asText("");
                if (status.equals("Downloading") || status.equals("Extracting")) {
                    continue; // progress bars need a terminal; the state changes are enough here
                }
                out.println(id.isEmpty() ? status : id + ": " + status);
                out.flush();
            }
        }
    }
}
