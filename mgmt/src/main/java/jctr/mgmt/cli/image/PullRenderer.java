package jctr.mgmt.cli.image;

import java.io.PrintWriter;
import java.util.HashMap;
import java.util.Map;

import jctr.kernel.image.PullProgress;

/**
 * Draws pull progress as docker does. On a terminal each layer owns a line that is redrawn in place
 * ({@code <id>: Downloading [=====>     ]  1.2MB/3.4MB}), at most ten times a second per layer. Otherwise
 * each layer's state changes are printed as lines, without byte counts.
 */
final class PullRenderer implements PullProgress {

    private static final int BAR = 50;
    private static final long REDRAW_NANOS = 100_000_000L;

    private final PrintWriter out;
    private final boolean tty;
    /** Terminal mode: the line each layer owns, counted from the first line printed. */
    private final Map<String, Integer> lineOf = new HashMap<>();
    private final Map<String, Status> lastStatus = new HashMap<>();
    private final Map<String, Long> lastDraw = new HashMap<>();
    private int lines;

    PullRenderer(PrintWriter out, boolean tty) {
        this.out = out;
        this.tty = tty;
    }

    @Override
    public synchronized void layer(String id, Status status, long current, long total) {
        Status before = lastStatus.put(id, status);
        if (!tty) {
            if (status != before && status != Status.DOWNLOADING && status != Status.EXTRACTING) {
                out.println(id + ": " + status.text());
                out.flush();
            }
            return;
        }
        long now = System.nanoTime();
        boolean progressOnly = status == before && (status == Status.DOWNLOADING || status == Status.EXTRACTING);
        if (progressOnly && current < total && now - lastDraw.getOrDefault(id, 0L) < REDRAW_NANOS) {
            return;
        }
        lastDraw.put(id, now);
        String text = id + ": " + status.text() + (total > 0 && current > 0 ? " " + bar(current, total) : "");
        Integer line = lineOf.get(id);
        if (line == null) {
            lineOf.put(id, lines++);
            out.println(text);
        } else {
            int up = lines - line;
            // Up to the layer's line, erase it, write, and come back down.
            out.print("\u001b[" + up + "A\u001b[2K\r" + text + "\u001b[" + up + "B\r");
        }
        out.flush();
    }

    @Override
    public synchronized void message(String id, String text) {
        out.println(id == null ? text : id + ": " + text);
        lines++;
        out.flush();
    }

    static String bar(long current, long total) {
        int filled = (int) Math.min(BAR, current * BAR / Math.max(total, 1));
        String b = "=".repeat(Math.max(filled - 1, 0)) + (filled > 0 && filled < BAR ? ">" : filled == BAR ? "=" : "");
        return "[" + b + " ".repeat(BAR - b.length()) + "]  " + Human.size(current, 4) + "/" + Human.size(total, 4);
    }
}
