package jctr.mgmt.engine;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.function.BooleanSupplier;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Reads a container's log in Docker's json-file format, as the monitor writes it: one JSON object per
 * line, {@code {"log":"...\n","stream":"stdout","time":"2024-01-02T03:04:05.123456789Z"}}, in
 * {@code <file>} and its rotated predecessors {@code <file>.1} (newer) ... {@code <file>.N} (oldest).
 */
public final class JsonFileLog {

    /** One log entry: which stream, when, and the bytes (a line with its newline, or a piece of one). */
    public record Entry(String stream, Instant time, byte[] line) {
    }

    /** Receives entries; may block (the reader then waits). */
    @FunctionalInterface
    public interface Sink {
        void accept(Entry e) throws IOException;
    }

    /**
     * What to read.
     *
     * @param stdout include stdout entries
     * @param stderr include stderr entries
     * @param since only entries at or after this time (null: all)
     * @param until only entries before this time (null: no bound)
     * @param tail only the last this many matching entries of what exists now (negative: all)
     * @param follow then wait for new entries until {@code running} says the writer is gone
     */
    public record Query(boolean stdout, boolean stderr, Instant since, Instant until, long tail, boolean follow) {
    }

    private static final long FOLLOW_POLL_MILLIS = 50;

    private final Path file;

    public JsonFileLog(Path file) {
        this.file = file;
    }

    public Path file() {
        return file;
    }

    /** The log's files, oldest first. */
    List<Path> files() {
        List<Path> out = new ArrayList<>();
        for (int i = 1; ; i++) {
            Path p = file.resolveSibling(file.getFileName() + "." + i);
            if (!Files.exists(p)) {
                break;
            }
            out.addFirst(p);
        }
        out.add(file);
        return out;
    }

    /**
     * Delivers the entries {@code q} selects to {@code sink}; with {@code follow}, keeps delivering new ones
     * (across rotations) until {@code running} is false and everything written has been read.
     */
    public void read(Query q, BooleanSupplier running, Sink sink) throws IOException {
        Deque<Entry> tail = q.tail() >= 0 ? new ArrayDeque<>() : null;
        Sink collect = e -> {
            if (!matches(q, e)) {
                return;
            }
            if (tail != null) {
                if (q.tail() == 0) {
                    return;
                }
                tail.addLast(e);
                if (tail.size() > q.tail()) {
                    tail.removeFirst();
                }
            } else {
                sink.accept(e);
            }
        };
        List<Path> files = files();
        for (int i = 0; i < files.size() - 1; i++) {
            try (FileChannel ch = FileChannel.open(files.get(i), StandardOpenOption.READ)) {
                new Reader(ch).drain(collect);
            } catch (NoSuchFileException e) {
                // rotated away while reading: its entries are gone, as with Docker
            }
        }
        Opened current = openCurrent();
        Reader reader = current == null ? null : new Reader(current.channel());
        try {
            if (current != null) {
                reader.drain(collect);
            }
            if (tail != null) {
                for (Entry e : tail) {
                    sink.accept(e);
                }
            }
            if (!q.follow()) {
                return;
            }
            Sink live = e -> {
                if (matches(q, e)) {
                    sink.accept(e);
                }
            };
            while (true) {
                boolean wasRunning = running.getAsBoolean();
                if (current != null) {
                    reader.drain(live);
                }
                Object key = fileKey(file);
                if (current == null || (key != null && !key.equals(current.inode()))) {
                    // Rotated (or created): finish the old file, then go on in the new one.
                    Opened next = openCurrent();
                    if (next != null) {
                        if (current != null) {
                            reader.drain(live);
                            current.channel().close();
                        }
                        current = next;
                        reader = new Reader(current.channel());
                        continue;
                    }
                }
                if (!wasRunning) {
                    return;
                }
                try {
                    Thread.sleep(FOLLOW_POLL_MILLIS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        } finally {
            if (current != null) {
                current.channel().close();
            }
        }
    }

    private static boolean matches(Query q, Entry e) {
        boolean stream = e.stream().equals("stderr") ? q.stderr() : q.stdout();
        return stream && (q.since() == null || !e.time().isBefore(q.since()))
                && (q.until() == null || e.time().isBefore(q.until()));
    }

    /** Opens the current file, noting its inode (retrying if a rotation raced with the open). */
    private Opened openCurrent() throws IOException {
        while (true) {
            Object before = fileKey(file);
            FileChannel ch;
            try {
                ch = FileChannel.open(file, StandardOpenOption.READ);
            } catch (NoSuchFileException e) {
                return null;
            }
            Object after = fileKey(file);
            if (before != null && before.equals(after)) {
                return new Opened(ch, after);
            }
            ch.close();
        }
    }

    private record Opened(FileChannel channel, Object inode) {
    }

    private static Object fileKey(Path p) {
        try {
            return Files.getAttribute(p, "unix:ino");
        } catch (IOException e) {
            return null;
        }
    }

    /** Reads whole lines from a channel, keeping a partial last line for the next call. */
    private static final class Reader {
        private final FileChannel ch;
        private final ByteBuffer buf = ByteBuffer.allocate(64 * 1024);
        private byte[] partial = new byte[0];

        Reader(FileChannel ch) {
            this.ch = ch;
        }

        void drain(Sink sink) throws IOException {
            while (true) {
                buf.clear();
                int n = ch.read(buf);
                if (n <= 0) {
                    return;
                }
                byte[] data = new byte[partial.length + n];
                System.arraycopy(partial, 0, data, 0, partial.length);
                System.arraycopy(buf.array(), 0, data, partial.length, n);
                int start = 0;
                for (int i = 0; i < data.length; i++) {
                    if (data[i] == '\n') {
                        Entry e = parse(data, start, i - start);
                        if (e != null) {
                            sink.accept(e);
                        }
                        start = i + 1;
                    }
                }
                partial = java.util.Arrays.copyOfRange(data, start, data.length);
            }
        }
    }

    static Entry parse(byte[] data, int off, int len) {
        try {
            JsonNode n = DockerJson.mapper().readTree(data, off, len);
            String log = n.path("log").asText();
            return new Entry(n.path("stream").asText("stdout"), Instant.parse(n.path("time").asText()),
                    log.getBytes(StandardCharsets.UTF_8));
        } catch (IOException | RuntimeException e) {
            return null; // a damaged line is skipped, as Docker does
        }
    }
}
