package jctr.mgmt.api;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import jctr.kernel.InvalidConfigException;
import jctr.mgmt.engine.DockerJson;
import jctr.mgmt.engine.Engine;
import jctr.mgmt.engine.EventBus;

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
        return List.of(
                StreamRouter.Route.of("GET", "/events", this::events));
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
