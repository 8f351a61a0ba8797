package jctr.mgmt.engine;

import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * The engine's event stream ({@code docker events}): containers (create, start, die, oom, destroy, ...),
 * volumes and images. Keeps the most recent events so that a subscriber asking for {@code since} sees
 * what happened before it connected, then delivers new ones as they are published.
 */
public final class EventBus implements AutoCloseable {

    /** How many past events are kept for {@code since} queries. */
    static final int HISTORY = 1024;

    /**
     * One event.
     *
     * @param type {@code container}, {@code volume}, {@code image}
     * @param action e.g. {@code create}, {@code start}, {@code die}
     * @param actorId the object's id (volume: its name)
     * @param attributes e.g. {@code name}, {@code image}, {@code exitCode}
     * @param time when it happened
     */
    public record Event(String type, String action, String actorId, Map<String, String> attributes, Instant time) {
        public Event {
            attributes = attributes == null ? Map.of() : Map.copyOf(attributes);
        }
    }

    /** A live subscription; closing it stops delivery. */
    public interface Subscription extends AutoCloseable {
        @Override
        void close();
    }

    private final Deque<Event> history = new ArrayDeque<>();
    private final List<Consumer<Event>> listeners = new CopyOnWriteArrayList<>();

    /** Publishes an event to the history and every subscriber. */
    public void publish(String type, String action, String actorId, Map<String, String> attributes) {
        Event e = new Event(type, action, actorId, attributes, Instant.now());
        synchronized (history) {
            history.addLast(e);
            if (history.size() > HISTORY) {
                history.removeFirst();
            }
            for (Consumer<Event> l : listeners) {
                l.accept(e);
            }
        }
    }

    /**
     * Subscribes: first replays the kept events that {@code past} accepts, then delivers every new event
     * that {@code live} accepts, without gap or duplicate between the two.
     */
    public Subscription subscribe(Predicate<Event> past, Predicate<Event> live, Consumer<Event> listener) {
        Consumer<Event> filtered = e -> {
            if (live.test(e)) {
                listener.accept(e);
            }
        };
        synchronized (history) {
            for (Event e : history) {
                if (past.test(e)) {
                    listener.accept(e);
                }
            }
            listeners.add(filtered);
        }
        return () -> listeners.remove(filtered);
    }

    /** The kept events {@code filter} accepts, oldest first. */
    public List<Event> recent(Predicate<Event> filter) {
        synchronized (history) {
            List<Event> out = new ArrayList<>();
            for (Event e : history) {
                if (filter.test(e)) {
                    out.add(e);
                }
            }
            return out;
        }
    }

    @Override
    public void close() {
        listeners.clear();
    }
}
