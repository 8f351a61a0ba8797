package jctr.kernel.image;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Collects pull progress events for assertions. */
final class RecordingProgress implements PullProgress {

    record Event(String id, Status status, long current, long total, String message) {
    }

    final List<Event> events = new CopyOnWriteArrayList<>();

    @Override
    public void layer(String id, Status status, long current, long total) {
        events.add(new Event(id, status, current, total, null));
    }

    @Override
    public void message(String id, String text) {
        events.add(new Event(id, null, 0, 0, text));
    }

    List<Status> statusesOf(String id) {
        return events.stream().filter(e -> id.equals(e.id()) && e.status() != null).map(Event::status).distinct().toList();
    }

    List<String> messages() {
        return events.stream().filter(e -> e.message() != null).map(Event::message).toList();
    }
}
