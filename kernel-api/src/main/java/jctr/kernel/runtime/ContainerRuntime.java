package jctr.kernel.runtime;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

import jctr.kernel.InvalidConfigException;
import jctr.kernel.KernelException;
import jctr.kernel.KernelException.Category;
import jctr.kernel.NotFoundException;
import jctr.kernel.UnsupportedFeatureException;
import jctr.kernel.Version;
import jctr.kernel.config.EngineConfig;
import jctr.kernel.host.HostInfo;
import jctr.kernel.host.ProcStat;
import jctr.kernel.lifecycle.ContainerStatus;
import jctr.kernel.lifecycle.Lifecycle;
import jctr.kernel.lifecycle.LifecycleEvent;
import jctr.kernel.oci.Hook;
import jctr.kernel.oci.LinuxResources;
import jctr.kernel.oci.OciJson;
import jctr.kernel.oci.ProcessSpec;
import jctr.kernel.oci.Root;
import jctr.kernel.oci.Spec;
import jctr.kernel.oci.SpecValidator;
import jctr.kernel.oci.State;
import jctr.kernel.registry.DriverKind;
import jctr.kernel.registry.DriverRegistry;
import jctr.kernel.spi.DriverContext;
import jctr.kernel.spi.ExecRequest;
import jctr.kernel.spi.IsolatedProcess;
import jctr.kernel.spi.IsolationDriver;
import jctr.kernel.spi.IsolationRequest;
import jctr.kernel.spi.ResourceDriver;
import jctr.kernel.spi.ResourceEventListener;
import jctr.kernel.spi.ResourceStats;
import jctr.kernel.spi.Stdio;
import jctr.kernel.spi.Subscription;
import jctr.kernel.state.ContainerIds;
import jctr.kernel.state.ContainerLock;
import jctr.kernel.state.ContainerRecord;
import jctr.kernel.state.StateStore;
import jctr.kernel.sys.Errno;
import jctr.kernel.sys.ExitStatus;
import jctr.kernel.sys.Processes;
import jctr.kernel.sys.Signals;
import jctr.kernel.sys.SyscallException;

import static jctr.kernel.lifecycle.ContainerStatus.CREATED;
import static jctr.kernel.lifecycle.ContainerStatus.PAUSED;
import static jctr.kernel.lifecycle.ContainerStatus.RUNNING;
import static jctr.kernel.lifecycle.ContainerStatus.STOPPED;

/**
 * The small kernel that owns the container lifecycle over the driver SPIs, with the OCI runtime
 * operations (create, start, state, kill, delete) and runc's extras (run, exec, ps, pause, resume,
 * update, stats, events).
 *
 * <p>Every operation that changes a container holds its lock ({@link StateStore#lock}), so several
 * runtimes (several {@code jctr-runc} processes) can work on one state root. Every transition goes
 * through {@link Lifecycle} and is persisted before the operation returns. The status of a
 * created, running or paused container is recomputed from its init process (pid + start time) when
 * read: a container whose init is gone is {@code stopped}.
 *
 * <p>Drivers: a new container gets the configured isolation and resource drivers; an existing one is
 * always handled by the drivers recorded when it was made. The resource driver {@value #NO_RESOURCE_DRIVER}
 * (configured explicitly) means no cgroup at all: pause, update, stats and events are then unsupported,
 * and {@code kill --all} and {@code ps} know only the init process.
 *
 * <p>Waiting: {@link #run}, {@link #exec} (attached) and startContainer hooks make this JVM a child subreaper, so the
 * container's process becomes its child once the isolation driver's launch stage has exited, and wait
 * for it through a pidfd.
 */
public final class ContainerRuntime {

    /** The resource driver name that means "no cgroup". */
    public static final String NO_RESOURCE_DRIVER = "none";

    /** The validated, resolved config of a container, kept in its state directory for exec and delete. */
    private static final String SPEC_FILE = "spec.json";
    /** How long a force delete waits for a SIGKILLed init to go. */
    private static final long KILL_WAIT_MILLIS = 10_000;
    /** systemd's cgroupsPath syntax, {@code slice:prefix:name}. */
    private static final Pattern SYSTEMD_CGROUP = Pattern.compile("[^:/]*:[^:/]*:[^:/]+");

    private final EngineConfig config;
    private final HostInfo host;
    private final DriverRegistry registry;
    private final StateStore store;
    private final RuntimeLog log;

    /**
     * @param config driver names, options and the state root (the state store lives at {@code stateRoot})
     * @param host facts for the drivers
     * @param registry where drivers are found by name
     * @param log receives warnings and debug detail
     */
    public ContainerRuntime(EngineConfig config, HostInfo host, DriverRegistry registry, RuntimeLog log) {
        this.config = config;
        this.host = host;
        this.registry = registry;
        this.store = new StateStore(config.stateRoot());
        this.log = log;
    }

    /** A runtime for this host: detects the host facts and loads the drivers visible to this JVM. */
    public static ContainerRuntime open(EngineConfig config, RuntimeLog log) {
        return new ContainerRuntime(config, HostInfo.detect(), DriverRegistry.load(), log);
    }

    // ------------------------------------------------------------------ create / start / run

    /**
     * Creates container {@code id} from the OCI bundle {@code bundleDir}: its cgroup and its init process,
     * set up but waiting for {@link #start}; then the prestart, createRuntime and createContainer hooks run,
     * in that order, with the state the container has once they pass ({@code created}). On any failure
     * nothing is left behind: the init is killed, the cgroup and the state removed.
     *
     * @return the state after creation ({@code created})
     * @throws InvalidConfigException for a malformed or invalid config.json, naming the field
     * @throws jctr.kernel.AlreadyExistsException if the id is taken
     */
    public State create(String id, Path bundleDir, CreateOptions options) {
        ContainerIds.check(id);
        Path bundle = bundleDir.toAbsolutePath().normalize();
        Path configFile = bundle.resolve("config.json");
        OciJson.Parsed<Spec> parsed = OciJson.readSpec(configFile);
        parsed.warnings().forEach(w -> log.warn(configFile + ": " + w));
        Spec spec = resolve(parsed.value(), bundle, configFile.toString(), options);
        Stdio stdio = stdio(spec, options, configFile.toString());

        String isolationName = registry.choose(DriverKind.ISOLATION, config.drivers().isolation(), context()).name();
        IsolationDriver isolation = registry.isolation(isolationName, context(), config.optionsFor(isolationName));
        ResourceDriver resource = configuredResource();
        ContainerRecord record = new ContainerRecord(id, ContainerStatus.CREATING, bundle.toString(), null, null, null,
                new ContainerRecord.DriverNames(isolation.name(), resource == null ? NO_RESOURCE_DRIVER : resource.name(),
                        null), Instant.now(), null, spec.annotations());
        ContainerLock lock = store.create(record);
        try {
            writeSpec(id, spec);
            if (resource != null) {
                LinuxResources resources = DefaultDevices.appendTo(spec.linuxOrEmpty().resourcesOrEmpty(),
                        spec.linuxOrEmpty().devices());
                record = record.withCgroup(resource.create(id, spec.linuxOrEmpty().cgroupsPath(), resources));
                store.save(lock, record);
            }
            IsolatedProcess init = isolation.create(new IsolationRequest(id, spec, bundle, store.containerDir(id),
                    record.cgroup(), stdio, new IsolationRequest.Options(options.noPivot(), options.noNewKeyring(),
                    options.launchWrapper())));
            record = record.withInit(init);
            store.save(lock, record);
            ContainerRecord created = record.withStatus(Lifecycle.apply(id, record.status(), LifecycleEvent.CREATED));
            if (spec.hooks() != null) {
                // runtime.md: the environment is created in step 2 ("creating"); prestart, createRuntime and
                // createContainer are steps 3-5, after it, so they see "created" (persisted once they pass).
                State state = ociState(created);
                Hooks.runAll("prestart", spec.hooks().prestart(), state, bundle);
                Hooks.runAll("createRuntime", spec.hooks().createRuntime(), state, bundle);
                Hooks.runAll("createContainer", spec.hooks().createContainer(), state, bundle);
            }
            record = created;
            store.save(lock, record);
            if (options.pidFile() != null) {
                PidFile.write(options.pidFile(), init.pid());
            }
            return ociState(record);
        } catch (RuntimeException e) {
            abortCreate(lock, record, resource, e);
            throw e;
        } finally {
            lock.close();
        }
    }

    /**
     * Releases a created container's init to run its program: first the startContainer hooks run inside
     * the container (a failure stops the container), then the program is released, then the poststart
     * hooks run (their failures are warnings).
     *
     * @throws jctr.kernel.IllegalTransitionException unless the container is {@code created}
     */
    public void start(String id) {
        ContainerRecord record;
        Spec spec;
        try (ContainerLock lock = store.lock(id)) {
            record = refresh(lock, store.get(id));
            ContainerStatus next = Lifecycle.apply(id, record.status(), LifecycleEvent.START);
            spec = readSpec(id);
            if (spec.hooks() != null && !spec.hooks().startContainer().isEmpty()) {
                try {
                    runStartContainerHooks(record, spec);
                } catch (HookFailedException e) {
                    // The spec: a failed startContainer hook stops the container; it stays until deleted.
                    try {
                        stopNow(record);
                        refresh(lock, record);
                    } catch (RuntimeException cleanup) {
                        e.addSuppressed(cleanup);
                    }
                    throw e;
                }
            }
            isolation(record).start(record.init());
            record = record.withStatus(next);
            store.save(lock, record);
        }
        if (spec.hooks() != null) {
            Hooks.runAllWarning("poststart", spec.hooks().poststart(), ociState(record), Path.of(record.bundle()), log);
        }
    }

    /** Runs each startContainer hook in the created container, before its program is released. */
    private void runStartContainerHooks(ContainerRecord record, Spec spec) {
        IsolationDriver isolation = isolation(record);
        Path dir = store.containerDir(record.id());
        Path stdin = dir.resolve("hook-state.json");
        Path output = dir.resolve("hook-output.txt");
        Processes.becomeChildSubreaper(); // to wait for the hook, as for an attached exec
        try {
            Files.write(stdin, OciJson.writeCompact(ociState(record)));
            List<Hook> hooks = spec.hooks().startContainer();
            for (int i = 0; i < hooks.size(); i++) {
                Hooks.runInContainer("hooks.startContainer[" + i + "]", hooks.get(i), spec.process(), stdin, output,
                        request -> isolation.exec(record.init(), request));
            }
            Files.deleteIfExists(stdin);
            Files.deleteIfExists(output);
        } catch (IOException e) {
            throw new UncheckedIOException("preparing the startContainer hooks of container " + record.id(), e);
        }
    }

    /**
     * Creates, starts and waits for a container, then deletes it (a failed deletion is logged as a warning).
     *
     * @return the init's exit code, or 128 + the signal that killed it
     */
    public int run(String id, Path bundleDir, CreateOptions options) {
        Processes.becomeChildSubreaper();
        create(id, bundleDir, options);
        ExitStatus exit;
        try (ProcessRef init = ProcessRef.open(store.get(id).init()).orElseThrow(
                () -> new KernelException(Category.INTERNAL, "container " + id + " exited before it was started"))) {
            start(id);
            exit = init.waitForExit();
        } catch (RuntimeException e) {
            try {
                delete(id, true);
            } catch (RuntimeException cleanup) {
                e.addSuppressed(cleanup);
            }
            throw e;
        }
        try {
            try (ContainerLock lock = store.lock(id)) {
                ContainerRecord r = store.get(id);
                store.save(lock, r.withStatus(Lifecycle.apply(id, r.status(), LifecycleEvent.EXIT))
                        .withExitCode(exit.shellCode()));
            }
            delete(id, false);
        } catch (RuntimeException e) {
            // The program's status is the result; a cleanup problem must not hide it, but must be seen.
            log.warn("container " + id + " " + exit + ", but deleting it failed: " + e.getMessage());
        }
        return exit.shellCode();
    }

    // ------------------------------------------------------------------ queries

    /** The OCI state, with the status recomputed from the init process. */
    public State state(String id) {
        return ociState(current(id));
    }

    /** The OCI state plus creation time, rootfs and owner. */
    public ContainerInfo info(String id) {
        return info(current(id));
    }

    /** Every container, sorted by id. */
    public List<ContainerInfo> list() {
        List<ContainerInfo> out = new ArrayList<>();
        for (ContainerRecord r : store.list()) {
            try {
                out.add(info(r.status() == STOPPED || alive(r) ? r : current(r.id())));
            } catch (NotFoundException e) {
                // deleted while listing
            }
        }
        return out;
    }

    /** The container's config as it was validated at create (root.path absolute). */
    public Spec spec(String id) {
        store.get(id);
        return readSpec(id);
    }

    /**
     * The host pids of the container's processes: its cgroup's, or only the init without a cgroup.
     */
    public List<Integer> ps(String id) {
        ContainerRecord r = current(id);
        ResourceDriver resource = resource(r);
        if (resource != null && r.cgroup() != null) {
            return resource.pids(r.cgroup());
        }
        return r.status() != STOPPED && alive(r) ? List.of(r.pid()) : List.of();
    }

    // ------------------------------------------------------------------ signals and removal

    /**
     * Sends {@code signal} to the container's init, or with {@code all} to every process of its cgroup.
     *
     * @throws KernelException FAILED_PRECONDITION for a stopped container (its state is unchanged)
     */
    public void kill(String id, Signal signal, boolean all) {
        try (ContainerLock lock = store.lock(id)) {
            ContainerRecord r = refresh(lock, store.get(id));
            if (r.status() == STOPPED) {
                throw notLive(r, "signal");
            }
            ResourceDriver resource = resource(r);
            if (all && resource != null && r.cgroup() != null) {
                for (int pid : resource.pids(r.cgroup())) {
                    // Only pids are available here; a pid reused since the listing is the accepted risk.
                    try {
                        Processes.kill(pid, signal.number());
                    } catch (SyscallException e) {
                        if (!e.is(Errno.ESRCH)) {
                            throw e;
                        }
                    }
                }
                return;
            }
            Optional<ProcessRef> init = ProcessRef.open(r.init());
            boolean sent;
            try (ProcessRef ref = init.orElse(null)) {
                sent = ref != null && ref.alive() && ref.signal(signal.number());
            }
            if (!sent) {
                throw notLive(refresh(lock, r), "signal");
            }
        }
    }

    /**
     * Deletes a stopped container (with {@code force}, any container: its processes are killed first):
     * its cgroup, its state, then the poststop hooks run (failures are warnings).
     *
     * @throws KernelException FAILED_PRECONDITION when it is not stopped and {@code force} is false;
     *         the container is left intact
     */
    public void delete(String id, boolean force) {
        ContainerRecord record;
        Spec spec;
        try (ContainerLock lock = store.lock(id)) {
            record = refresh(lock, store.get(id));
            if (!Lifecycle.canDelete(record.status(), force)) {
                throw new KernelException(Category.FAILED_PRECONDITION, "container " + id + " is "
                        + record.status().ociName() + ": kill it first, or force the deletion");
            }
            if (record.status() != STOPPED) {
                stopNow(record);
                record = record.withStatus(Lifecycle.apply(id, record.status(), LifecycleEvent.EXIT));
                store.save(lock, record);
            }
            spec = findSpec(id).orElse(null);
            ResourceDriver resource = resource(record);
            if (resource != null && record.cgroup() != null) {
                resource.delete(record.cgroup());
            }
            store.delete(lock);
        }
        if (spec != null && spec.hooks() != null) {
            Hooks.runAllWarning("poststop", spec.hooks().poststop(), ociState(record), Path.of(record.bundle()), log);
        }
    }

    // ------------------------------------------------------------------ exec

    /**
     * Runs an additional process in a created or running container.
     *
     * @param stdio its standard streams; must be a console socket when {@code process.terminal} is set
     * @param detach return once it runs instead of waiting for it
     * @param pidFile where to write its host pid, or null
     * @return its exit code (128 + signal when killed), or 0 when detached
     */
    public int exec(String id, ProcessSpec process, Stdio stdio, boolean detach, Path pidFile) {
        return exec(id, process, stdio, detach, pidFile, List.of());
    }

    /**
     * Like {@link #exec(String, ProcessSpec, Stdio, boolean, Path)}, launching through {@code launchWrapper}
     * (see {@link jctr.kernel.spi.LaunchWrapper}); with a wrapper the process is the wrapper's child, so it
     * must be detached: the wrapper learns its exit status.
     */
    public int exec(String id, ProcessSpec process, Stdio stdio, boolean detach, Path pidFile, List<String> launchWrapper) {
        if (!launchWrapper.isEmpty() && !detach) {
            throw new IllegalArgumentException("an exec through a launch wrapper is detached: the wrapper waits for it");
        }
        IsolatedProcess started;
        try (ContainerLock lock = store.lock(id)) {
            ContainerRecord r = refresh(lock, store.get(id));
            if (r.status() != RUNNING && r.status() != CREATED) {
                throw notLive(r, "exec in");
            }
            SpecValidator.validate(readSpec(id).withProcess(process), "exec process", true);
            if (process.wantsTerminal() != stdio instanceof Stdio.ConsoleSocket) {
                throw new InvalidConfigException("exec process", "terminal", process.wantsTerminal()
                        ? "a terminal needs a console socket" : "a console socket needs terminal: true");
            }
            if (!detach) {
                Processes.becomeChildSubreaper();
            }
            started = isolation(r).exec(r.init(), new ExecRequest(process, stdio, launchWrapper));
        }
        if (pidFile != null) {
            PidFile.write(pidFile, started.pid());
        }
        if (detach) {
            return 0;
        }
        try (ProcessRef ref = ProcessRef.open(started).orElseThrow(() -> new KernelException(Category.INTERNAL,
                "exec'd process " + started.pid() + " was reaped by another parent: its exit status is unknown"))) {
            return ref.waitForExit().shellCode();
        }
    }

    // ------------------------------------------------------------------ resources

    /** Freezes every process of a running container. */
    public void pause(String id) {
        transitionResources(id, LifecycleEvent.PAUSE);
    }

    /** Thaws a paused container. */
    public void resume(String id) {
        transitionResources(id, LifecycleEvent.RESUME);
    }

    private void transitionResources(String id, LifecycleEvent event) {
        try (ContainerLock lock = store.lock(id)) {
            ContainerRecord r = refresh(lock, store.get(id));
            ContainerStatus next = Lifecycle.apply(id, r.status(), event);
            ResourceDriver resource = requireResource(r, event.verb());
            if (event == LifecycleEvent.PAUSE) {
                resource.freeze(r.cgroup());
            } else {
                resource.thaw(r.cgroup());
            }
            store.save(lock, r.withStatus(next));
        }
    }

    /** Changes the live resource limits of a created, running or paused container; null fields stay. */
    public void update(String id, LinuxResources resources) {
        try (ContainerLock lock = store.lock(id)) {
            ContainerRecord r = refresh(lock, store.get(id));
            if (r.status() == STOPPED) {
                throw notLive(r, "update");
            }
            requireResource(r, "update").update(r.cgroup(), resources);
        }
    }

    /** Current usage and limits of a live container. */
    public ResourceStats stats(String id) {
        ContainerRecord r = current(id);
        if (r.status() == STOPPED) {
            throw notLive(r, "read the stats of");
        }
        return requireResource(r, "read the stats of").stats(r.cgroup());
    }

    /** Delivers the container's cgroup events (OOM kills, pids limit hits) until the subscription is closed. */
    public Subscription events(String id, ResourceEventListener listener) {
        ContainerRecord r = current(id);
        if (r.status() == STOPPED) {
            throw notLive(r, "watch");
        }
        return requireResource(r, "watch").watch(r.cgroup(), listener);
    }

    // ------------------------------------------------------------------ internals

    private Spec resolve(Spec spec, Path bundle, String source, CreateOptions options) {
        SpecValidator.validate(spec, source, true);
        Path rootfs = bundle.resolve(spec.root().path()).normalize();
        if (!Files.isDirectory(rootfs)) {
            throw new InvalidConfigException(source, "root.path", Files.exists(rootfs)
                    ? "the rootfs " + rootfs + " is not a directory" : "the rootfs " + rootfs + " does not exist");
        }
        String cgroupsPath = spec.linuxOrEmpty().cgroupsPath();
        if (options.systemdCgroup()) {
            if (cgroupsPath != null && SYSTEMD_CGROUP.matcher(cgroupsPath).matches()) {
                throw new UnsupportedFeatureException(source + ": linux.cgroupsPath: \"" + cgroupsPath
                        + "\" names a systemd unit (slice:prefix:name), but jctr does not support systemd cgroups");
            }
            log.warn("--systemd-cgroup ignored: jctr manages cgroups through the cgroup file system");
        }
        return spec.withRoot(new Root(rootfs.toString(), spec.root().readonly()));
    }

    private static Stdio stdio(Spec spec, CreateOptions options, String source) {
        if (spec.process().wantsTerminal()) {
            if (options.consoleSocket() == null) {
                throw new InvalidConfigException(source, "process.terminal",
                        "a terminal needs a console socket (--console-socket) to send the pty master to");
            }
            return new Stdio.ConsoleSocket(options.consoleSocket().toAbsolutePath());
        }
        if (options.consoleSocket() != null) {
            throw new InvalidConfigException(source, "process.terminal",
                    "a console socket was given, but the config does not ask for a terminal");
        }
        return options.stdio();
    }

    /** Undoes a failed create: kill the init, delete the cgroup, remove the state. Keeps the first error. */
    private void abortCreate(ContainerLock lock, ContainerRecord record, ResourceDriver resource, RuntimeException cause) {
        try {
            if (record.init() != null) {
                stopNow(record);
            }
        } catch (RuntimeException e) {
            cause.addSuppressed(e);
        }
        try {
            if (resource != null && record.cgroup() != null) {
                resource.delete(record.cgroup());
            }
        } catch (RuntimeException e) {
            cause.addSuppressed(e);
        }
        try {
            store.delete(lock);
        } catch (RuntimeException e) {
            cause.addSuppressed(e);
        }
    }

    /**
     * SIGKILLs the init (thawing a paused container so that it can die) and waits until it is gone;
     * reaps it when it is this JVM's child. Other processes of the cgroup die with the cgroup's deletion.
     */
    private void stopNow(ContainerRecord record) {
        Optional<ProcessRef> init = ProcessRef.open(record.init());
        if (init.isEmpty()) {
            return;
        }
        try (ProcessRef ref = init.get()) {
            ref.signal(Signals.SIGKILL);
            if (record.status() == PAUSED) {
                resource(record).thaw(record.cgroup());
            }
            if (!ref.awaitGone(KILL_WAIT_MILLIS)) {
                throw new KernelException(Category.TIMEOUT, "container " + record.id() + ": init process "
                        + record.pid() + " did not die within " + KILL_WAIT_MILLIS / 1000 + "s of SIGKILL");
            }
            ref.reapIfChild();
        }
    }

    /** The record, with a dead init noticed and persisted (under the lock only when a change is due). */
    private ContainerRecord current(String id) {
        ContainerRecord r = store.get(id);
        if (r.status() == STOPPED || alive(r)) {
            return r;
        }
        try (ContainerLock lock = store.lock(id)) {
            return refresh(lock, store.get(id));
        }
    }

    private ContainerRecord refresh(ContainerLock lock, ContainerRecord r) {
        if (r.status() == STOPPED || alive(r)) {
            return r;
        }
        ContainerRecord stopped = r.withStatus(Lifecycle.apply(r.id(), r.status(), LifecycleEvent.EXIT));
        store.save(lock, stopped);
        return stopped;
    }

    private static boolean alive(ContainerRecord r) {
        return r.init() != null && ProcStat.alive(r.init().pid(), r.init().startTime());
    }

    private static State ociState(ContainerRecord r) {
        return r.toOciState(Version.ociRuntimeSpec());
    }

    private ContainerInfo info(ContainerRecord r) {
        String rootfs = findSpec(r.id()).map(s -> s.root().path()).orElse("");
        String owner;
        try {
            owner = Files.getOwner(store.containerDir(r.id())).getName();
        } catch (IOException e) {
            owner = "";
        }
        return new ContainerInfo(ociState(r), r.created(), rootfs, owner);
    }

    private static KernelException notLive(ContainerRecord r, String verb) {
        return new KernelException(Category.FAILED_PRECONDITION, "container " + r.id() + " is "
                + r.status().ociName() + ": cannot " + verb + " it");
    }

    private DriverContext context() {
        return config.driverContext(host);
    }

    /** The configured resource driver for a new container, or null for {@value #NO_RESOURCE_DRIVER}. */
    private ResourceDriver configuredResource() {
        String name = config.drivers().resource();
        if (NO_RESOURCE_DRIVER.equals(name)) {
            return null;
        }
        // Options are the chosen driver's ("auto" has none of its own).
        String chosen = registry.choose(DriverKind.RESOURCE, name, context()).name();
        return registry.resource(chosen, context(), config.optionsFor(chosen));
    }

    private IsolationDriver isolation(ContainerRecord r) {
        String name = r.drivers().isolation();
        return registry.isolation(name, context(), config.optionsFor(name));
    }

    /** The resource driver that made the container's cgroup, or null when it has none. */
    private ResourceDriver resource(ContainerRecord r) {
        String name = r.drivers() == null ? null : r.drivers().resource();
        if (name == null || NO_RESOURCE_DRIVER.equals(name)) {
            return null;
        }
        return registry.resource(name, context(), config.optionsFor(name));
    }

    private ResourceDriver requireResource(ContainerRecord r, String verb) {
        ResourceDriver resource = resource(r);
        if (resource == null || r.cgroup() == null) {
            throw new UnsupportedFeatureException("container " + r.id() + " has no cgroup (resource driver "
                    + NO_RESOURCE_DRIVER + "): cannot " + verb + " it");
        }
        return resource;
    }

    private void writeSpec(String id, Spec spec) {
        try {
            Files.write(store.containerDir(id).resolve(SPEC_FILE), OciJson.writeCompact(spec));
        } catch (IOException e) {
            throw new UncheckedIOException("saving the config of container " + id, e);
        }
    }

    private Spec readSpec(String id) {
        return findSpec(id).orElseThrow(() -> new NotFoundException("container " + id + " has no saved config"));
    }

    private Optional<Spec> findSpec(String id) {
        Path file = store.containerDir(id).resolve(SPEC_FILE);
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        return Optional.of(OciJson.readFile(file, Spec.class, false).value());
    }
}
