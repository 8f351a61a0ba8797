package jctr.mgmt.cli.runc;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.Map;

import jctr.kernel.oci.OciJson;
import jctr.kernel.runtime.RuntimeLog;

/**
 * runc's log: lines like {@code time="2025-01-02T03:04:05Z" level=error msg="container does not exist"}
 * (or one JSON object per line with {@code --log-format json}) to the {@code --log} file, else to stderr.
 * An error also goes to stderr as plain text when the log is a file, as runc does, so that a caller
 * always sees why a command failed.
 */
final class RuncLog implements RuntimeLog {

    private static final DateTimeFormatter TIME = DateTimeFormatter.ISO_OFFSET_DATE_TIME;

    private final Path file;
    private final boolean json;
    private final boolean debug;
    private final PrintWriter stderr;

    RuncLog(Path file, boolean json, boolean debug, PrintWriter stderr) {
        this.file = file;
        this.json = json;
        this.debug = debug;
        this.stderr = stderr;
    }

    @Override
    public void log(Level level, String message) {
        if (level == Level.DEBUG && !debug) {
            return;
        }
        write(level == Level.DEBUG ? "debug" : "warning", message);
    }

    /** Reports the error that ends the command. */
    void error(String message) {
        write("error", message);
        if (file != null) {
            stderr.println(message);
            stderr.flush();
        }
    }

    private void write(String level, String message) {
        String time = OffsetDateTime.now(ZoneOffset.UTC).truncatedTo(ChronoUnit.SECONDS).format(TIME);
        String line = json ? jsonLine(level, message, time) : textLine(level, message, time);
        if (file == null) {
            stderr.println(line);
            stderr.flush();
            return;
        }
        try {
            Files.writeString(file, line + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND, StandardOpenOption.WRITE);
        } catch (IOException e) {
            throw new UncheckedIOException("writing the log " + file, e);
        }
    }

    static String textLine(String level, String message, String time) {
        return "time=\"" + time + "\" level=" + level + " msg=" + quote(message);
    }

    static String jsonLine(String level, String message, String time) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("level", level);
        m.put("msg", message);
        m.put("time", time);
        return new String(OciJson.writeCompact(m), StandardCharsets.UTF_8);
    }

    /** A double-quoted string with Go's escapes for quotes, backslashes and control characters. */
    static String quote(String s) {
        StringBuilder sb = new StringBuilder(s.length() + 2).append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\t' -> sb.append("\\t");
                case '\r' -> sb.append("\\r");
                default -> {
                    if (c < 0x20) {
                        sb.append(String.format("\\x%02x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        return sb.append('"').toString();
    }
}
