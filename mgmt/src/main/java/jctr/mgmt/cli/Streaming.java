package jctr.mgmt.cli;

import java.io.IOException;
import java.util.Map;

import jctr.mgmt.cli.client.ApiClient;
import jctr.mgmt.cli.client.Streams;
import jctr.mgmt.cli.client.Terminal;

/**
 * The local side of an attached container or exec session: the terminal in raw mode (with -t) and its size
 * sent on start and on every SIGWINCH, stdin copied in (half-closed at its end), output copied out until
 * the daemon closes the connection (the process has ended). The terminal size is polled (twice a
 * second) rather than caught with SIGWINCH, which the JDK offers only through an internal API.
 */
final class Streaming {

    private Streaming() {
    }

    static void attached(ApiClient client, ApiClient.Response conn, String id, boolean tty, boolean stdin, boolean exec)
            throws IOException {
        String resizePath = exec ? "/exec/" + id + "/resize" : "/containers/" + id + "/resize";
        Terminal raw = null;
        Thread sizeWatch = null;
        try {
            if (tty && Terminal.stdinIsTerminal()) {
                raw = Terminal.raw();
                int[] first = resize(client, resizePath, new int[] {0, 0});
                sizeWatch = Thread.ofVirtual().start(() -> {
                    int[] last = first;
                    while (!Thread.currentThread().isInterrupted()) {
                        try {
                            Thread.sleep(500);
                        } catch (InterruptedException e) {
                            return;
                        }
                        last = resize(client, resizePath, last);
                    }
                });
            }
            if (stdin) {
                Streams.input(System.in, conn.channel());
            }
            Streams.output(conn.body(), tty, System.out, System.err);
        } finally {
            conn.close();
            if (sizeWatch != null) {
                sizeWatch.interrupt();
            }
            if (raw != null) {
                raw.close();
            }
        }
    }

    /** Sends the terminal's size when it differs from {@code last}; returns the size now. */
    private static int[] resize(ApiClient client, String path, int[] last) {
        int[] s = Terminal.size();
        if (s[0] <= 0 || (s[0] == last[0] && s[1] == last[1])) {
            return last;
        }
        try (ApiClient.Response r = client.request("POST", ApiClient.path(path, Map.of("h", s[0], "w", s[1])), null)) {
            r.body().transferTo(java.io.OutputStream.nullOutputStream());
        } catch (IOException e) {
            // the session ended meanwhile
        }
        return s;
    }
}
