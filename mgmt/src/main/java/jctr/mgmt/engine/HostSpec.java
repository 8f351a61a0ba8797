package jctr.mgmt.engine;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import jctr.kernel.InvalidConfigException;
import jctr.kernel.UnsupportedFeatureException;
import jctr.kernel.oci.BlockIoResources;
import jctr.kernel.oci.Capabilities;
import jctr.kernel.oci.Capability;
import jctr.kernel.oci.ConsoleSize;
import jctr.kernel.oci.CpuResources;
import jctr.kernel.oci.DefaultSeccomp;
import jctr.kernel.oci.LinuxResources;
import jctr.kernel.oci.LinuxSpec;
import jctr.kernel.oci.MemoryResources;
import jctr.kernel.oci.Mount;
import jctr.kernel.oci.Namespace;
import jctr.kernel.oci.OciJson;
import jctr.kernel.oci.PidsResources;
import jctr.kernel.oci.ProcessSpec;
import jctr.kernel.oci.Rlimit;
import jctr.kernel.oci.RlimitType;
import jctr.kernel.oci.Root;
import jctr.kernel.oci.Seccomp;
import jctr.kernel.oci.Spec;

/**
 * The part of a container's OCI spec that comes from Docker's {@code HostConfig}: resources (memory, swap,
 * CPUs, shares, cpuset, pids, block I/O weight), capabilities and {@code --privileged}, seccomp and
 * no-new-privileges, a read-only root, the network namespace, mounts, sysctls and ulimits. The image's part
 * (command, environment, user, Docker's default mounts and capabilities) is already in the spec given.
 */
final class HostSpec {

    /** Docker's CFS period when {@code --cpus} is given. */
    static final long CPU_PERIOD = 100_000;
    /** Docker refuses memory limits below this. */
    static final long MIN_MEMORY = 6L * 1024 * 1024;

    private HostSpec() {
    }

    /**
     * Checks the parts of a host config that can be judged without the host, at create time, so that a bad
     * request fails before anything is made (the API answers 400 or 501).
     */
    static void validate(HostConfig h) {
        if (h.portBindings() != null && h.portBindings().values().stream().anyMatch(l -> l != null && !l.isEmpty())
                || Boolean.TRUE.equals(h.publishAllPorts())) {
            throw new UnsupportedFeatureException("port publishing (-p/-P) is not supported by jctr yet: containers "
                    + "get a network namespace with loopback only, or the host's network with --network host");
        }
        String net = h.networkModeOrDefault();
        if (!List.of("bridge", "none", "host").contains(net)) {
            throw new UnsupportedFeatureException("network mode " + net + " is not supported by jctr yet: use none, "
                    + "bridge/default (both: loopback only) or host");
        }
        if (h.memory() != null && h.memory() < 0) {
            throw new InvalidConfigException("", "HostConfig.Memory", "invalid memory limit " + h.memory()
                    + ": must not be negative");
        }
        if (h.memory() != null && h.memory() > 0 && h.memory() < MIN_MEMORY) {
            throw new InvalidConfigException("", "HostConfig.Memory", "Minimum memory limit allowed is 6MB");
        }
        if (h.memorySwap() != null && h.memorySwap() > 0) {
            if (h.memory() == null || h.memory() <= 0) {
                throw new InvalidConfigException("", "HostConfig.MemorySwap",
                        "You should always set the Memory limit when using Memoryswap limit");
            }
            if (h.memorySwap() < h.memory()) {
                throw new InvalidConfigException("", "HostConfig.MemorySwap",
                        "Minimum memoryswap limit should be larger than memory limit, see usage");
            }
        }
        if (h.nanoCpus() != null && h.nanoCpus() < 0) {
            throw new InvalidConfigException("", "HostConfig.NanoCpus", "invalid CPU count: must not be negative");
        }
        if (h.nanoCpus() != null && h.nanoCpus() > 0 && (h.cpuQuota() != null && h.cpuQuota() > 0
                || h.cpuPeriod() != null && h.cpuPeriod() > 0)) {
            throw new InvalidConfigException("", "HostConfig.NanoCpus",
                    "Conflicting options: Nano CPUs and CPU Period cannot both be set");
        }
        if (h.nanoCpus() != null && h.nanoCpus() > (long) Runtime.getRuntime().availableProcessors() * 1_000_000_000L) {
            throw new InvalidConfigException("", "HostConfig.NanoCpus", "range of CPUs is from 0.01 to "
                    + Runtime.getRuntime().availableProcessors() + ".00, as there are only "
                    + Runtime.getRuntime().availableProcessors() + " CPUs available");
        }
        if (h.cpuShares() != null && h.cpuShares() < 0) {
            throw new InvalidConfigException("", "HostConfig.CpuShares", "must not be negative");
        }
        if (h.blkioWeight() != null && h.blkioWeight() != 0 && (h.blkioWeight() < 10 || h.blkioWeight() > 1000)) {
            throw new InvalidConfigException("", "HostConfig.BlkioWeight", "Range of blkio weight is from 10 to 1000");
        }
        if (h.pidMode() != null && !h.pidMode().isEmpty()) {
            throw new UnsupportedFeatureException("--pid=" + h.pidMode() + " is not supported by jctr yet");
        }
        if (h.ipcMode() != null && !h.ipcMode().isEmpty() && !h.ipcMode().equals("private")
                && !h.ipcMode().equals("shareable")) {
            throw new UnsupportedFeatureException("--ipc=" + h.ipcMode() + " is not supported by jctr yet");
        }
        if (h.usernsMode() != null && !h.usernsMode().isEmpty()) {
            throw new UnsupportedFeatureException("--userns=" + h.usernsMode() + " is not supported by jctr yet");
        }
        if (Boolean.TRUE.equals(h.init())) {
            throw new UnsupportedFeatureException("--init is not supported by jctr yet");
        }
        if (h.extraHosts() != null && !h.extraHosts().isEmpty()) {
            throw new UnsupportedFeatureException("--add-host is not supported by jctr yet");
        }
        if (h.devices() != null && !h.devices().isEmpty()) {
            throw new UnsupportedFeatureException("--device is not supported by jctr yet");
        }
        if (h.logConfig() != null && h.logConfig().type() != null && !h.logConfig().type().isEmpty()
                && !h.logConfig().type().equals("json-file")) {
            throw new UnsupportedFeatureException("logging driver " + h.logConfig().type()
                    + " is not supported: jctr logs in json-file format");
        }
        String policy = h.restartPolicyOrNo().nameOrNo();
        if (!List.of("no", "always", "unless-stopped", "on-failure").contains(policy)) {
            throw new InvalidConfigException("", "HostConfig.RestartPolicy.Name", "invalid restart policy '" + policy + "'");
        }
        if (h.autoRemoveEnabled() && !policy.equals("no")) {
            throw new InvalidConfigException("", "HostConfig.AutoRemove",
                    "conflicting options: cannot specify both --restart and --rm");
        }
        for (String opt : h.securityOptOrEmpty()) {
            securityOpt(opt);
        }
        capabilities(h);
    }

    /** Applies the host config to {@code base} (the spec made from the image and the container's config). */
    static Spec apply(Spec base, Container c) {
        HostConfig h = c.hostConfig();
        boolean privileged = h.privilegedEnabled();
        ProcessSpec p = base.process();
        Set<Capability> caps = privileged ? EnumSet.allOf(Capability.class) : capabilities(h);
        List<String> capNames = caps.stream().map(Enum::name).sorted().toList();
        boolean noNewPrivs = false;
        Seccomp seccomp = privileged ? null : DefaultSeccomp.profile(caps);
        for (String opt : h.securityOptOrEmpty()) {
            SecurityOpt s = securityOpt(opt);
            switch (s.kind()) {
                case "no-new-privileges" -> noNewPrivs = !s.value().equalsIgnoreCase("false");
                case "seccomp" -> seccomp = s.value().equals("unconfined") ? null : parseSeccomp(s.value());
                default -> { }
            }
        }
        List<Rlimit> rlimits = new ArrayList<>(p.rlimits());
        if (h.ulimits() != null) {
            for (HostConfig.Ulimit u : h.ulimits()) {
                String type = "RLIMIT_" + u.name().toUpperCase(Locale.ROOT);
                if (RlimitType.parse(type).isEmpty()) {
                    throw new InvalidConfigException("", "HostConfig.Ulimits", "invalid ulimit type: " + u.name());
                }
                rlimits.removeIf(r -> r.type().equals(type));
                rlimits.add(new Rlimit(type, u.hard() == null ? 0 : u.hard(), u.soft() == null ? 0 : u.soft()));
            }
        }
        ConsoleSize console = h.consoleSize() != null && h.consoleSize().size() == 2 && h.consoleSize().get(0) > 0
                ? new ConsoleSize(h.consoleSize().get(0), h.consoleSize().get(1)) : p.consoleSize();
        ProcessSpec process = new ProcessSpec(p.terminal(), console, p.user(), p.args(), p.env(), p.cwd(),
                new Capabilities(capNames, capNames, List.of(), capNames, List.of()), rlimits,
                noNewPrivs || p.wantsNoNewPrivileges(), p.apparmorProfile(), p.oomScoreAdj(), p.selinuxLabel());

        LinuxSpec linux = base.linuxOrEmpty();
        List<Namespace> namespaces = new ArrayList<>(linux.namespaces());
        if (h.networkModeOrDefault().equals("host")) {
            namespaces.removeIf(n -> n.type().equals("network"));
        } else if (namespaces.stream().noneMatch(n -> n.type().equals("network"))) {
            namespaces.add(new Namespace("network", null));
        }
        Map<String, String> sysctl = new LinkedHashMap<>(linux.sysctl());
        if (h.sysctls() != null) {
            sysctl.putAll(h.sysctls());
        }
        LinuxSpec newLinux = new LinuxSpec(namespaces, linux.uidMappings(), linux.gidMappings(), sysctl,
                resources(h, linux.resourcesOrEmpty()), linux.cgroupsPath(), seccomp, linux.rootfsPropagation(),
                privileged ? List.of() : linux.maskedPaths(), privileged ? List.of() : linux.readonlyPaths(),
                linux.mountLabel(), linux.devices(), linux.timeOffsets());

        List<Mount> mounts = new ArrayList<>();
        List<Mount> ours = Mounts.oci(c.mounts());
        for (Mount m : base.mounts()) {
            if (ours.stream().anyMatch(o -> o.destination().equals(m.destination()))) {
                continue;
            }
            Mount x = m;
            if (m.destination().equals("/dev/shm") && h.shmSize() != null && h.shmSize() > 0) {
                List<String> opts = new ArrayList<>(m.options());
                opts.removeIf(o -> o.startsWith("size="));
                opts.add("size=" + h.shmSize());
                x = new Mount(m.destination(), m.type(), m.source(), opts, m.uidMappings(), m.gidMappings());
            }
            if (privileged && m.destination().equals("/sys")) {
                List<String> opts = new ArrayList<>(m.options());
                opts.remove("ro");
                x = new Mount(m.destination(), m.type(), m.source(), opts, m.uidMappings(), m.gidMappings());
            }
            mounts.add(x);
        }
        mounts.addAll(ours);
        Map<String, String> annotations = new LinkedHashMap<>(base.annotations() == null ? Map.of() : base.annotations());
        if (c.imageId() != null && !c.imageId().isEmpty()) {
            annotations.put("jctr.image.id", c.imageId());
        }
        annotations.put("jctr.container.name", c.shortName());
        String hostname = c.config().hostname() == null || c.config().hostname().isEmpty()
                ? c.id().substring(0, 12) : c.config().hostname();
        return new Spec(base.ociVersion(), process, new Root(base.root().path(), h.readonlyRootfsEnabled()),
                h.networkModeOrDefault().equals("host") ? null : hostname, base.domainname(), mounts, base.hooks(),
                annotations, newLinux);
    }

    /** linux.resources from the host config's limits. */
    static LinuxResources resources(HostConfig h, LinuxResources base) {
        MemoryResources memory = base.memory();
        long limit = h.memory() == null ? 0 : h.memory();
        long swap = h.memorySwap() == null ? 0 : h.memorySwap();
        long reservation = h.memoryReservation() == null ? 0 : h.memoryReservation();
        if (limit > 0 || swap != 0 || reservation > 0 || Boolean.TRUE.equals(h.oomKillDisable())) {
            memory = new MemoryResources(limit > 0 ? limit : null, reservation > 0 ? reservation : null,
                    swap != 0 ? swap : null, null, null, null, h.oomKillDisable(), null, null);
        }
        CpuResources cpu = base.cpu();
        Long shares = h.cpuShares() != null && h.cpuShares() > 0 ? h.cpuShares() : null;
        Long quota = null;
        Long period = null;
        if (h.nanoCpus() != null && h.nanoCpus() > 0) {
            period = CPU_PERIOD;
            quota = h.nanoCpus() * CPU_PERIOD / 1_000_000_000L;
        } else {
            if (h.cpuQuota() != null && h.cpuQuota() != 0) {
                quota = h.cpuQuota();
            }
            if (h.cpuPeriod() != null && h.cpuPeriod() > 0) {
                period = h.cpuPeriod();
            }
        }
        String cpus = blankToNull(h.cpusetCpus());
        String mems = blankToNull(h.cpusetMems());
        if (shares != null || quota != null || period != null || cpus != null || mems != null) {
            cpu = new CpuResources(shares, quota, null, period, null, null, cpus, mems, null);
        }
        PidsResources pids = base.pids();
        if (h.pidsLimit() != null && h.pidsLimit() > 0) {
            pids = new PidsResources(h.pidsLimit());
        }
        BlockIoResources blkio = base.blockIO();
        if (h.blkioWeight() != null && h.blkioWeight() > 0) {
            blkio = new BlockIoResources(h.blkioWeight(), null, null, null, null, null, null);
        }
        return new LinuxResources(base.devices(), memory, cpu, pids, blkio, base.hugepageLimits(), base.network(),
                base.rdma(), base.unified());
    }

    /** The bounding set: Docker's default, with {@code --cap-add}/{@code --cap-drop} (either may be ALL). */
    static Set<Capability> capabilities(HostConfig h) {
        Set<Capability> caps = EnumSet.copyOf(DefaultSeccomp.DOCKER_DEFAULT_CAPABILITIES);
        if (h.capDrop() != null) {
            for (String d : h.capDrop()) {
                if (d.equalsIgnoreCase("ALL")) {
                    caps.clear();
                } else {
                    caps.remove(cap(d, "HostConfig.CapDrop"));
                }
            }
        }
        if (h.capAdd() != null) {
            for (String a : h.capAdd()) {
                if (a.equalsIgnoreCase("ALL")) {
                    caps.addAll(EnumSet.allOf(Capability.class));
                } else {
                    caps.add(cap(a, "HostConfig.CapAdd"));
                }
            }
        }
        return caps;
    }

    private static Capability cap(String name, String field) {
        return Capability.parse(name).orElseThrow(() -> new InvalidConfigException("", field,
                "invalid capability: " + name));
    }

    private record SecurityOpt(String kind, String value) {
    }

    /** {@code seccomp=unconfined|<profile JSON>}, {@code no-new-privileges[=true|false]}, {@code apparmor=...}. */
    private static SecurityOpt securityOpt(String opt) {
        if (opt.equals("no-new-privileges") || opt.equals("no-new-privileges:true")) {
            return new SecurityOpt("no-new-privileges", "true");
        }
        int eq = opt.indexOf('=');
        int colon = opt.indexOf(':');
        int sep = eq < 0 ? colon : colon < 0 ? eq : Math.min(eq, colon);
        if (sep < 0) {
            throw new InvalidConfigException("", "HostConfig.SecurityOpt", "invalid --security-opt: " + opt);
        }
        String kind = opt.substring(0, sep);
        String value = opt.substring(sep + 1);
        return switch (kind) {
            case "seccomp" -> {
                if (!value.equals("unconfined")) {
                    parseSeccomp(value);
                }
                yield new SecurityOpt(kind, value);
            }
            case "no-new-privileges" -> new SecurityOpt(kind, value);
            case "apparmor", "label" -> new SecurityOpt(kind, value); // no LSMs on jctr's hosts: accepted, no effect
            default -> throw new InvalidConfigException("", "HostConfig.SecurityOpt", "invalid --security-opt: " + opt);
        };
    }

    /**
     * A seccomp profile as the docker CLI sends it (the file's content, in Docker's format: {@code archMap}
     * instead of {@code architectures}, rules with {@code includes}/{@code excludes}), as an OCI profile.
     */
    static Seccomp parseSeccomp(String json) {
        try {
            JsonNode root = OciJson.mapper().readTree(json);
            if (!root.isObject()) {
                throw new InvalidConfigException("seccomp profile", "", "must be a JSON object");
            }
            ObjectNode p = ((ObjectNode) root).deepCopy();
            JsonNode archMap = p.remove("archMap");
            if (archMap != null && archMap.isArray() && !p.has("architectures")) {
                ArrayNode arches = p.putArray("architectures");
                for (JsonNode a : archMap) {
                    arches.add(a.path("architecture").asText());
                    a.path("subArchitectures").forEach(arches::add);
                }
            }
            p.remove("defaultErrno");
            JsonNode syscalls = p.path("syscalls");
            if (syscalls.isArray()) {
                ArrayNode kept = OciJson.mapper().createArrayNode();
                for (JsonNode s : syscalls) {
                    ObjectNode rule = ((ObjectNode) s).deepCopy();
                    rule.remove("comment");
                    JsonNode inc = rule.remove("includes");
                    JsonNode exc = rule.remove("excludes");
                    if (inc != null && inc.has("caps") || exc != null && exc.has("arches")) {
                        continue; // conditional on capabilities or architectures jctr does not grant by default
                    }
                    if (rule.has("name") && !rule.has("names")) {
                        rule.putArray("names").add(rule.remove("name"));
                    }
                    kept.add(rule);
                }
                p.set("syscalls", kept);
            }
            return OciJson.parse("seccomp profile", OciJson.mapper().writeValueAsString(p), Seccomp.class, false);
        } catch (java.io.IOException e) {
            throw new InvalidConfigException("seccomp profile", "", "invalid JSON: " + e.getMessage());
        }
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }
}
