package jctr.mgmt.cli;

import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import jctr.kernel.InvalidConfigException;
import jctr.mgmt.engine.Sizes;
import picocli.CommandLine.Option;

/**
 * The container options of {@code jctr run} and {@code jctr create}, with docker's names, turned into the
 * body of {@code POST /containers/create} exactly as the docker CLI builds it.
 */
public final class ContainerOptions {

    @Option(names = {"-i", "--interactive"}, description = "Keep STDIN open even if not attached")
    boolean interactive;

    @Option(names = {"-t", "--tty"}, description = "Allocate a pseudo-TTY")
    boolean tty;

    @Option(names = "--name", description = "Assign a name to the container")
    String name;

    @Option(names = {"-e", "--env"}, description = "Set environment variables")
    List<String> env = new ArrayList<>();

    @Option(names = "--env-file", description = "Read in a file of environment variables")
    List<Path> envFiles = new ArrayList<>();

    @Option(names = {"-v", "--volume"}, description = "Bind mount a volume (SRC:DST[:OPTS] or DST)")
    List<String> volumes = new ArrayList<>();

    @Option(names = "--mount", description = "Attach a filesystem mount (type=bind|volume|tmpfs,source=...,target=...)")
    List<String> mounts = new ArrayList<>();

    @Option(names = "--tmpfs", description = "Mount a tmpfs directory (PATH[:OPTIONS])")
    List<String> tmpfs = new ArrayList<>();

    @Option(names = {"-w", "--workdir"}, description = "Working directory inside the container")
    String workdir;

    @Option(names = {"-u", "--user"}, description = "Username or UID (format: <name|uid>[:<group|gid>])")
    String user;

    @Option(names = {"-h", "--hostname"}, description = "Container host name")
    String hostname;

    @Option(names = "--entrypoint", description = "Overwrite the default ENTRYPOINT of the image")
    String entrypoint;

    @Option(names = {"--network", "--net"}, description = "Connect a container to a network (none, host, default)")
    String network;

    @Option(names = {"-p", "--publish"}, description = "Publish a container's port(s) to the host (not supported yet)")
    List<String> publish = new ArrayList<>();

    @Option(names = {"-P", "--publish-all"}, description = "Publish all exposed ports (not supported yet)")
    boolean publishAll;

    @Option(names = {"-m", "--memory"}, description = "Memory limit")
    String memory;

    @Option(names = "--memory-swap", description = "Swap limit equal to memory plus swap: '-1' to enable unlimited swap")
    String memorySwap;

    @Option(names = "--memory-reservation", description = "Memory soft limit")
    String memoryReservation;

    @Option(names = "--cpus", description = "Number of CPUs")
    BigDecimal cpus;

    @Option(names = {"-c", "--cpu-shares"}, description = "CPU shares (relative weight)")
    Long cpuShares;

    @Option(names = "--cpu-period", description = "Limit CPU CFS period")
    Long cpuPeriod;

    @Option(names = "--cpu-quota", description = "Limit CPU CFS quota")
    Long cpuQuota;

    @Option(names = "--cpuset-cpus", description = "CPUs in which to allow execution (0-3, 0,1)")
    String cpusetCpus;

    @Option(names = "--cpuset-mems", description = "MEMs in which to allow execution (0-3, 0,1)")
    String cpusetMems;

    @Option(names = "--pids-limit", description = "Tune container pids limit (set -1 for unlimited)")
    Long pidsLimit;

    @Option(names = "--blkio-weight", description = "Block IO (relative weight), between 10 and 1000, or 0 to disable")
    Integer blkioWeight;

    @Option(names = "--read-only", description = "Mount the container's root filesystem as read only")
    boolean readOnly;

    @Option(names = "--cap-add", description = "Add Linux capabilities")
    List<String> capAdd = new ArrayList<>();

    @Option(names = "--cap-drop", description = "Drop Linux capabilities")
    List<String> capDrop = new ArrayList<>();

    @Option(names = "--privileged", description = "Give extended privileges to this container")
    boolean privileged;

    @Option(names = "--security-opt", description = "Security options (seccomp=FILE|unconfined, no-new-privileges)")
    List<String> securityOpt = new ArrayList<>();

    @Option(names = "--restart", description = "Restart policy: no, always, unless-stopped, on-failure[:max-retries]")
    String restart;

    @Option(names = {"-l", "--label"}, description = "Set meta data on a container")
    List<String> labels = new ArrayList<>();

    @Option(names = "--log-driver", description = "Logging driver for the container (json-file)")
    String logDriver;

    @Option(names = "--log-opt", description = "Log driver options (max-size, max-file)")
    List<String> logOpts = new ArrayList<>();

    @Option(names = "--stop-signal", description = "Signal to stop the container")
    String stopSignal;

    @Option(names = "--stop-timeout", description = "Timeout (in seconds) to stop a container")
    Integer stopTimeout;

    @Option(names = "--ulimit", description = "Ulimit options (name=soft[:hard])")
    List<String> ulimits = new ArrayList<>();

    @Option(names = "--sysctl", description = "Sysctl options")
    List<String> sysctls = new ArrayList<>();

    @Option(names = "--shm-size", description = "Size of /dev/shm")
    String shmSize;

    /** The create request body for {@code image} and {@code command}. */
    Map<String, Object> body(String image, List<String> command, boolean attach, int[] consoleSize) throws IOException {
        Map<String, Object> b = new LinkedHashMap<>();
        b.put("Hostname", hostname == null ? "" : hostname);
        b.put("User", user == null ? "" : user);
        b.put("AttachStdin", attach && interactive);
        b.put("AttachStdout", attach);
        b.put("AttachStderr", attach);
        b.put("Tty", tty);
        b.put("OpenStdin", interactive);
        b.put("StdinOnce", attach && interactive);
        b.put("Env", env());
        b.put("Cmd", command.isEmpty() ? null : command);
        b.put("Image", image);
        b.put("WorkingDir", workdir == null ? "" : workdir);
        b.put("Entrypoint", entrypoint == null ? null : List.of(entrypoint));
        b.put("Labels", keyValues(labels, "--label"));
        if (stopSignal != null) {
            b.put("StopSignal", stopSignal);
        }
        if (stopTimeout != null) {
            b.put("StopTimeout", stopTimeout);
        }
        if (!publish.isEmpty()) {
            Map<String, Object> exposed = new LinkedHashMap<>();
            for (String p : publish) {
                String port = p.substring(p.lastIndexOf(':') + 1);
                exposed.put(port.contains("/") ? port : port + "/tcp", Map.of());
            }
            b.put("ExposedPorts", exposed);
        }
        b.put("HostConfig", hostConfig(consoleSize));
        b.put("NetworkingConfig", Map.of("EndpointsConfig", Map.of(network == null ? "default" : network, Map.of())));
        return b;
    }

    private List<String> env() throws IOException {
        List<String> out = new ArrayList<>();
        for (Path f : envFiles) {
            for (String line : Files.readAllLines(f)) {
                String l = line.strip();
                if (l.isEmpty() || l.startsWith("#")) {
                    continue;
                }
                out.add(l.contains("=") ? l : l + "=" + System.getenv().getOrDefault(l, ""));
            }
        }
        for (String e : env) {
            // -e NAME takes the value from the caller's environment, as docker does
            out.add(e.contains("=") ? e : e + "=" + System.getenv().getOrDefault(e, ""));
        }
        return out;
    }

    private Map<String, Object> hostConfig(int[] consoleSize) throws IOException {
        Map<String, Object> h = new LinkedHashMap<>();
        h.put("Binds", volumes.isEmpty() ? null : volumes);
        h.put("NetworkMode", network == null ? "default" : network);
        if (!publish.isEmpty()) {
            Map<String, List<Map<String, String>>> pb = new LinkedHashMap<>();
            for (String p : publish) {
                String[] f = p.split(":");
                String container = f[f.length - 1];
                String hostPort = f.length >= 2 ? f[f.length - 2] : "";
                String hostIp = f.length == 3 ? f[0] : "";
                pb.computeIfAbsent(container.contains("/") ? container : container + "/tcp", k -> new ArrayList<>())
                        .add(Map.of("HostIp", hostIp, "HostPort", hostPort));
            }
            h.put("PortBindings", pb);
        }
        h.put("PublishAllPorts", publishAll);
        h.put("RestartPolicy", restartPolicy());
        h.put("Mounts", mounts.isEmpty() ? null : mounts.stream().map(ContainerOptions::mount).toList());
        h.put("Tmpfs", tmpfs.isEmpty() ? null : tmpfsMap());
        h.put("CapAdd", capAdd.isEmpty() ? null : capAdd);
        h.put("CapDrop", capDrop.isEmpty() ? null : capDrop);
        h.put("Privileged", privileged);
        h.put("ReadonlyRootfs", readOnly);
        h.put("SecurityOpt", securityOpt.isEmpty() ? null : securityOpts());
        h.put("Memory", memory == null ? 0 : Sizes.parse(memory, "--memory"));
        h.put("MemorySwap", memorySwap == null ? 0 : memorySwap.equals("-1") ? -1 : Sizes.parse(memorySwap, "--memory-swap"));
        h.put("MemoryReservation", memoryReservation == null ? 0 : Sizes.parse(memoryReservation, "--memory-reservation"));
        h.put("NanoCpus", cpus == null ? 0 : cpus.movePointRight(9).longValueExact());
        h.put("CpuShares", cpuShares == null ? 0 : cpuShares);
        h.put("CpuPeriod", cpuPeriod == null ? 0 : cpuPeriod);
        h.put("CpuQuota", cpuQuota == null ? 0 : cpuQuota);
        h.put("CpusetCpus", cpusetCpus == null ? "" : cpusetCpus);
        h.put("CpusetMems", cpusetMems == null ? "" : cpusetMems);
        h.put("PidsLimit", pidsLimit);
        h.put("BlkioWeight", blkioWeight == null ? 0 : blkioWeight);
        Map<String, Object> log = new LinkedHashMap<>();
        log.put("Type", logDriver == null ? "" : logDriver);
        log.put("Config", keyValues(logOpts, "--log-opt"));
        h.put("LogConfig", log);
        h.put("Ulimits", ulimits.isEmpty() ? null : ulimits.stream().map(ContainerOptions::ulimit).toList());
        h.put("Sysctls", sysctls.isEmpty() ? null : keyValues(sysctls, "--sysctl"));
        h.put("ShmSize", shmSize == null ? 0 : Sizes.parse(shmSize, "--shm-size"));
        h.put("ConsoleSize", consoleSize);
        return h;
    }

    private Map<String, Object> restartPolicy() {
        if (restart == null || restart.isEmpty()) {
            return Map.of("Name", "no", "MaximumRetryCount", 0);
        }
        String[] p = restart.split(":");
        int retries = 0;
        if (p.length == 2) {
            try {
                retries = Integer.parseInt(p[1]);
            } catch (NumberFormatException e) {
                throw new InvalidConfigException("command line", "--restart", "invalid restart policy: " + restart);
            }
        }
        return Map.of("Name", p[0], "MaximumRetryCount", retries);
    }

    /** {@code --security-opt seccomp=FILE} sends the file's content, as the docker CLI does. */
    private List<String> securityOpts() throws IOException {
        List<String> out = new ArrayList<>();
        for (String o : securityOpt) {
            if (o.startsWith("seccomp=") && !o.equals("seccomp=unconfined")) {
                out.add("seccomp=" + Files.readString(Path.of(o.substring("seccomp=".length()))));
            } else {
                out.add(o);
            }
        }
        return out;
    }

    private Map<String, String> tmpfsMap() {
        Map<String, String> m = new LinkedHashMap<>();
        for (String t : tmpfs) {
            int c = t.indexOf(':');
            m.put(c < 0 ? t : t.substring(0, c), c < 0 ? "" : t.substring(c + 1));
        }
        return m;
    }

    /** {@code --mount type=...,source=...,target=...} as the API's Mounts entry. */
    static Map<String, Object> mount(String spec) {
        Map<String, Object> m = new LinkedHashMap<>();
        Map<String, Object> bind = new LinkedHashMap<>();
        Map<String, Object> vol = new LinkedHashMap<>();
        Map<String, Object> tmp = new LinkedHashMap<>();
        m.put("Type", "volume");
        for (String part : spec.split(",")) {
            int eq = part.indexOf('=');
            String k = (eq < 0 ? part : part.substring(0, eq)).trim().toLowerCase(java.util.Locale.ROOT);
            String v = eq < 0 ? "true" : part.substring(eq + 1).trim();
            switch (k) {
                case "type" -> m.put("Type", v);
                case "source", "src" -> m.put("Source", v);
                case "target", "destination", "dst" -> m.put("Target", v);
                case "readonly", "ro" -> m.put("ReadOnly", v.equals("true") || v.equals("1"));
                case "bind-propagation" -> bind.put("Propagation", v);
                case "bind-nonrecursive" -> bind.put("NonRecursive", v.equals("true") || v.equals("1"));
                case "volume-nocopy" -> vol.put("NoCopy", v.equals("true") || v.equals("1"));
                case "tmpfs-size" -> tmp.put("SizeBytes", Sizes.parse(v, "--mount tmpfs-size"));
                case "tmpfs-mode" -> tmp.put("Mode", Integer.parseInt(v, 8));
                default -> throw new InvalidConfigException("command line", "--mount", "unexpected key '" + k
                        + "' in '" + spec + "'");
            }
        }
        if (!bind.isEmpty()) {
            m.put("BindOptions", bind);
        }
        if (!vol.isEmpty()) {
            m.put("VolumeOptions", vol);
        }
        if (!tmp.isEmpty()) {
            m.put("TmpfsOptions", tmp);
        }
        return m;
    }

    private static Map<String, Object> ulimit(String spec) {
        int eq = spec.indexOf('=');
        if (eq < 0) {
            throw new InvalidConfigException("command line", "--ulimit", "invalid ulimit: " + spec);
        }
        String[] v = spec.substring(eq + 1).split(":");
        long soft = Long.parseLong(v[0]);
        long hard = v.length > 1 ? Long.parseLong(v[1]) : soft;
        return Map.of("Name", spec.substring(0, eq), "Soft", soft, "Hard", hard);
    }

    private static Map<String, String> keyValues(List<String> items, String flag) {
        Map<String, String> m = new LinkedHashMap<>();
        for (String i : items) {
            int eq = i.indexOf('=');
            if (eq <= 0 && !flag.equals("--label")) {
                throw new InvalidConfigException("command line", flag, "expected KEY=VALUE: " + i);
            }
            m.put(eq < 0 ? i : i.substring(0, eq), eq < 0 ? "" : i.substring(eq + 1));
        }
        return m;
    }
}
