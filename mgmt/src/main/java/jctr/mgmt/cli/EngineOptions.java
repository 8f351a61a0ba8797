package jctr.mgmt.cli;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import jctr.kernel.config.EngineConfig;
import picocli.CommandLine.Option;

/**
 * Flags that override the engine configuration (see {@link EngineConfig#load} for the order of sources).
 * Mixed into the top-level {@code jctr} command and inherited by its subcommands.
 */
public final class EngineOptions {

    @Option(names = "--config", paramLabel = "FILE", description = "Engine configuration file (default: $JCTR_CONFIG or /etc/jctr/config.json)")
    Path config;

    @Option(names = "--isolation-driver", paramLabel = "NAME", description = "Isolation driver (default: auto)")
    String isolationDriver;

    @Option(names = "--resource-driver", paramLabel = "NAME", description = "Resource driver: cgroup-v1, cgroup-v2 or auto")
    String resourceDriver;

    @Option(names = "--storage-driver", paramLabel = "NAME", description = "Storage driver: overlay, vfs or auto")
    String storageDriver;

    @Option(names = "--state-root", paramLabel = "DIR", description = "Runtime state directory (default: /run/jctr)")
    String stateRoot;

    @Option(names = "--data-root", paramLabel = "DIR", description = "Persistent data directory (default: /var/lib/jctr)")
    String dataRoot;

    /** The configuration from file, environment and these flags. */
    public EngineConfig load() {
        Map<String, String> flags = new HashMap<>();
        put(flags, "isolation-driver", isolationDriver);
        put(flags, "resource-driver", resourceDriver);
        put(flags, "storage-driver", storageDriver);
        put(flags, "state-root", stateRoot);
        put(flags, "data-root", dataRoot);
        return EngineConfig.load(config, System.getenv(), flags);
    }

    /** These flags as command-line arguments (to start a daemon with the same configuration). */
    public void asFlags(java.util.List<String> out) {
        if (config != null) {
            out.addAll(java.util.List.of("--config", config.toString()));
        }
        add(out, "--isolation-driver", isolationDriver);
        add(out, "--resource-driver", resourceDriver);
        add(out, "--storage-driver", storageDriver);
        add(out, "--state-root", stateRoot);
        add(out, "--data-root", dataRoot);
    }

    private static void add(java.util.List<String> out, String flag, String v) {
        if (v != null) {
            out.add(flag);
            out.add(v);
        }
    }

    private static void put(Map<String, String> m, String k, String v) {
        if (v != null) {
            m.put(k, v);
        }
    }
}
