package jctr.mgmt.api;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

import com.fasterxml.jackson.core.JsonProcessingException;
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
import jctr.kernel.InvalidConfigException;
import jctr.kernel.UnsupportedFeatureException;
import jctr.mgmt.engine.Container;
import jctr.mgmt.engine.ContainerConfig;
import jctr.mgmt.engine.Containers;
import jctr.mgmt.engine.DockerJson;
import jctr.mgmt.engine.Engine;
import jctr.mgmt.engine.Execs;
import jctr.mgmt.engine.HostConfig;

/** {@code /containers} (everything that answers at once; attach, wait, logs and stats stream elsewhere). */
@Controller("/containers")
final class ContainerController {

    private final Engine engine;

    ContainerController(ApiContext api) {
        this.engine = api.engine();
    }

    private Containers containers() {
        return engine.containers();
    }

    @Post("/create")
    HttpResponse<String> create(@QueryValue @Nullable String name, @Body @Nullable String body) {
        byte[] raw = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
        JsonNode root = DockerJson.tree(raw, "container create request");
        if (!root.isObject()) {
            throw new InvalidConfigException("container create request", "", "invalid JSON: expected an object");
        }
        ContainerConfig config;
        HostConfig host;
        try {
            config = DockerJson.mapper().treeToValue(root, ContainerConfig.class);
            JsonNode h = root.path("HostConfig");
            host = DockerJson.mapper().treeToValue(h.isObject() ? h : DockerJson.object(), HostConfig.class);
        } catch (JsonProcessingException e) {
            throw new InvalidConfigException("container create request", "", "invalid JSON: " + e.getOriginalMessage());
        }
        JsonNode endpoints = root.path("NetworkingConfig").path("EndpointsConfig");
        endpoints.fieldNames().forEachRemaining(n -> {
            if (!List.of("default", "bridge", "none", "host").contains(n)) {
                throw new UnsupportedFeatureException("network " + n + " is not supported by jctr yet");
            }
        });
        Containers.Created c = containers().create(name, config, host);
        Map<String, Object> resp = new LinkedHashMap<>();
        resp.put("Id", c.id());
        resp.put("Warnings", c.warnings());
        return SystemController.json(resp).status(HttpStatus.CREATED);
    }

    @Get("/json")
    HttpResponse<String> list(@QueryValue @Nullable String all, @QueryValue @Nullable String limit,
                              @QueryValue @Nullable String filters) {
        boolean showAll = "1".equals(all) || "true".equalsIgnoreCase(all);
        Filters f = Filters.parse(filters).only("id", "name", "status", "label", "exited", "ancestor", "before",
                "since", "volume", "network", "health", "is-task", "publish", "expose");
        Predicate<Container> match = c -> (showAll || c.state().running() || !f.get("status").isEmpty()
                || !f.get("exited").isEmpty()) && matches(f, c);
        List<Container> list = containers().list(match);
        int n = limit == null || limit.isEmpty() ? -1 : Integer.parseInt(limit);
        if (n > 0 && list.size() > n) {
            list = list.subList(0, n);
        }
        Instant now = Instant.now();
        List<Map<String, Object>> out = new ArrayList<>();
        for (Container c : list) {
            out.add(ContainerViews.summary(c, now));
        }
        return SystemController.json(out);
    }

    private static boolean matches(Filters f, Container c) {
        if (!f.get("id").isEmpty() && f.get("id").stream().noneMatch(c.id()::startsWith)) {
            return false;
        }
        if (!f.get("name").isEmpty() && f.get("name").stream().noneMatch(n -> c.shortName().contains(n.replaceFirst("^/", "")))) {
            return false;
        }
        if (!f.get("status").isEmpty() && !f.get("status").contains(c.state().status())) {
            return false;
        }
        if (!f.get("exited").isEmpty() && (c.state().running() || c.state().startedAt() == null
                || !f.get("exited").contains(Integer.toString(c.state().exitCode())))) {
            return false;
        }
        if (!f.get("ancestor").isEmpty() && f.get("ancestor").stream().noneMatch(a -> a.equals(c.config().image())
                || a.equals(c.imageId()) || (a + ":latest").equals(c.config().image()))) {
            return false;
        }
        if (!f.get("volume").isEmpty() && f.get("volume").stream().noneMatch(v -> c.mounts().stream()
                .anyMatch(m -> v.equals(m.name()) || v.equals(m.destination())))) {
            return false;
        }
        return f.labelsMatch(c.config().labelsOrEmpty());
    }

    @Get("/{id}/json")
    HttpResponse<String> inspect(String id) {
        Container c = containers().get(id);
        return SystemController.json(ContainerViews.inspect(c, containers().logPath(c.id()).toString(),
                engine.execs().idsOf(c.id())));
    }

    @Post("/{id}/start")
    HttpResponse<Void> start(String id) {
        return containers().start(id) ? HttpResponse.noContent() : HttpResponse.notModified();
    }

    @Post("/{id}/stop")
    HttpResponse<Void> stop(String id, @QueryValue @Nullable Integer t, @QueryValue @Nullable String signal) {
        return containers().stop(id, t, signal) ? HttpResponse.noContent() : HttpResponse.notModified();
    }

    @Post("/{id}/restart")
    HttpResponse<Void> restart(String id, @QueryValue @Nullable Integer t) {
        containers().restart(id, t);
        return HttpResponse.noContent();
    }

    @Post("/{id}/kill")
    HttpResponse<Void> kill(String id, @QueryValue @Nullable String signal) {
        containers().kill(id, signal);
        return HttpResponse.noContent();
    }

    @Post("/{id}/pause")
    HttpResponse<Void> pause(String id) {
        containers().pause(id);
        return HttpResponse.noContent();
    }

    @Post("/{id}/unpause")
    HttpResponse<Void> unpause(String id) {
        containers().unpause(id);
        return HttpResponse.noContent();
    }

    @Post("/{id}/rename")
    HttpResponse<Void> rename(String id, @QueryValue String name) {
        containers().rename(id, name);
        return HttpResponse.noContent();
    }

    @Post("/{id}/resize")
    HttpResponse<String> resize(String id, @QueryValue @Nullable Integer h, @QueryValue @Nullable Integer w) {
        containers().resize(id, h == null ? 0 : h, w == null ? 0 : w);
        return HttpResponse.ok("");
    }

    @Delete("/{id}")
    HttpResponse<Void> remove(String id, @QueryValue @Nullable String force, @QueryValue @Nullable String v) {
        containers().remove(id, truthy(force), truthy(v));
        return HttpResponse.noContent();
    }

    @Post("/prune")
    HttpResponse<String> prune(@QueryValue @Nullable String filters) {
        Filters f = Filters.parse(filters).only("label", "label!", "until");
        List<String> removed = containers().prune(c -> f.labelsMatch(c.config().labelsOrEmpty()));
        Map<String, Object> resp = new LinkedHashMap<>();
        resp.put("ContainersDeleted", removed);
        resp.put("SpaceReclaimed", 0);
        return SystemController.json(resp);
    }

    @Get("/{id}/top")
    HttpResponse<String> top(String id) {
        List<List<String>> procs = new ArrayList<>();
        for (int pid : containers().top(id)) {
            procs.add(List.of(Integer.toString(pid), cmdline(pid)));
        }
        Map<String, Object> resp = new LinkedHashMap<>();
        resp.put("Titles", List.of("PID", "CMD"));
        resp.put("Processes", procs);
        return SystemController.json(resp);
    }

    private static String cmdline(int pid) {
        try {
            byte[] b = java.nio.file.Files.readAllBytes(java.nio.file.Path.of("/proc", Integer.toString(pid), "cmdline"));
            return new String(b, StandardCharsets.UTF_8).replace('\0', ' ').trim();
        } catch (java.io.IOException e) {
            return "";
        }
    }

    @Post("/{id}/exec")
    HttpResponse<String> exec(String id, @Body @Nullable String body) {
        byte[] raw = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
        Execs.ExecConfig cfg = DockerJson.read(raw, Execs.ExecConfig.class, "exec create request");
        String eid = engine.execs().create(id, cfg);
        return SystemController.json(Map.of("Id", eid)).status(HttpStatus.CREATED);
    }

    static boolean truthy(String v) {
        return v != null && (v.equals("1") || v.equalsIgnoreCase("true"));
    }
}
