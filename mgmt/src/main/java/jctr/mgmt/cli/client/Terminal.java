package jctr.mgmt.cli.client;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The local terminal for {@code jctr run -t} and {@code exec -t}: whether stdin is one, its size, and raw
 * mode. Done with {@code stty} on the inherited stdin: the CLI runs on the class path, where the kernel's FFM
 * layer is not exported, and these calls happen once per command.
 */
public final class Terminal implements AutoCloseable {

    private final String saved;

    private Terminal(String saved) {
        this.saved = saved;
    }

    /** Whether the process's stdin is a terminal. */
    public static boolean stdinIsTerminal() {
        try {
            return run(List.of("test", "-t", "0")).exit == 0;
        } catch (IOException e) {
            return false;
        }
    }

    /** {rows, cols} of the terminal on stdin, or {0, 0}. */
    public static int[] size() {
        try {
            Result r = run(List.of("stty", "size"));
            String[] f = r.out.trim().split("\\s+");
            if (r.exit == 0 && f.length == 2) {
                return new int[] {Integer.parseInt(f[0]), Integer.parseInt(f[1])};
            }
        } catch (IOException | NumberFormatException e) {
            // not a terminal
        }
        return new int[] {0, 0};
    }

    /** Puts the terminal in raw mode (no echo, no line editing, no signals); {@link #close} restores it. */
    public static Terminal raw() throws IOException {
        Result saved = run(List.of("stty", "-g"));
        if (saved.exit != 0) {
            throw new IOException("the input device is not a TTY");
        }
        run(List.of("stty", "raw", "-echo"));
        return new Terminal(saved.out.trim());
    }

    @Override
    public void close() {
        try {
            run(List.of("stty", saved));
        } catch (IOException e) {
            // the terminal is gone
        }
    }

    private record Result(int exit, String out) {
    }

    private static Result run(List<String> cmd) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(new ArrayList<>(cmd));
        pb.redirectInput(ProcessBuilder.Redirect.INHERIT);
        pb.redirectError(ProcessBuilder.Redirect.DISCARD);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        try {
            return new Result(p.waitFor(), out);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }
}
