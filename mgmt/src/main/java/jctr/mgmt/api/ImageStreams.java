package jctr.mgmt.api;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import jctr.kernel.InvalidConfigException;
import jctr.kernel.image.Image;
import jctr.kernel.image.ImageConfig;
import jctr.kernel.image.ImageGc;
import jctr.kernel.image.ImageImporter;
import jctr.kernel.image.ImagePuller;
import jctr.kernel.image.PullProgress;
import jctr.kernel.image.Reference;
import jctr.kernel.image.RemoveEvent;
import jctr.mgmt.engine.DockerJson;
import jctr.mgmt.engine.Engine;

/**
 * {@code /images}: list, inspect, tag, remove, prune, pull with progress, save and load. Served by
 * {@link StreamRouter} because image names contain slashes ({@code 127.0.0.1:5000/busybox}) that
 * Micronaut's path variables do not match, and because pull, save and load stream.
 */
final class ImageStreams {

    private final Engine engine;

    ImageStreams(Engine engine) {
        this.engine = engine;
    }

    List<StreamRouter.Route> routes() {
        return List.of(
                StreamRouter.Route.of("GET", "/images/json", this::list),
                StreamRouter.Route.of("POST", "/images/create", this::pull),
                StreamRouter.Route.of("POST", "/images/prune", this::prune),
                StreamRouter.Route.of("POST", "/images/load", this::load),
                StreamRouter.Route.of("GET", "/images/get", this::save),
                StreamRouter.Route.of("GET", "/images/{name...}/get", this::saveOne),
                StreamRouter.Route.of("GET", "/images/{name...}/json", this::inspect),
                StreamRouter.Route.of("GET", "/images/{name...}/history", this::history),
                StreamRouter.Route.of("POST", "/images/{name...}/tag", this::tag),
                StreamRouter.Route.of("DELETE", "/images/{name...}", this::remove));
    }

    private void list(Exchange ex) {
        Filters f = Filters.parse(ex.query("filters")).only("dangling", "label", "reference", "before", "since", "until");
        boolean all = ex.flag("all", false);
        List<Map<String, Object>> out = new ArrayList<>();
        for (Image i : engine.images().store().list()) {
            boolean dangling = i.dangling();
            if (!all && dangling && f.get("dangling").isEmpty()) {
                continue;
            }
            if (!f.get("dangling").isEmpty() && f.get("dangling").contains("true") != dangling) {
                continue;
            }
            if (!f.get("reference").isEmpty() && f.get("reference").stream().noneMatch(r -> i.repoTags().stream()
                    .anyMatch(t -> t.familiar().startsWith(r) || t.toString().startsWith(r)))) {
                continue;
            }
            ImageConfig c = engine.images().store().config(i.record());
            if (!f.labelsMatch(c.configOrEmpty().labels() == null ? Map.of() : c.configOrEmpty().labels())) {
                continue;
            }
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("Containers", -1);
            m.put("Created", c.createdInstant().map(Instant::getEpochSecond).orElse(0L));
            m.put("Id", i.id().toString());
            m.put("Labels", c.configOrEmpty().labels());
            m.put("ParentId", "");
            m.put("RepoDigests", i.repoDigests().stream().map(Reference::familiar).toList());
            m.put("RepoTags", i.repoTags().stream().map(Reference::familiar).toList());
            m.put("SharedSize", -1);
            m.put("Size", i.record().size());
            out.add(m);
        }
        ex.sendJson(200, out);
    }

    private void inspect(Exchange ex) {
        Image i = engine.images().store().resolve(ex.param("name"));
        ImageConfig c = engine.images().store().config(i.record());
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("Id", i.id().toString());
        m.put("RepoTags", i.repoTags().stream().map(Reference::familiar).toList());
        m.put("RepoDigests", i.repoDigests().stream().map(Reference::familiar).toList());
        m.put("Parent", "");
        m.put("Comment", "");
        m.put("Created", c.created() == null ? ContainerViews.ZERO_TIME : c.created());
        m.put("DockerVersion", "");
        m.put("Author", c.author() == null ? "" : c.author());
        m.put("Config", c.configOrEmpty());
        m.put("Architecture", c.architecture());
        m.put("Os", c.os());
        m.put("Size", i.record().size());
        m.put("GraphDriver", Map.of("Name", engine.storageDriverName(), "Data", Map.of()));
        m.put("RootFS", Map.of("Type", "layers", "Layers", c.diffIds().stream().map(Object::toString).toList()));
        m.put("Metadata", Map.of("LastTagTime", ContainerViews.ZERO_TIME));
        ex.sendJson(200, m);
    }

    private void history(Exchange ex) {
        Image i = engine.images().store().resolve(ex.param("name"));
        ImageConfig c = engine.images().store().config(i.record());
        List<Map<String, Object>> out = new ArrayList<>();
        for (ImageConfig.History h : c.history().reversed()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("Id", out.isEmpty() ? i.id().toString() : "<missing>");
            m.put("Created", h.created() == null ? 0 : Instant.parse(h.created()).getEpochSecond());
            m.put("CreatedBy", h.createdBy() == null ? "" : h.createdBy());
            m.put("Tags", out.isEmpty() ? i.repoTags().stream().map(Reference::familiar).toList() : null);
            m.put("Size", 0);
            m.put("Comment", h.comment() == null ? "" : h.comment());
            out.add(m);
        }
        ex.sendJson(200, out);
    }

    private void tag(Exchange ex) {
        String repo = ex.query("repo");
        if (repo == null || repo.isEmpty()) {
            throw new InvalidConfigException("query", "repo", "repository name must have at least one component");
        }
        String tag = ex.query("tag");
        engine.images().tag(ex.param("name"), tag == null || tag.isEmpty() ? repo : repo + ":" + tag);
        ex.sendFull(201, null, new byte[0]);
    }

    private void remove(Exchange ex) {
        List<RemoveEvent> events = engine.images().remove(ex.param("name"), ex.flag("force", false));
        List<Map<String, String>> out = new ArrayList<>();
        for (RemoveEvent e : events) {
            out.add(Map.of(e.type().docker(), e.what()));
            engine.events().publish("image", e.type() == RemoveEvent.Type.UNTAGGED ? "untag" : "delete", e.what(),
                    Map.of("name", e.what()));
        }
        ex.sendJson(200, out);
    }

    private void prune(Exchange ex) {
        Filters f = Filters.parse(ex.query("filters")).only("dangling", "label", "until");
        boolean all = f.get("dangling").stream().anyMatch(v -> v.equals("false") || v.equals("0"));
        ImageGc.PruneReport r = engine.images().prune(all);
        List<Map<String, String>> deleted = new ArrayList<>();
        for (RemoveEvent e : r.events()) {
            deleted.add(Map.of(e.type().docker(), e.what()));
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("ImagesDeleted", deleted);
        m.put("SpaceReclaimed", r.reclaimedBytes());
        ex.sendJson(200, m);
    }

    /**
     * {@code POST /images/create?fromImage=NAME&tag=TAG}: pulls with Docker's JSON progress messages; a
     * failure after the headers is an {@code errorDetail} message (the CLI then exits 125).
     */
    void pull(Exchange ex) throws IOException {
        String from = ex.query("fromImage");
        if (from == null || from.isEmpty()) {
            if (ex.query("fromSrc") != null) {
                throw new jctr.kernel.UnsupportedFeatureException("docker import is not supported by jctr yet");
            }
            throw new InvalidConfigException("query", "fromImage", "missing image name");
        }
        String tag = ex.query("tag");
        String ref = tag == null || tag.isEmpty() ? from
                : tag.startsWith("sha256:") ? from + "@" + tag : from + ":" + tag;
        Reference reference = Reference.parse(ref).orLatest();
        ex.startStream(200, "application/json");
        Object lock = new Object();
        PullProgress progress = new PullProgress() {
            @Override
            public void layer(String id, Status status, long current, long total) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("status", status.text());
                m.put("progressDetail", current > 0 || total > 0 ? Map.of("current", current, "total", total) : Map.of());
                m.put("id", id);
                send(m);
            }

            @Override
            public void message(String id, String text) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("status", text);
                if (id != null) {
                    m.put("id", id);
                }
                send(m);
            }

            private void send(Map<String, Object> m) {
                synchronized (lock) {
                    try {
                        ex.write((DockerJson.writeString(m) + "\r\n").getBytes(StandardCharsets.UTF_8));
                    } catch (IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                }
            }
        };
        try {
            ImagePuller.Result r = engine.images().pull(reference, progress);
            engine.events().publish("image", "pull", reference.familiar(), Map.of("name", reference.familiar()));
            if (r == null) {
                throw new IllegalStateException("pull returned nothing");
            }
        } catch (RuntimeException e) {
            String msg = DockerErrors.message(e);
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("errorDetail", Map.of("message", msg));
            m.put("error", msg);
            synchronized (lock) {
                ex.write((DockerJson.writeString(m) + "\r\n").getBytes(StandardCharsets.UTF_8));
            }
        }
        ex.end();
    }

    /** {@code GET /images/get?names=...}: a docker-archive tar of the images. */
    void save(Exchange ex) throws IOException {
        export(ex, ex.queryAll("names"));
    }

    void saveOne(Exchange ex) throws IOException {
        export(ex, List.of(ex.param("name")));
    }

    private void export(Exchange ex, List<String> names) throws IOException {
        if (names.isEmpty()) {
            throw new InvalidConfigException("query", "names", "name at least one image to save");
        }
        for (String n : names) {
            engine.images().store().resolve(n); // 404 before the headers
        }
        ex.startStream(200, "application/x-tar");
        OutputStream out = new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                ex.write(java.util.Arrays.copyOfRange(b, off, off + len));
            }
        };
        try (java.io.BufferedOutputStream buffered = new java.io.BufferedOutputStream(out, 256 * 1024)) {
            new jctr.kernel.image.ImageExporter(engine.images().store()).exportTar(names, buffered, true);
        }
        ex.end();
    }

    /** {@code POST /images/load}: a docker-archive or OCI tar in the body. */
    void load(Exchange ex) throws IOException {
        Path tmp = Files.createTempFile(engine.dataRoot(), ".load-", ".tar");
        try {
            Files.copy(ex.body(), tmp, StandardCopyOption.REPLACE_EXISTING);
            List<ImageImporter.Imported> imported = engine.images().importPath(tmp, null);
            // As Docker: quiet only drops progress (jctr has none); the "Loaded image" lines always come.
            ex.startStream(200, "application/json");
            for (ImageImporter.Imported i : imported) {
                List<String> names = i.names().stream().map(Reference::familiar).toList();
                String line = names.isEmpty() ? "Loaded image ID: " + i.id() + "\n"
                        : String.join("", names.stream().map(n -> "Loaded image: " + n + "\n").toList());
                ex.write((DockerJson.writeString(Map.of("stream", line)) + "\r\n").getBytes(StandardCharsets.UTF_8));
                engine.events().publish("image", "load", i.id().toString(), Map.of());
            }
            ex.end();
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}
