package jctr.mgmt.api;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;

import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Delete;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.Post;
import io.micronaut.http.annotation.QueryValue;
import jctr.mgmt.engine.DockerJson;
import jctr.mgmt.engine.VolumeStore;
import jctr.mgmt.engine.VolumeStore.Volume;

/** {@code /volumes}: named volumes of the local driver. */
@Controller("/volumes")
final class VolumeController {

    private final VolumeStore volumes;

    VolumeController(ApiContext api) {
        this.volumes = api.engine().volumes();
    }

    @Post("/create")
    HttpResponse<String> create(@Body @Nullable String body) {
        JsonNode req = DockerJson.tree(body == null ? null : body.getBytes(java.nio.charset.StandardCharsets.UTF_8), "volume create request");
        Map<String, String> labels = strings(req.path("Labels"));
        Map<String, String> opts = strings(req.path("DriverOpts"));
        Volume v = volumes.create(req.path("Name").asText(""), req.path("Driver").asText("local"), labels, opts);
        return SystemController.json(view(v)).status(HttpStatus.CREATED);
    }

    @Get
    HttpResponse<String> list(@QueryValue @Nullable String filters) {
        Filters f = Filters.parse(filters).only("dangling", "driver", "label", "name");
        List<Map<String, Object>> out = volumes.list(v -> matches(f, v)).stream().map(VolumeController::view).toList();
        Map<String, Object> resp = new LinkedHashMap<>();
        resp.put("Volumes", out);
        resp.put("Warnings", null);
        return SystemController.json(resp);
    }

    @Get("/{name}")
    HttpResponse<String> inspect(String name) {
        return SystemController.json(view(volumes.inspect(name)));
    }

    @Delete("/{name}")
    HttpResponse<Void> remove(String name, @QueryValue @Nullable String force) {
        volumes.remove(name, "1".equals(force) || "true".equalsIgnoreCase(force));
        return HttpResponse.noContent();
    }

    @Post("/prune")
    HttpResponse<String> prune(@QueryValue @Nullable String filters) {
        Filters f = Filters.parse(filters).only("all", "label", "label!");
        boolean all = f.get("all").stream().anyMatch(v -> v.equals("1") || v.equalsIgnoreCase("true"));
        VolumeStore.PruneReport r = volumes.prune(v -> (all || v.anonymous()) && f.labelsMatch(v.labels()));
        Map<String, Object> resp = new LinkedHashMap<>();
        resp.put("VolumesDeleted", r.volumesDeleted());
        resp.put("SpaceReclaimed", r.spaceReclaimed());
        return SystemController.json(resp);
    }

    private boolean matches(Filters f, Volume v) {
        if (!f.get("name").isEmpty() && f.get("name").stream().noneMatch(n -> v.name().contains(n))) {
            return false;
        }
        if (!f.get("driver").isEmpty() && !f.get("driver").contains(v.driver())) {
            return false;
        }
        for (String d : f.get("dangling")) {
            boolean dangling = volumes.usedBy(v.name()).isEmpty();
            if ((d.equals("1") || d.equalsIgnoreCase("true")) != dangling) {
                return false;
            }
        }
        return f.labelsMatch(v.labels());
    }

    /** The volume in the API's shape. */
    static Map<String, Object> view(Volume v) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("CreatedAt", v.createdAt().toString());
        m.put("Driver", v.driver());
        m.put("Labels", v.labels());
        m.put("Mountpoint", v.mountpoint());
        m.put("Name", v.name());
        m.put("Options", v.options());
        m.put("Scope", v.scope());
        return m;
    }

    private static Map<String, String> strings(JsonNode n) {
        Map<String, String> m = new LinkedHashMap<>();
        if (n != null && n.isObject()) {
            n.properties().forEach(e -> m.put(e.getKey(), e.getValue().asText()));
        }
        return m;
    }
}
