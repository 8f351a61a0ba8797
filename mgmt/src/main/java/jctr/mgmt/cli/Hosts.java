package jctr.mgmt.cli;

import java.nio.file.Path;

import jctr.kernel.InvalidConfigException;
import jctr.mgmt.api.ApiConfig;

/** Where the daemon's socket is: {@code -H unix://PATH}, else {@code $JCTR_HOST}, else the default. */
final class Hosts {

    private Hosts() {
    }

    static Path socketPath(String flag) {
        String h = flag != null ? flag : System.getenv("JCTR_HOST");
        if (h == null || h.isEmpty()) {
            return ApiConfig.DEFAULT_SOCKET;
        }
        if (h.startsWith("unix://")) {
            return Path.of(h.substring("unix://".length()));
        }
        if (h.startsWith("/")) {
            return Path.of(h);
        }
        throw new InvalidConfigException("command line", "--host", "only unix://PATH sockets are supported: " + h);
    }
}
