package jctr.ns;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

import jctr.kernel.InvalidConfigException;
import jctr.kernel.KernelException;
import jctr.kernel.NotFoundException;
import jctr.kernel.UnsupportedFeatureException;
import jctr.kernel.host.ProcStat;
import jctr.kernel.oci.Namespace;
import jctr.kernel.oci.NamespaceType;
import jctr.kernel.oci.Seccomp;
import jctr.kernel.spi.DriverContext;
import jctr.kernel.spi.ExecRequest;
import jctr.kernel.spi.IsolatedProcess;
import jctr.kernel.spi.IsolationDriver;
import jctr.kernel.spi.IsolationRequest;
import jctr.kernel.spi.ProbeResult;
import jctr.kernel.sys.ExitStatus;
import jctr.kernel.sys.PosixFiles;
import jctr.kernel.sys.Processes;
import jctr.kernel.sys.Spawn;
import jctr.ns.launch.Launcher;
import jctr.ns.launch.LauncherBinary;
import jctr.ns.launch.StartGate;
import jctr.ns.plan.HostView;
import jctr.ns.plan.LaunchPlan;
import jctr.ns.plan.Op;
import jctr.ns.plan.PlanBuilder;
import jctr.ns.plan.SeccompProgram;
import jctr.ns.seccomp.SeccompCompiler;

/**
 * Isolation with Linux namespaces. Java computes a launch plan ({@link PlanBuilder}); the native stage
 * {@code jctr-init} executes it after clone3 and execs (see {@link Launcher} for the protocol and for
 * which process is the parent of the container's init: this JVM, through CLONE_PARENT).
 *
 * <p>{@link IsolatedProcess#driverState()} of a container init holds:
 * <ul>
 *   <li>{@code gateFd}/{@code gatePipe}, {@code resultFd}/{@code resultPipe}: the init's descriptors of its
 *       start gate and the pipes behind them (see {@link StartGate});</li>
 *   <li>{@code lateOp.<i>}: field and description of plan operations after the gate, to name them if they fail;</li>
 *   <li>{@code seccompFilter}/{@code seccompFlags}: the compiled filter ({@code <stateDir>/seccomp.bpf}),
 *       which processes exec'd into the container get too.</li>
 * </ul>
 * Exec'd processes have {@code process=exec}. Nothing else is kept in memory: start and exec work from
 * the persisted record in any JVM.
 */
public final class NamespaceIsolationDriver implements IsolationDriver {

    static final String NAME = "namespaces";
    private static final int DEFAULT_TIMEOUT_MILLIS = 60_000;

    private final Function<Seccomp, SeccompProgram> seccompCompiler;
    /** One entry per namespace type the kernel has (/proc/self/ns; tests pass a directory of their own). */
    private final Path nsDir;
    private volatile LauncherBinary binary;
    private volatile int timeoutMillis = DEFAULT_TIMEOUT_MILLIS;

    /** The service-loader constructor: cheap, touches nothing. */
    public NamespaceIsolationDriver() {
        this(profile -> new SeccompProgram(SeccompCompiler.filterFlags(profile), SeccompCompiler.compile(profile)));
    }

    /** A driver with another seccomp compiler (tests use a tiny fixed filter). */
    NamespaceIsolationDriver(Function<Seccomp, SeccompProgram> seccompCompiler) {
        this(seccompCompiler, Path.of("/proc/self/ns"));
    }

    /** A driver that reads which namespace types the kernel has from {@code nsDir} instead of /proc/self/ns. */
    NamespaceIsolationDriver(Function<Seccomp, SeccompProgram> seccompCompiler, Path nsDir) {
        this.seccompCompiler = seccompCompiler;
        this.nsDir = nsDir;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String description() {
        return "Linux namespaces, pivot_root, capabilities and seccomp via a native launch stage";
    }

    @Override
    public int autoPriority() {
        return 100;
    }

    /**
     * Options ({@code driverOptions.namespaces}): {@code launchTimeoutMillis}, how long one setup step of
     * a launch may take (default 60000).
     */
    @Override
    public void initialize(DriverContext context) {
        binary = new LauncherBinary(context.driverStateDir(NAME));
        String timeout = context.options().get("launchTimeoutMillis");
        if (timeout != null) {
            try {
                timeoutMillis = Integer.parseInt(timeout);
            } catch (NumberFormatException e) {
                throw new InvalidConfigException("", "driverOptions.namespaces.launchTimeoutMillis",
                        "must be an integer: " + timeout);
            }
        }
    }

    @Override
    public ProbeResult probe(DriverContext context) {
        List<String> problems = new ArrayList<>();
        if (!context.host().root()) {
            problems.add("needs root (creating namespaces and mounts needs CAP_SYS_ADMIN)");
        }
        // Only the mount namespace is needed by every container; kernels built without other types (e.g. no
        // time namespaces before 5.6 or in user-mode Linux) still run the configs that do not ask for them.
        List<NamespaceType> missing = missingNamespaces();
        if (missing.contains(NamespaceType.MOUNT)) {
            problems.add("the kernel has no mount namespaces");
        }
        Path launcher = null;
        try {
            launcher = new LauncherBinary(context.driverStateDir(NAME)).path();
            int pid = Spawn.spawn(launcher, List.of("jctr-init", "--probe"), List.of(), List.of(new Spawn.CloseFrom(3)));
            int pidfd = Processes.pidfdOpen(pid);
            ExitStatus status;
            try {
                status = Processes.waitFor(pidfd);
            } finally {
                PosixFiles.close(pidfd);
            }
            switch (status.shellCode()) {
                case 0 -> { }
                case 3 -> problems.add("the kernel has no clone3 (Linux 5.3+ needed)");
                case 4 -> problems.add("the kernel has no openat2 (Linux 5.6+ needed)");
                default -> problems.add("the launcher " + launcher + " failed its self-check: " + status);
            }
        } catch (KernelException | UncheckedIOException e) {
            problems.add("the launcher cannot run: " + e.getMessage());
        }
        if (!problems.isEmpty()) {
            return ProbeResult.unavailable(String.join("; ", problems));
        }
        String namespaces = missing.isEmpty() ? "all 8 namespace types"
                : "no " + String.join(", ", missing.stream().map(NamespaceType::specName).toList())
                        + " namespaces (configs asking for them are refused)";
        return ProbeResult.available(namespaces + ", clone3, openat2; launcher " + launcher);
    }

    /** The namespace types this kernel was built without, in declaration order. */
    private List<NamespaceType> missingNamespaces() {
        List<NamespaceType> missing = new ArrayList<>();
        for (NamespaceType t : NamespaceType.values()) {
            if (!Files.exists(nsDir.resolve(t.procName()), LinkOption.NOFOLLOW_LINKS)) {
                missing.add(t);
            }
        }
        return missing;
    }

    /** Refuses a config that creates or joins a namespace type the kernel lacks, naming its entry. */
    private void requireKernelNamespaces(List<Namespace> namespaces) {
        List<NamespaceType> missing = missingNamespaces();
        for (int i = 0; i < namespaces.size(); i++) {
            Optional<NamespaceType> type = NamespaceType.fromSpecName(String.valueOf(namespaces.get(i).type()));
            if (type.isPresent() && missing.contains(type.get())) {
                throw new UnsupportedFeatureException("linux.namespaces[" + i + "]: this kernel has no "
                        + type.get().specName() + " namespaces (no /proc/self/ns/" + type.get().procName() + ")");
            }
        }
    }

    @Override
    public IsolatedProcess create(IsolationRequest request) {
        var root = request.spec().root();
        if (root == null || root.path() == null || !Files.isDirectory(Path.of(root.path()))) {
            throw new InvalidConfigException("", "root.path", "the root file system "
                    + (root == null ? null : root.path()) + " does not exist or is not a directory");
        }
        requireKernelNamespaces(request.spec().linuxOrEmpty().namespaces());
        Seccomp profile = request.spec().linuxOrEmpty().seccomp();
        if (profile != null && profile.listenerPath() != null && !profile.listenerPath().isEmpty()) {
            throw new UnsupportedFeatureException("linux.seccomp.listenerPath: seccomp user notification is not "
                    + "supported by jctr yet");
        }
        SeccompProgram seccomp = profile == null ? null : seccompCompiler.apply(profile);
        refuseHostMountNamespace(request.spec().linuxOrEmpty().namespaces());
        LaunchPlan plan = PlanBuilder.forCreate(request, HostView.current(), seccomp);

        Path stateDir = request.stateDir();
        Path filter = stateDir.resolve("seccomp.bpf");
        Map<String, String> state = new LinkedHashMap<>();
        for (int i = plan.startGateIndex() + 1; i < plan.ops().size(); i++) {
            Op op = plan.ops().get(i);
            state.put("lateOp." + i, op.field() + "\n" + op.describe());
        }
        if (seccomp != null) {
            try {
                Files.createDirectories(stateDir);
                Files.write(filter, seccomp.program());
            } catch (IOException e) {
                throw new UncheckedIOException("writing the seccomp filter to " + filter, e);
            }
            state.put("seccompFilter", filter.toString());
            state.put("seccompFlags", Integer.toString(seccomp.flags()));
        }
        Launcher.Launched launched;
        try {
            launched = new Launcher(launcherPath(), timeoutMillis).launch(plan, request.options().launchWrapper());
        } catch (RuntimeException e) {
            deleteQuietly(filter);
            throw e;
        }
        StartGate.Gate gate = StartGate.Gate.of(launched.pid(), launched.gateFd(), launched.resultFd());
        state.put("gateFd", Integer.toString(gate.goFd()));
        state.put("gatePipe", gate.goPipe());
        state.put("resultFd", Integer.toString(gate.resultFd()));
        state.put("resultPipe", gate.resultPipe());
        return new IsolatedProcess(launched.pid(), startTime(launched.pid()), state);
    }

    @Override
    public void start(IsolatedProcess process) {
        Map<String, String> s = process.driverState();
        if (!s.containsKey("gateFd") || !s.containsKey("gatePipe") || !s.containsKey("resultFd")
                || !s.containsKey("resultPipe")) {
            throw new KernelException(KernelException.Category.FAILED_PRECONDITION, "process " + process.pid()
                    + " is not a container init created by the " + NAME + " driver: nothing to start");
        }
        StartGate.Gate gate = new StartGate.Gate(Integer.parseInt(s.get("gateFd")), s.get("gatePipe"),
                Integer.parseInt(s.get("resultFd")), s.get("resultPipe"));
        StartGate.release(process.pid(), process.startTime(), gate,
                index -> {
                    String op = process.driverState().get("lateOp." + index);
                    return op == null ? null : op.split("\n", 2);
                }, timeoutMillis);
    }

    @Override
    public IsolatedProcess exec(IsolatedProcess target, ExecRequest request) {
        if (!ProcStat.alive(target.pid(), target.startTime())) {
            throw new NotFoundException("container process " + target.pid() + " is not running");
        }
        HostView host = HostView.current();
        LaunchPlan plan = PlanBuilder.forExec(ExecTargets.of(target.pid(), host, seccompOf(target)), request, host);
        int pid = new Launcher(launcherPath(), timeoutMillis).launch(plan, request.launchWrapper()).pid();
        // Through a launch wrapper the process is the wrapper's child: a short one may already have ended and
        // been reaped, leaving no start time to read (0: unknown).
        long start = request.launchWrapper().isEmpty() ? startTime(pid)
                : ProcStat.read(pid).map(ProcStat::startTime).orElse(0L);
        return new IsolatedProcess(pid, start, Map.of("process", "exec"));
    }

    /**
     * Refuses a mount namespace joined by path that is this runtime's own or the host init's. The root file
     * system is set up in a joined mount namespace as in a new one, and pivot_root there would re-root every
     * process of that namespace (pivot_root(2)): this JVM's, or the host's.
     */
    static void refuseHostMountNamespace(List<Namespace> namespaces) {
        for (int i = 0; i < namespaces.size(); i++) {
            Namespace n = namespaces.get(i);
            if (!"mount".equals(n.type()) || n.path() == null || n.path().isEmpty()) {
                continue;
            }
            Object joined = namespaceId(Path.of(n.path()));
            if (joined == null) {
                continue;   // not there: opening it fails the launch with an error naming the path
            }
            for (String own : List.of("/proc/self/ns/mnt", "/proc/1/ns/mnt")) {
                if (joined.equals(namespaceId(Path.of(own)))) {
                    throw new InvalidConfigException("", "linux.namespaces[" + i + "].path", n.path()
                            + " is the mount namespace of " + (own.contains("self") ? "this runtime" : "the host's init")
                            + ": the container's root file system is set up in the mount namespace it joins, so that "
                            + "must be one made for the container");
                }
            }
        }
    }

    /** The device and inode that name a namespace file, or null when it cannot be read. */
    private static Object namespaceId(Path file) {
        try {
            Map<String, Object> a = Files.readAttributes(file, "unix:dev,ino");
            return List.of(a.get("dev"), a.get("ino"));
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return null;
        }
    }

    /** The container's filter as persisted at create, for processes exec'd into it. */
    private static SeccompProgram seccompOf(IsolatedProcess target) {
        String file = target.driverState().get("seccompFilter");
        if (file == null) {
            return null;
        }
        try {
            return new SeccompProgram(Integer.parseInt(target.driverState().getOrDefault("seccompFlags", "0")),
                    Files.readAllBytes(Path.of(file)));
        } catch (IOException e) {
            throw new UncheckedIOException("reading the container's seccomp filter " + file, e);
        }
    }

    private Path launcherPath() {
        LauncherBinary b = binary;
        if (b == null) {
            throw new IllegalStateException("the " + NAME + " driver was used before initialize(DriverContext)");
        }
        return b.path();
    }

    /** The start time that, with the pid, names the process; a zombie (exited, not yet reaped) still has one. */
    private static long startTime(int pid) {
        return ProcStat.read(pid).map(ProcStat::startTime).orElseThrow(() ->
                new NotFoundException("process " + pid + " vanished right after it was launched"));
    }

    private static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException e) {
            // best effort: the state directory is removed with the container
        }
    }
}
