package jctr.mgmt.api;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import jctr.kernel.InvalidConfigException;
import jctr.kernel.KernelException;
import jctr.mgmt.engine.AttachSession;
import jctr.mgmt.engine.Container;
import jctr.mgmt.engine.DockerJson;
import jctr.mgmt.engine.Engine;
import jctr.mgmt.engine.EventBus;
import jctr.mgmt.engine.Execs;
import jctr.mgmt.engine.JsonFileLog;

/**
 * The endpoints {@link StreamRouter} serves: those whose response is produced over time or that take
 * over the connection.
 */
final class StreamEndpoints {

    private final Engine engine;

    StreamEndpoints(Engine engine) {
        this.engine = engine;
    }

    List<StreamRouter.Route> routes() {
        List<StreamRouter.Route> routes = new java.util.ArrayList<>(List.of(
                StreamRouter.Route.of("GET", "/events", this::events),
                StreamRouter.Route.of("POST", "/containers/{id}/attach", this::attach),
                StreamRouter.Route.of("POST", "/containers/{id}/wait", this::waitFor),
                StreamRouter.Route.of("GET", "/containers/{id}/logs", this::logs),
                StreamRouter.Route.of("GET", "/containers/{id}/stats", this::stats),
                StreamRouter.Route.of("POST", "/exec/{id}/start", this::execStart),
                StreamRouter.Route.of("POST", "/build", this::build)));
        routes.addAll(new ImageStreams(engine).routes());
        return routes;
    }

    /** Docker's content types for a container's streams: raw with a terminal, else framed. */
    static String streamType(boolean tty) {
        return tty ? "application/vnd.docker.raw-stream" : "application/vnd.docker.multiplexed-stream";
    }

    /** One frame of Docker's multiplexed stream: {@code [stream, 0, 0, 0, length u32 BE]} and the payload. */
    static byte[] frame(int stream, byte[] data) {
        byte[] out = new byte[8 + data.length];
        out[0] = (byte) stream;
        out[4] = (byte) (data.length >>> 24);
        out[5] = (byte) (data.length >>> 16);
        out[6] = (byte) (data.length >>> 8);
        out[7] = (byte) data.length;
        System.arraycopy(data, 0, out, 8, data.length);
        return out;
    }

    /**
     * {@code POST /containers/{id}/attach}: hijacks the connection; stdin from the client goes to the container
     * (buffered until it is launched), its output comes back, and the connection closes when it exits.
     */
    private void attach(Exchange ex) throws IOException {
        Container c = engine.containers().get(ex.param("id"));
        boolean tty = c.config().ttyEnabled();
        boolean stdin = ex.flag("stdin", false);
        boolean logs = ex.flag("logs", false);
        boolean stream = ex.flag("stream", false);
        AttachSession session = engine.containers().attach(c.id(), ex.flag("stdout", false), ex.flag("stderr", false));
        Hijacked h = ex.hijack(streamType(tty));
        ex.clientGone().thenRun(session::close);
        try {
            if (logs) {
                new JsonFileLog(engine.containers().logPath(c.id())).read(
                        new JsonFileLog.Query(ex.flag("stdout", false), ex.flag("stderr", false), null, null, -1, false),
                        () -> false, e -> writeOut(h, tty, e.stream().equals("stderr") ? 2 : 1, e.line()));
            }
            if (stream) {
                if (stdin) {
                    pumpStdin(h, session);
                }
                try {
                    session.pump((s, data) -> writeOut(h, tty, s, data));
                } catch (KernelException e) {
                    // The run this session waited for did not happen (its start failed, or the container was
                    // removed): the error is /start's to report; closing the stream is this one's answer.
                }
            }
        } finally {
            session.close();
            h.close();
        }
    }

    /** Copies the hijacked connection's input to the session's stdin on a virtual thread. */
    private static void pumpStdin(Hijacked h, AttachSession session) {
        Thread.ofVirtual().name("jctr-stdin").start(() -> {
            byte[] buf = new byte[32 * 1024];
            try {
                int n;
                while ((n = h.input().read(buf, 0, buf.length)) >= 0) {
                    session.stdin(buf, 0, n);
                }
                session.stdinEnded();
            } catch (IOException | RuntimeException e) {
                // the client or the process went away
            }
        });
    }

    private static void writeOut(Hijacked h, boolean tty, int stream, byte[] data) throws IOException {
        byte[] out = tty ? data : frame(stream, data);
        h.write(out, 0, out.length);
    }

    /** {@code POST /containers/{id}/wait}: headers at once, the exit code when the condition is met. */
    private void waitFor(Exchange ex) throws IOException {
        CompletableFuture<Integer> f = engine.containers().waitFor(ex.param("id"), ex.query("condition"));
        ex.startStream(200, "application/json");
        Map<String, Object> body = new LinkedHashMap<>();
        try {
            CompletableFuture.anyOf(f, ex.clientGone()).get();
            if (!f.isDone()) {
                ex.abort();
                return;
            }
            body.put("StatusCode", f.get());
            body.put("Error", null);
        } catch (ExecutionException e) {
            body.put("StatusCode", -1);
            body.put("Error", Map.of("Message", DockerErrors.message(e.getCause())));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            ex.abort();
            return;
        }
        ex.write((DockerJson.writeString(body) + "\n").getBytes(StandardCharsets.UTF_8));
        ex.end();
    }

    /** {@code GET /containers/{id}/logs}: the json-file log, framed unless the container has a terminal. */
    private void logs(Exchange ex) throws IOException {
        Container c = engine.containers().get(ex.param("id"));
        boolean stdout = ex.flag("stdout", false);
        boolean stderr = ex.flag("stderr", false);
        if (!stdout && !stderr) {
            throw new InvalidConfigException("query", "stdout", "you must choose at least one stream");
        }
        String tailParam = ex.query("tail");
        long tail = tailParam == null || tailParam.isEmpty() || tailParam.equals("all") ? -1 : parseTail(tailParam);
        boolean follow = ex.flag("follow", false);
        boolean timestamps = ex.flag("timestamps", false);
        JsonFileLog.Query q = new JsonFileLog.Query(stdout, stderr, time(ex.query("since"), "since"),
                time(ex.query("until"), "until"), tail, follow);
        boolean tty = c.config().ttyEnabled();
        ex.startStream(200, streamType(tty));
        String id = c.id();
        new JsonFileLog(engine.containers().logPath(id)).read(q,
                () -> engine.containers().running(id) && !ex.clientGone().isDone(), e -> {
                    byte[] line = e.line();
                    if (timestamps) {
                        byte[] ts = (RFC3339_NANO.format(e.time()) + " ").getBytes(StandardCharsets.UTF_8);
                        byte[] both = new byte[ts.length + line.length];
                        System.arraycopy(ts, 0, both, 0, ts.length);
                        System.arraycopy(line, 0, both, ts.length, line.length);
                        line = both;
                    }
                    ex.write(tty ? line : frame(e.stream().equals("stderr") ? 2 : 1, line));
                });
        ex.end();
    }

    /** Docker's fixed-width RFC 3339 with nanoseconds, for {@code logs --timestamps}. */
    static final java.time.format.DateTimeFormatter RFC3339_NANO =
            java.time.format.DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.nnnnnnnnn'Z'").withZone(java.time.ZoneOffset.UTC);

    private static long parseTail(String v) {
        try {
            return Long.parseLong(v);
        } catch (NumberFormatException e) {
            throw new InvalidConfigException("query", "tail", "invalid tail value: " + v);
        }
    }

    /** {@code GET /containers/{id}/stats}: one sample, or one per second while {@code stream} (the default). */
    private void stats(Exchange ex) throws IOException {
        Container c = engine.containers().get(ex.param("id"));
        boolean stream = ex.flag("stream", true) && !ex.flag("one-shot", false);
        ex.startStream(200, "application/json");
        Map<String, Object> previous = null;
        do {
            Map<String, Object> sample = StatsView.sample(engine, c, previous);
            ex.write((DockerJson.writeString(sample) + "\n").getBytes(StandardCharsets.UTF_8));
            previous = sample;
            if (stream) {
                try {
                    Thread.sleep(1000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
        } while (stream && !ex.clientGone().isDone() && engine.containers().running(c.id()));
        ex.end();
    }

    /**
     * {@code POST /build} (the legacy builder): the context tar streams in as the body; progress goes out as
     * Docker's JSON messages, an error as {@code errorDetail} (the docker CLI then fails the build).
     */
    private void build(Exchange ex) throws IOException {
        List<String> tags = ex.queryAll("t");
        java.util.Map<String, String> buildArgs = stringMap(ex.query("buildargs"), "buildargs");
        java.util.Map<String, String> labels = stringMap(ex.query("labels"), "labels");
        boolean quiet = ex.flag("q", false);
        jctr.mgmt.engine.Builder builder = engine.builder();
        ex.startStream(200, "application/json");
        Object lock = new Object();
        jctr.mgmt.engine.Builder.Output out = new jctr.mgmt.engine.Builder.Output() {
            @Override
            public void stream(String text) throws IOException {
                if (!quiet) {
                    send(Map.of("stream", text));
                }
            }

            @Override
            public void aux(String imageId) throws IOException {
                send(Map.of("aux", Map.of("ID", imageId)));
                if (quiet) {
                    send(Map.of("stream", imageId + "\n")); // what docker build -q prints
                }
            }

            private void send(Map<String, Object> m) throws IOException {
                synchronized (lock) {
                    ex.write((DockerJson.writeString(m) + "\r\n").getBytes(StandardCharsets.UTF_8));
                }
            }
        };
        try {
            builder.build(ex.body(), ex.query("dockerfile"), tags, buildArgs, labels, out);
            drainBody(ex);
        } catch (RuntimeException e) {
            drainBody(ex);
            String msg = DockerErrors.message(e);
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("errorDetail", Map.of("code", 1, "message", msg));
            m.put("error", msg);
            ex.write((DockerJson.writeString(m) + "\r\n").getBytes(StandardCharsets.UTF_8));
        }
        ex.end();
    }

    /** Reads what is left of a request body (a context the builder did not need to the end). */
    private static void drainBody(Exchange ex) {
        try {
            ex.body().transferTo(java.io.OutputStream.nullOutputStream());
        } catch (IOException e) {
            // the client went away
        }
    }

    private static java.util.Map<String, String> stringMap(String json, String what) {
        java.util.Map<String, String> out = new LinkedHashMap<>();
        if (json == null || json.isEmpty()) {
            return out;
        }
        DockerJson.tree(json.getBytes(StandardCharsets.UTF_8), what).properties()
                .forEach(e -> out.put(e.getKey(), e.getValue().asText()));
        return out;
    }

    /** {@code POST /exec/{id}/start}: detached, or hijacked like attach; the exit code is recorded before closing. */
    private void execStart(Exchange ex) throws IOException {
        Execs.Exec e = engine.execs().get(ex.param("id"));
        com.fasterxml.jackson.databind.JsonNode body = DockerJson.tree(ex.readBody(1 << 20), "exec start request");
        boolean detach = body.path("Detach").asBoolean(false);
        if (detach) {
            engine.execs().start(e.id(), true);
            ex.sendFull(200, "application/json", new byte[0]);
            return;
        }
        boolean tty = Boolean.TRUE.equals(e.config().tty());
        AttachSession session = engine.execs().start(e.id(), false);
        Hijacked h = ex.hijack(streamType(tty));
        ex.clientGone().thenRun(session::close);
        try {
            if (Boolean.TRUE.equals(e.config().attachStdin())) {
                pumpStdin(h, session);
            }
            Integer code = session.pump((s, data) -> writeOut(h, tty, s, data));
            if (code != null) {
                engine.execs().exited(e.id(), code);
            }
        } finally {
            session.close();
            h.close();
        }
    }

    /** {@code GET /events}: past events since {@code since}, then live ones until {@code until} or disconnect. */
    private void events(Exchange ex) throws IOException {
        Filters f = Filters.parse(ex.query("filters"))
                .only("container", "event", "image", "label", "type", "volume", "scope", "daemon", "network", "plugin");
        Instant since = time(ex.query("since"), "since");
        Instant until = time(ex.query("until"), "until");
        Predicate<EventBus.Event> match = e -> matches(f, e);
        LinkedBlockingQueue<EventBus.Event> queue = new LinkedBlockingQueue<>();
        Predicate<EventBus.Event> past = since == null ? e -> false
                : e -> !e.time().isBefore(since) && (until == null || e.time().isBefore(until)) && match.test(e);
        ex.startStream(200, "application/json");
        EventBus.Subscription sub = engine.events().subscribe(past, match, queue::add);
        try {
            while (!ex.clientGone().isDone()) {
                long wait = until == null ? 1000 : Math.min(1000, until.toEpochMilli() - System.currentTimeMillis());
                if (until != null && wait <= 0 && queue.isEmpty()) {
                    break;
                }
                EventBus.Event e;
                try {
                    e = queue.poll(Math.max(wait, 1), TimeUnit.MILLISECONDS);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    break;
                }
                if (e != null && (until == null || e.time().isBefore(until))) {
                    ex.write((DockerJson.writeString(view(e)) + "\n").getBytes(StandardCharsets.UTF_8));
                }
            }
        } finally {
            sub.close();
        }
        ex.end();
    }

    private static boolean matches(Filters f, EventBus.Event e) {
        if (!f.get("type").isEmpty() && !f.get("type").contains(e.type())) {
            return false;
        }
        if (!f.get("event").isEmpty() && f.get("event").stream().noneMatch(a -> e.action().equals(a)
                || e.action().startsWith(a + ":"))) {
            return false;
        }
        for (String key : List.of("container", "volume", "image")) {
            List<String> want = f.get(key);
            if (!want.isEmpty() && (!e.type().equals(key) || want.stream().noneMatch(w -> e.actorId().startsWith(w)
                    || w.equals(e.attributes().get("name"))))) {
                return false;
            }
        }
        return f.labelsMatch(e.attributes());
    }

    /** An event in the API's shape. */
    static Map<String, Object> view(EventBus.Event e) {
        Map<String, Object> m = new LinkedHashMap<>();
        if (e.type().equals("container")) {
            m.put("status", e.action());
            m.put("id", e.actorId());
            if (e.attributes().containsKey("image")) {
                m.put("from", e.attributes().get("image"));
            }
        }
        m.put("Type", e.type());
        m.put("Action", e.action());
        m.put("Actor", Map.of("ID", e.actorId(), "Attributes", e.attributes()));
        m.put("scope", "local");
        m.put("time", e.time().getEpochSecond());
        m.put("timeNano", e.time().getEpochSecond() * 1_000_000_000L + e.time().getNano());
        return m;
    }

    /** Docker's time parameters: Unix seconds (with an optional fraction) or RFC 3339. */
    static Instant time(String v, String name) {
        if (v == null || v.isEmpty()) {
            return null;
        }
        try {
            if (v.matches("-?\\d+(\\.\\d{1,9})?")) {
                String[] p = v.split("\\.");
                long nanos = p.length > 1 ? Long.parseLong((p[1] + "000000000").substring(0, 9)) : 0;
                return Instant.ofEpochSecond(Long.parseLong(p[0]), nanos);
            }
            return Instant.parse(v);
        } catch (NumberFormatException | DateTimeParseException e) {
            throw new InvalidConfigException("query", name, "invalid time: " + v);
        }
    }
}
