package jctr.mgmt.cli.runc;

import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import jctr.kernel.InvalidConfigException;
import jctr.kernel.KernelException;
import jctr.kernel.spi.ResourceEvent;
import jctr.kernel.spi.Subscription;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code events ID}: one JSON line per event until the container stops: its stats every {@code --interval},
 * and {@code {"type":"oom","id":...}} when the OOM killer runs (other cgroup events as
 * {@code oom_kill} and {@code pids_limit}). With {@code --stats}: the stats once.
 */
@Command(name = "events", description = "Print the container's stats and OOM events as JSON lines")
final class EventsCommand extends RuncSubcommand {

    private static final Pattern DURATION_PART = Pattern.compile("([0-9]+(?:\\.[0-9]+)?)(ns|us|µs|ms|s|m|h)");

    @Option(names = "--interval", paramLabel = "DURATION", description = "Stats interval, e.g. 5s, 500ms (default: 5s)")
    String interval = "5s";

    @Option(names = "--stats", description = "Print the stats once and exit")
    boolean stats;

    @Parameters(index = "0", paramLabel = "ID")
    String id;

    @Override
    public Integer call() throws InterruptedException {
        if (stats) {
            emit(RuncStats.stats(id, runtime().stats(id)));
            return 0;
        }
        Duration every = duration(interval);
        try (Subscription _ = runtime().events(id, this::onEvent)) {
            while (true) {
                try {
                    emit(RuncStats.stats(id, runtime().stats(id)));
                } catch (KernelException e) {
                    if (e.category() == KernelException.Category.FAILED_PRECONDITION
                            || e.category() == KernelException.Category.NOT_FOUND) {
                        return 0; // the container stopped or was deleted: the stream ends
                    }
                    throw e;
                }
                Thread.sleep(every);
            }
        }
    }

    private void onEvent(ResourceEvent event) {
        String type = event.type() == ResourceEvent.Type.OOM ? "oom" : event.type().name().toLowerCase(Locale.ROOT);
        emit(new RuncStats.Event(type, id, null));
    }

    private synchronized void emit(RuncStats.Event event) {
        out().println(RuncJson.compact(event));
        out().flush();
    }

    /** A Go duration: {@code 5s}, {@code 250ms}, {@code 1m30s}. */
    static Duration duration(String text) {
        Matcher m = DURATION_PART.matcher(text);
        Duration total = Duration.ZERO;
        int end = 0;
        while (m.find() && m.start() == end) {
            double n = Double.parseDouble(m.group(1));
            long nanosPerUnit = switch (m.group(2)) {
                case "ns" -> 1L;
                case "us", "µs" -> 1_000L;
                case "ms" -> 1_000_000L;
                case "s" -> 1_000_000_000L;
                case "m" -> 60_000_000_000L;
                default -> 3_600_000_000_000L;
            };
            total = total.plusNanos(Math.round(n * nanosPerUnit));
            end = m.end();
        }
        if (end == 0 || end != text.length() || total.isZero()) {
            throw new InvalidConfigException("", "--interval", "not a positive duration (e.g. 5s, 500ms, 1m): " + text);
        }
        return total;
    }
}
