package jctr.mgmt.api;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import jctr.mgmt.engine.Container;
import jctr.mgmt.engine.ContainerState;
import jctr.mgmt.engine.DockerJson;

/** Containers in the Docker Engine API's JSON shapes: {@code inspect} and {@code ps}. */
final class ContainerViews {

    /** Docker's "zero" time, for never started / never finished. */
    static final String ZERO_TIME = "0001-01-01T00:00:00Z";

    private ContainerViews() {
    }

    /** {@code GET /containers/{id}/json}. */
    static Map<String, Object> inspect(Container c, String logPath, List<String> execIds) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("Id", c.id());
        m.put("Created", c.created().toString());
        m.put("Path", c.path());
        m.put("Args", c.args());
        m.put("State", state(c.state()));
        m.put("Image", c.imageId());
        m.put("ResolvConfPath", "");
        m.put("HostnamePath", "");
        m.put("HostsPath", "");
        m.put("LogPath", logPath);
        m.put("Name", c.name());
        m.put("RestartCount", c.restartCount());
        m.put("Driver", c.storageDriver());
        m.put("Platform", "linux");
        m.put("MountLabel", "");
        m.put("ProcessLabel", "");
        m.put("AppArmorProfile", "");
        m.put("ExecIDs", execIds.isEmpty() ? null : execIds);
        m.put("HostConfig", hostConfig(c));
        m.put("GraphDriver", Map.of("Name", c.storageDriver(), "Data", Map.of()));
        m.put("Mounts", mounts(c));
        m.put("Config", config(c));
        Map<String, Object> net = new LinkedHashMap<>();
        net.put("Bridge", "");
        net.put("SandboxID", "");
        net.put("SandboxKey", "");
        net.put("Ports", Map.of());
        net.put("Networks", Map.of(networkName(c), Map.of("NetworkID", "", "EndpointID", "", "Gateway", "",
                "IPAddress", "", "IPPrefixLen", 0, "MacAddress", "")));
        m.put("NetworkSettings", net);
        return m;
    }

    private static String networkName(Container c) {
        String mode = c.hostConfig().networkModeOrDefault();
        return mode.equals("bridge") ? "none" : mode;
    }

    static Map<String, Object> state(ContainerState s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("Status", s.status());
        m.put("Running", s.running());
        m.put("Paused", s.paused());
        m.put("Restarting", s.restarting());
        m.put("OOMKilled", s.oomKilled());
        m.put("Dead", s.dead());
        m.put("Pid", s.pid());
        m.put("ExitCode", s.exitCode());
        m.put("Error", s.error() == null ? "" : s.error());
        m.put("StartedAt", s.startedAt() == null ? ZERO_TIME : s.startedAt().toString());
        m.put("FinishedAt", s.finishedAt() == null ? ZERO_TIME : s.finishedAt().toString());
        return m;
    }

    private static JsonNode config(Container c) {
        ObjectNode n = DockerJson.mapper().valueToTree(c.config());
        if (!n.hasNonNull("Hostname") || n.get("Hostname").asText().isEmpty()) {
            n.put("Hostname", c.id().substring(0, 12));
        }
        for (String k : List.of("AttachStdin", "AttachStdout", "AttachStderr", "Tty", "OpenStdin", "StdinOnce")) {
            if (!n.hasNonNull(k)) {
                n.put(k, false);
            }
        }
        return n;
    }

    private static JsonNode hostConfig(Container c) {
        ObjectNode n = DockerJson.mapper().valueToTree(c.hostConfig());
        n.put("NetworkMode", c.hostConfig().networkMode() == null ? "default" : c.hostConfig().networkMode());
        if (!n.hasNonNull("RestartPolicy")) {
            n.set("RestartPolicy", DockerJson.mapper().valueToTree(Map.of("Name", "no", "MaximumRetryCount", 0)));
        }
        if (!n.hasNonNull("LogConfig")) {
            n.set("LogConfig", DockerJson.mapper().valueToTree(Map.of("Type", "json-file", "Config", Map.of())));
        }
        return n;
    }

    static List<Map<String, Object>> mounts(Container c) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (Container.MountPoint p : c.mounts()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("Type", p.type());
            if (p.name() != null) {
                m.put("Name", p.name());
            }
            m.put("Source", p.source());
            m.put("Destination", p.destination());
            if (p.driver() != null) {
                m.put("Driver", p.driver());
            }
            m.put("Mode", p.mode());
            m.put("RW", p.rw());
            m.put("Propagation", p.propagation());
            out.add(m);
        }
        return out;
    }

    /** One row of {@code GET /containers/json}. */
    static Map<String, Object> summary(Container c, Instant now) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("Id", c.id());
        m.put("Names", List.of(c.name()));
        m.put("Image", c.config().image());
        m.put("ImageID", c.imageId());
        m.put("Command", command(c));
        m.put("Created", c.created().getEpochSecond());
        m.put("Ports", List.of());
        m.put("Labels", c.config().labelsOrEmpty());
        m.put("State", c.state().status());
        m.put("Status", status(c.state(), now));
        m.put("HostConfig", Map.of("NetworkMode", c.hostConfig().networkMode() == null ? "default"
                : c.hostConfig().networkMode()));
        m.put("NetworkSettings", Map.of("Networks", Map.of()));
        m.put("Mounts", mounts(c));
        return m;
    }

    /** The command as {@code docker ps} shows it: program and arguments joined, quoted where needed. */
    static String command(Container c) {
        StringBuilder sb = new StringBuilder(c.path());
        for (String a : c.args()) {
            sb.append(' ').append(a.contains(" ") || a.isEmpty() ? "'" + a + "'" : a);
        }
        return sb.toString();
    }

    /** Docker's human status: {@code Up 3 seconds}, {@code Exited (0) 2 minutes ago}, {@code Created}. */
    static String status(ContainerState s, Instant now) {
        if (s.restarting()) {
            return "Restarting (" + s.exitCode() + ") " + human(s.finishedAt(), now) + " ago";
        }
        if (s.running()) {
            return "Up " + human(s.startedAt(), now) + (s.paused() ? " (Paused)" : "");
        }
        if (s.status().equals(ContainerState.CREATED)) {
            return "Created";
        }
        if (s.finishedAt() == null) {
            return "Exited (" + s.exitCode() + ")";
        }
        return "Exited (" + s.exitCode() + ") " + human(s.finishedAt(), now) + " ago";
    }

    /** Docker's units.HumanDuration. */
    static String human(Instant since, Instant now) {
        if (since == null) {
            return "Less than a second";
        }
        Duration d = Duration.between(since, now);
        long s = d.getSeconds();
        if (s < 1) {
            return "Less than a second";
        }
        if (s == 1) {
            return "1 second";
        }
        if (s < 60) {
            return s + " seconds";
        }
        long min = d.toMinutes();
        if (min == 1) {
            return "About a minute";
        }
        if (min < 60) {
            return min + " minutes";
        }
        long h = d.toHours();
        if (h == 1) {
            return "About an hour";
        }
        if (h < 48) {
            return h + " hours";
        }
        if (h < 24 * 7 * 2) {
            return h / 24 + " days";
        }
        if (h < 24 * 30 * 2) {
            return h / 24 / 7 + " weeks";
        }
        if (h < 24 * 365 * 2) {
            return h / 24 / 30 + " months";
        }
        return h / 24 / 365 + " years";
    }
}
