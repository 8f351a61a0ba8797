package jctr.mgmt.engine;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Predicate;

import jctr.kernel.InvalidConfigException;
import jctr.kernel.KernelException;
import jctr.kernel.NotFoundException;
import jctr.kernel.image.Image;
import jctr.kernel.image.ImageConfig;
import jctr.kernel.image.ImageService;
import jctr.kernel.image.RuntimeSpecs;
import jctr.kernel.oci.OciJson;
import jctr.kernel.oci.Spec;
import jctr.kernel.runtime.ContainerRuntime;
import jctr.kernel.runtime.CreateOptions;
import jctr.kernel.runtime.Signal;
import jctr.kernel.spi.ResourceEvent;
import jctr.kernel.spi.ResourceStats;
import jctr.kernel.spi.Rootfs;
import jctr.kernel.spi.StorageDriver;
import jctr.kernel.spi.Stdio;
import jctr.kernel.spi.Subscription;
import jctr.mgmt.engine.monitor.Monitor;
import jctr.mgmt.engine.monitor.MonitorBinary;
import jctr.mgmt.engine.monitor.MonitorConnection;

/**
 * The containers of the engine: Docker's container lifecycle (create, start, stop, kill, restart,
 * remove, wait, pause, attach, logs) over the kernel's {@link ContainerRuntime}, the image store and the
 * storage driver, with a {@code jctr-monitor} per run holding the streams and learning the exit.
 *
 * <p>A run: the rootfs is prepared by the storage driver, the OCI spec made from the image config and the
 * request, the OCI container created with the monitor as the isolation driver's launch wrapper, attached
 * clients and the engine's exit watcher connected to the monitor, then the container is started. When the
 * monitor reports the exit, the OCI container is deleted (the engine's record and the rootfs stay), the
 * state becomes {@code exited}, and the restart policy or {@code --rm} applies.
 *
 * <p>Engine restart: records are on disk and monitors run on; {@link #recover} re-attaches a watcher to
 * each running container's monitor, or handles the exit a monitor recorded while no engine ran.
 */
public final class Containers {

    /** Docker's default stop timeout. */
    static final int DEFAULT_STOP_TIMEOUT = 10;

    private final ContainerStore store;
    private final VolumeStore volumes;
    private final EventBus events;
    private final ContainerRuntime runtime;
    private final ImageService images;
    private final StorageDriver storage;
    private final MonitorBinary monitorBinary;
    private final Path monitorRoot;
    private final Path bundleRoot;
    private final Mounts mounts;
    private final Map<String, Live> live = new ConcurrentHashMap<>();

    /** What the engine keeps in memory about a container: its lock, waiters, attach sessions, current run. */
    private static final class Live {
        final ReentrantLock lock = new ReentrantLock();
        volatile CompletableFuture<Integer> nextExit = new CompletableFuture<>();
        final CompletableFuture<Integer> removed = new CompletableFuture<>();
        final List<AttachSession> pending = new CopyOnWriteArrayList<>();
        volatile Monitor monitor;
        volatile MonitorConnection watcher;
        volatile Subscription oomWatch;
        volatile boolean oomSeen;
        volatile boolean stopping;
        volatile Thread restartTimer;
    }

    Containers(ContainerStore store, VolumeStore volumes, EventBus events, ContainerRuntime runtime, ImageService images,
               StorageDriver storage, MonitorBinary monitorBinary, Path monitorRoot, Path bundleRoot) {
        this.store = store;
        this.volumes = volumes;
        this.events = events;
        this.runtime = runtime;
        this.images = images;
        this.storage = storage;
        this.monitorBinary = monitorBinary;
        this.monitorRoot = monitorRoot;
        this.bundleRoot = bundleRoot;
        this.mounts = new Mounts(volumes);
        volumes.setUsers(this::usersOfVolume);
    }

    private Live live(String id) {
        return live.computeIfAbsent(id, k -> new Live());
    }

    // ------------------------------------------------------------------------------------------ queries

    /** The container a reference names (id, name or id prefix). */
    public Container get(String ref) {
        return store.resolve(ref);
    }

    /** Containers, newest first. */
    public List<Container> list(Predicate<Container> filter) {
        return store.all().stream().filter(filter).toList();
    }

    /** Where a container's json-file log is. */
    public Path logPath(String id) {
        return store.logPath(id);
    }

    private Set<String> usersOfVolume(String name) {
        Set<String> out = new TreeSet<>();
        for (Container c : store.values()) {
            if (c.mounts().stream().anyMatch(m -> "volume".equals(m.type()) && name.equals(m.name()))) {
                out.add(c.id());
            }
        }
        return out;
    }

    /** Ids of images some container uses (for image removal). */
    public Set<String> imagesInUse() {
        Set<String> out = new TreeSet<>();
        store.values().forEach(c -> {
            if (c.imageId() != null && !c.imageId().isEmpty()) {
                out.add(c.imageId());
            }
        });
        return out;
    }

    // ------------------------------------------------------------------------------------------ create

    /** What create answers: the id and Docker's warnings. */
    public record Created(String id, List<String> warnings) {
    }

    /**
     * Creates a container from an image: resolves the image (404 "No such image" makes the docker CLI pull
     * it), merges its config with the request, resolves mounts (creating volumes), and prepares the rootfs.
     */
    public Created create(String name, ContainerConfig req, HostConfig host) {
        if (req.image() == null || req.image().isEmpty()) {
            throw new InvalidConfigException("", "Image", "no image given");
        }
        HostSpec.validate(host);
        logMaxSize(host);
        logMaxFiles(host);
        Image image;
        try {
            image = images.store().resolve(req.image());
        } catch (NotFoundException e) {
            throw new NotFoundException("No such image: " + familiar(req.image()), e);
        }
        ImageConfig ic = images.store().config(image.record());
        ImageConfig.ContainerConfig ib = ic.configOrEmpty();
        List<String> entrypoint = req.entrypoint() != null ? emptyIfBlank(req.entrypoint()) : ib.entrypoint();
        List<String> cmd = req.cmd() != null && !req.cmd().isEmpty() ? req.cmd()
                : req.entrypoint() != null ? List.of() : ib.cmd();
        List<String> command = new ArrayList<>();
        if (entrypoint != null) {
            command.addAll(entrypoint);
        }
        if (cmd != null) {
            command.addAll(cmd);
        }
        if (command.isEmpty()) {
            throw new InvalidConfigException("", "Cmd", "no command specified");
        }
        Map<String, String> labels = new LinkedHashMap<>();
        if (ib.labels() != null) {
            labels.putAll(ib.labels());
        }
        labels.putAll(req.labelsOrEmpty());
        Map<String, Object> vols = new LinkedHashMap<>();
        if (ib.volumes() != null) {
            ib.volumes().keySet().forEach(k -> vols.put(k, Map.of()));
        }
        if (req.volumes() != null) {
            vols.putAll(req.volumes());
        }
        String id = Ids.random();
        String fullName = name == null || name.isEmpty()
                ? "/" + Names.generate(n -> store.get(n) != null || nameTaken(n)) : ContainerStore.checkName(name);
        ContainerConfig config = new ContainerConfig(req.hostname(), req.domainname(),
                req.user() != null && !req.user().isEmpty() ? req.user() : nullToEmpty(ib.user()),
                req.attachStdin(), req.attachStdout(), req.attachStderr(), req.exposedPorts(), req.tty(),
                req.openStdin(), req.stdinOnce(), mergeEnv(ib.env(), req.envOrEmpty()), cmd, familiar(req.image()),
                vols.isEmpty() ? null : vols,
                req.workingDir() != null && !req.workingDir().isEmpty() ? req.workingDir() : nullToEmpty(ib.workingDir()),
                entrypoint, labels, req.stopSignal() != null ? req.stopSignal() : ib.stopSignal(), req.stopTimeout());
        Container c;
        synchronized (volumes.lock()) {
            List<Container.MountPoint> points = mounts.resolve(config, host);
            c = new Container(id, fullName, Instant.now(), command.getFirst(), command.subList(1, command.size()),
                    config, host, ContainerState.created(), image.id().toString(), List.of(), storage.name(), points, 0,
                    false, null);
            store.add(c);
        }
        try {
            List<String> layers = images.unpack(image.id());
            storage.prepare(id, layers);
            c = new Container(c.id(), c.name(), c.created(), c.path(), c.args(), c.config(), c.hostConfig(), c.state(),
                    c.imageId(), layers, c.storageDriver(), c.mounts(), 0, false, null);
            store.save(c);
        } catch (RuntimeException e) {
            removeQuietly(c);
            throw e;
        }
        live(id);
        events.publish("container", "create", id, attrs(c));
        return new Created(id, List.of());
    }

    private boolean nameTaken(String n) {
        return store.values().stream().anyMatch(c -> c.name().equals(n));
    }

    private static String familiar(String ref) {
        return ref.contains(":") || ref.contains("@") ? ref : ref + ":latest";
    }

    private static List<String> emptyIfBlank(List<String> l) {
        return l.size() == 1 && l.getFirst().isEmpty() ? List.of() : l;
    }

    private static String nullToEmpty(String s) {
        return s == null ? "" : s;
    }

    /** Image env overridden key by key by the request's (Docker's merge). */
    static List<String> mergeEnv(List<String> image, List<String> request) {
        Map<String, String> m = new LinkedHashMap<>();
        for (List<String> src : List.of(image == null ? List.<String>of() : image, request)) {
            for (String e : src) {
                int eq = e.indexOf('=');
                m.put(eq < 0 ? e : e.substring(0, eq), e);
            }
        }
        return new ArrayList<>(m.values());
    }

    private static Map<String, String> attrs(Container c) {
        Map<String, String> a = new LinkedHashMap<>(c.config().labelsOrEmpty());
        a.put("image", c.config().image());
        a.put("name", c.shortName());
        return a;
    }

    // ------------------------------------------------------------------------------------------ start

    /**
     * Starts a container.
     *
     * @return false when it was already running (the API answers 304)
     */
    public boolean start(String ref) {
        Container c = get(ref);
        Live l = live(c.id());
        l.lock.lock();
        try {
            c = store.get(c.id());
            if (c.state().paused()) {
                throw new ConflictException("cannot start a paused container, try unpause instead");
            }
            if (c.state().running()) {
                return false;
            }
            cancelRestart(l);
            c = c.withManuallyStopped(false);
            store.save(c);
            run(c, l);
            return true;
        } finally {
            l.lock.unlock();
        }
    }

    /** One run of the container; the caller holds its lock. On failure everything of the run is undone. */
    private void run(Container c, Live l) {
        Monitor m = null;
        boolean created = false;
        try {
            Rootfs rootfs = storage.prepare(c.id(), c.layerIds());
            Mounts.copyUp(c.mounts(), Path.of(rootfs.path()));
            Spec spec = spec(c, rootfs);
            Path bundle = bundleRoot.resolve(c.id());
            Files.createDirectories(bundle);
            Files.writeString(bundle.resolve("config.json"), OciJson.write(spec));
            deleteStaleRuntime(c.id());
            m = Monitor.prepare(monitorDir(c.id()));
            HostConfig h = c.hostConfig();
            Monitor.Options mo = new Monitor.Options(store.logPath(c.id()), logMaxSize(h), logMaxFiles(h),
                    c.config().ttyEnabled(), c.config().openStdinEnabled(), consoleRows(h), consoleCols(h), false);
            CreateOptions co = new CreateOptions(m.pidFile(), c.config().ttyEnabled() ? m.consoleSocket() : null, false, false,
                    Stdio.inherit(), false).withLaunchWrapper(m.wrapperCommand(monitorBinary.path(), mo));
            runtime.create(c.id(), bundle, co);
            created = true;
            MonitorConnection watcher = m.connect();
            watcher.mute();
            l.monitor = m;
            l.watcher = watcher;
            for (AttachSession s : l.pending) {
                s.connect(m);
            }
            l.oomSeen = false;
            l.oomWatch = watchOom(c.id(), l);
            runtime.start(c.id());
            int pid = runtime.state(c.id()).pid();
            c = store.get(c.id()).withState(store.get(c.id()).state().running(pid, Instant.now())).withMonitor(m.dir().toString());
            store.save(c);
            events.publish("container", "start", c.id(), attrs(c));
            startWatcher(c.id(), l, m, watcher);
        } catch (IOException | RuntimeException e) {
            RuntimeException failure = e instanceof RuntimeException r ? r : new UncheckedIOException((IOException) e);
            undoRun(c, l, m, created);
            failedStart(c, l, failure);
            throw startError(failure);
        }
    }

    private Spec spec(Container c, Rootfs rootfs) {
        Image image = images.store().resolve(c.imageId());
        ImageConfig ic = images.store().config(image.record());
        ContainerConfig cc = c.config();
        RuntimeSpecs.Overrides o = new RuntimeSpecs.Overrides(cc.entrypoint() == null ? List.of() : cc.entrypoint(),
                cc.cmd() == null ? List.of() : cc.cmd(), cc.envOrEmpty(),
                cc.workingDir() == null || cc.workingDir().isEmpty() ? null : cc.workingDir(),
                cc.user() == null || cc.user().isEmpty() ? null : cc.user(),
                cc.hostname() == null || cc.hostname().isEmpty() ? c.id().substring(0, 12) : cc.hostname(),
                cc.ttyEnabled(), c.hostConfig().readonlyRootfsEnabled());
        return HostSpec.apply(RuntimeSpecs.fromImage(ic, rootfs.path(), o), c);
    }

    /** A runtime container of this id left by a crash between runs is removed before a new run. */
    private void deleteStaleRuntime(String id) {
        try {
            runtime.delete(id, true);
        } catch (NotFoundException e) {
            // the normal case
        }
    }

    private void undoRun(Container c, Live l, Monitor m, boolean created) {
        if (l.oomWatch != null) {
            l.oomWatch.close();
            l.oomWatch = null;
        }
        if (l.watcher != null) {
            l.watcher.close();
            l.watcher = null;
        }
        l.monitor = null;
        if (created) {
            try {
                runtime.delete(c.id(), true);
            } catch (RuntimeException e) {
                System.err.println("jctr: cleaning up container " + c.id() + " after a failed start: " + e.getMessage());
            }
        }
        if (m != null) {
            if (!created) {
                m.launchFailed();
            }
            awaitMonitorEnd(m);
            m.remove();
        }
    }

    /** Records a failed start as Docker does: exit code 127 (command not found), 126 (not executable) or 128. */
    private void failedStart(Container c, Live l, RuntimeException e) {
        int code = startExitCode(e);
        Container now = store.get(c.id());
        if (now == null) {
            return;
        }
        now = now.withState(now.state().failedToStart(code, e.getMessage() == null ? e.toString() : e.getMessage(),
                Instant.now())).withMonitor(null);
        store.save(now);
        events.publish("container", "die", c.id(), withExit(attrs(now), code));
        for (AttachSession s : l.pending) {
            s.abandon(startError(e));
        }
        completeExit(l, code);
        if (now.hostConfig().autoRemoveEnabled()) {
            Thread.ofVirtual().start(() -> removeAfterExit(c.id()));
        }
    }

    static int startExitCode(RuntimeException e) {
        String m = String.valueOf(e.getMessage());
        if (m.contains("executable file not found") || m.contains("no such file or directory")) {
            return 127;
        }
        if (m.contains("permission denied")) {
            return 126;
        }
        return 128;
    }

    /** The error the API reports for a failed start, in the words the docker CLI maps to exit codes. */
    static RuntimeException startError(RuntimeException e) {
        if (e instanceof KernelException k && k.getMessage() != null && k.getMessage().contains("process.args[0]")) {
            return new KernelException(KernelException.Category.INVALID_ARGUMENT, "failed to create task for container: "
                    + "OCI runtime create failed: unable to start container process: exec: " + argsZero(k.getMessage())
                    + ": executable file not found in $PATH: " + k.getMessage(), k);
        }
        return e;
    }

    private static String argsZero(String message) {
        int q = message.indexOf('"');
        int q2 = q < 0 ? -1 : message.indexOf('"', q + 1);
        return q2 > q ? message.substring(q, q2 + 1) : "\"?\"";
    }

    private Subscription watchOom(String id, Live l) {
        try {
            return runtime.events(id, ev -> {
                if (ev.type() == ResourceEvent.Type.OOM_KILL || ev.type() == ResourceEvent.Type.OOM) {
                    l.oomSeen = true;
                }
            });
        } catch (KernelException e) {
            return null; // no resource driver, or it cannot watch: OOM is then inferred at exit
        }
    }

    private void startWatcher(String id, Live l, Monitor m, MonitorConnection watcher) {
        Thread.ofVirtual().name("jctr-watch-" + id.substring(0, 12)).start(() -> {
            Integer code = null;
            try {
                MonitorConnection.Frame f;
                while ((f = watcher.read()) != null) {
                    if (f.type() == MonitorConnection.EXIT) {
                        code = f.exitCode();
                        break;
                    }
                }
            } catch (IOException e) {
                // the monitor went away: its exit file (or its absence) says what happened
            } finally {
                watcher.close();
            }
            exited(id, m, code);
        });
    }

    // ------------------------------------------------------------------------------------------ exit

    /** Handles the end of a run: records the exit, tears down the OCI container, applies policies. */
    private void exited(String id, Monitor m, Integer reported) {
        Live l = live(id);
        l.lock.lock();
        Container c;
        int code;
        try {
            c = store.get(id);
            if (c == null || l.monitor != m) {
                return; // removed, or a newer run took over
            }
            Monitor.Exit exit = awaitExitFile(m);
            code = exit != null ? exit.code() : reported != null ? reported : 255;
            boolean oom = l.oomSeen || (code == 137 && oomFromStats(id));
            if (l.oomWatch != null) {
                l.oomWatch.close();
                l.oomWatch = null;
            }
            try {
                runtime.delete(id, true);
            } catch (NotFoundException e) {
                // already gone
            } catch (RuntimeException e) {
                System.err.println("jctr: deleting the runtime state of " + id + ": " + e.getMessage());
            }
            m.remove();
            l.monitor = null;
            l.watcher = null;
            c = c.withState(c.state().exited(code, oom, exit != null ? exit.finishedAt() : Instant.now())).withMonitor(null);
            store.save(c);
            if (oom) {
                events.publish("container", "oom", id, attrs(c));
            }
            events.publish("container", "die", id, withExit(attrs(c), code));
            completeExit(l, code);
        } finally {
            l.lock.unlock();
        }
        if (c.hostConfig().autoRemoveEnabled()) {
            removeAfterExit(id);
        } else if (shouldRestart(c, code, l)) {
            scheduleRestart(id, l, c.restartCount());
        }
    }

    private static Map<String, String> withExit(Map<String, String> attrs, int code) {
        attrs.put("exitCode", Integer.toString(code));
        return attrs;
    }

    private boolean oomFromStats(String id) {
        try {
            ResourceStats s = runtime.stats(id);
            return s.memory() != null && s.memory().limit() != Long.MAX_VALUE && s.memory().failcnt() > 0;
        } catch (RuntimeException e) {
            return false;
        }
    }

    private static Monitor.Exit awaitExitFile(Monitor m) {
        for (int i = 0; i < 100; i++) {
            Optional<Monitor.Exit> e = m.exit();
            if (e.isPresent()) {
                return e.get();
            }
            if (!m.alive() && i > 10) {
                return null;
            }
            sleep(20);
        }
        return null;
    }

    private static void awaitMonitorEnd(Monitor m) {
        for (int i = 0; i < 150 && m.alive(); i++) {
            sleep(20);
        }
    }

    private void completeExit(Live l, int code) {
        CompletableFuture<Integer> f = l.nextExit;
        l.nextExit = new CompletableFuture<>();
        f.complete(code);
    }

    private boolean shouldRestart(Container c, int code, Live l) {
        if (l.stopping || c.manuallyStopped()) {
            return false;
        }
        HostConfig.RestartPolicy p = c.hostConfig().restartPolicyOrNo();
        return switch (p.nameOrNo()) {
            case "always", "unless-stopped" -> true;
            case "on-failure" -> code != 0 && (p.retries() == 0 || c.restartCount() < p.retries());
            default -> false;
        };
    }

    /** Restarts after a delay that doubles with each restart (100 ms up to 1 min), as Docker does. */
    private void scheduleRestart(String id, Live l, int count) {
        long delay = Math.min(60_000, 100L << Math.min(count, 10));
        Container c = store.get(id);
        if (c == null) {
            return;
        }
        store.save(c.withState(c.state().restarting(true)));
        l.restartTimer = Thread.ofVirtual().start(() -> {
            try {
                Thread.sleep(delay);
            } catch (InterruptedException e) {
                return;
            }
            l.lock.lock();
            try {
                Container now = store.get(id);
                if (now == null || now.state().running() || now.manuallyStopped() || l.restartTimer != Thread.currentThread()) {
                    return;
                }
                l.restartTimer = null;
                now = now.withRestartCount(now.restartCount() + 1).withState(now.state().restarting(false));
                store.save(now);
                events.publish("container", "restart", id, attrs(now));
                run(now, l);
            } catch (RuntimeException e) {
                System.err.println("jctr: restarting " + id + ": " + e.getMessage());
            } finally {
                l.lock.unlock();
            }
        });
    }

    private void cancelRestart(Live l) {
        Thread t = l.restartTimer;
        l.restartTimer = null;
        if (t != null) {
            t.interrupt();
        }
    }

    // ------------------------------------------------------------------------------------------ stop / kill

    /**
     * Stops a running container: its stop signal, then SIGKILL after the timeout.
     *
     * @param timeout seconds to wait before SIGKILL (null: the container's, else 10)
     * @return false when it was not running (304)
     */
    public boolean stop(String ref, Integer timeout, String signal) {
        Container c = get(ref);
        Live l = live(c.id());
        CompletableFuture<Integer> exit;
        l.lock.lock();
        try {
            c = store.get(c.id());
            cancelRestart(l);
            if (!c.state().running()) {
                if (c.state().restarting()) {
                    store.save(c.withManuallyStopped(true).withState(c.state().restarting(false)));
                    return true;
                }
                return false;
            }
            store.save(c.withManuallyStopped(true));
            l.stopping = true;
            exit = l.nextExit;
        } finally {
            l.lock.unlock();
        }
        try {
            int t = timeout != null ? timeout : c.config().stopTimeout() != null ? c.config().stopTimeout() : DEFAULT_STOP_TIMEOUT;
            String sig = signal != null && !signal.isEmpty() ? signal
                    : c.config().stopSignal() != null && !c.config().stopSignal().isEmpty() ? c.config().stopSignal() : "TERM";
            if (c.state().paused()) {
                unpause(c.id());
            }
            signal(c.id(), Signal.parse(sig));
            if (t < 0 || !waitFor(exit, t)) {
                signal(c.id(), Signal.KILL);
                if (!waitFor(exit, 30)) {
                    throw new KernelException(KernelException.Category.TIMEOUT, "container " + c.id()
                            + " did not exit within 30 seconds of SIGKILL");
                }
            }
            events.publish("container", "stop", c.id(), attrs(c));
            return true;
        } finally {
            l.stopping = false;
        }
    }

    private void signal(String id, Signal s) {
        try {
            runtime.kill(id, s, false);
        } catch (KernelException e) {
            if (e.category() != KernelException.Category.FAILED_PRECONDITION
                    && e.category() != KernelException.Category.NOT_FOUND) {
                throw e;
            }
        }
    }

    private static boolean waitFor(CompletableFuture<Integer> f, int seconds) {
        try {
            f.get(Math.max(0, seconds), TimeUnit.SECONDS);
            return true;
        } catch (TimeoutException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } catch (ExecutionException e) {
            return true;
        }
    }

    /** Sends a signal to a running container ({@code docker kill}). */
    public void kill(String ref, String signal) {
        Container c = get(ref);
        Signal s = Signal.parse(signal == null || signal.isEmpty() ? "KILL" : signal);
        Live l = live(c.id());
        if (!c.state().running()) {
            throw new ConflictException("Cannot kill container: " + ref + ": Container " + c.id() + " is not running");
        }
        if (s.number() == Signal.KILL.number() || s.number() == Signal.TERM.number()) {
            l.lock.lock();
            try {
                cancelRestart(l);
                store.save(store.get(c.id()).withManuallyStopped(true));
            } finally {
                l.lock.unlock();
            }
        }
        runtime.kill(c.id(), s, false);
        events.publish("container", "kill", c.id(), withSignal(attrs(c), s));
    }

    private static Map<String, String> withSignal(Map<String, String> a, Signal s) {
        a.put("signal", Integer.toString(s.number()));
        return a;
    }

    /** Stops (if running) and starts again. */
    public void restart(String ref, Integer timeout) {
        Container c = get(ref);
        stop(c.id(), timeout, null);
        start(c.id());
        events.publish("container", "restart", c.id(), attrs(store.get(c.id())));
    }

    public void pause(String ref) {
        Container c = get(ref);
        Live l = live(c.id());
        l.lock.lock();
        try {
            c = store.get(c.id());
            if (!c.state().running()) {
                throw new ConflictException("Container " + c.id() + " is not running");
            }
            if (c.state().paused()) {
                throw new ConflictException("Container " + c.id() + " is already paused");
            }
            runtime.pause(c.id());
            store.save(c.withState(c.state().paused(true)));
            events.publish("container", "pause", c.id(), attrs(c));
        } finally {
            l.lock.unlock();
        }
    }

    public void unpause(String ref) {
        Container c = get(ref);
        Live l = live(c.id());
        l.lock.lock();
        try {
            c = store.get(c.id());
            if (!c.state().paused()) {
                throw new ConflictException("Container " + c.id() + " is not paused");
            }
            runtime.resume(c.id());
            store.save(c.withState(c.state().paused(false)));
            events.publish("container", "unpause", c.id(), attrs(c));
        } finally {
            l.lock.unlock();
        }
    }

    /** Renames a container. */
    public void rename(String ref, String newName) {
        Container c = get(ref);
        String n = ContainerStore.checkName(newName);
        Live l = live(c.id());
        l.lock.lock();
        try {
            store.save(store.get(c.id()).withName(n));
            events.publish("container", "rename", c.id(), attrs(store.get(c.id())));
        } finally {
            l.lock.unlock();
        }
    }

    // ------------------------------------------------------------------------------------------ remove

    /**
     * Removes a container: refused while it runs unless {@code force} (then it is killed first); its rootfs,
     * record and log go; with {@code removeVolumes} its anonymous volumes too.
     */
    public void remove(String ref, boolean force, boolean removeVolumes) {
        Container c = get(ref);
        Live l = live(c.id());
        if (c.state().running() || c.state().restarting()) {
            if (!force) {
                throw new ConflictException("You cannot remove a " + (c.state().paused() ? "paused" : "running")
                        + " container " + c.id() + ". Stop the container before attempting removal or force remove");
            }
            CompletableFuture<Integer> exit;
            l.lock.lock();
            try {
                cancelRestart(l);
                Container now = store.get(c.id());
                store.save(now.withManuallyStopped(true).withState(now.state().restarting(false)));
                exit = l.nextExit;
                l.stopping = true;
            } finally {
                l.lock.unlock();
            }
            if (store.get(c.id()).state().running()) {
                if (c.state().paused()) {
                    try {
                        runtime.resume(c.id());
                    } catch (RuntimeException e) {
                        // killing a frozen process works once thawed; delete thaws anyway
                    }
                }
                signal(c.id(), Signal.KILL);
                waitFor(exit, 30);
            }
        }
        l.lock.lock();
        try {
            Container now = store.get(c.id());
            if (now == null) {
                throw new NotFoundException("No such container: " + ref);
            }
            if (now.state().running()) {
                throw new ConflictException("container " + c.id() + " is still running");
            }
            destroy(now, removeVolumes);
        } finally {
            l.lock.unlock();
        }
    }

    /** {@code --rm}: removal once the container has exited (anonymous volumes too, as Docker does). */
    private void removeAfterExit(String id) {
        Live l = live(id);
        l.lock.lock();
        try {
            Container c = store.get(id);
            if (c != null && !c.state().running()) {
                destroy(c, true);
            }
        } catch (RuntimeException e) {
            System.err.println("jctr: removing " + id + " after it exited: " + e.getMessage());
        } finally {
            l.lock.unlock();
        }
    }

    private void destroy(Container c, boolean removeVolumes) {
        Live l = live(c.id());
        for (AttachSession s : l.pending) {
            s.abandon(new NotFoundException("No such container: " + c.id()));
        }
        try {
            runtime.delete(c.id(), true);
        } catch (NotFoundException e) {
            // normal: deleted at exit
        }
        storage.remove(c.id());
        VolumeStore.deleteTree(bundleRoot.resolve(c.id()));
        Monitor.at(monitorDir(c.id())).remove();
        store.remove(c.id());
        if (removeVolumes) {
            for (Container.MountPoint m : c.mounts()) {
                VolumeStore.Volume v = "volume".equals(m.type()) ? volumes.find(m.name()) : null;
                if (v != null && v.anonymous() && usersOfVolume(v.name()).isEmpty()) {
                    volumes.remove(v.name(), true);
                }
            }
        }
        events.publish("container", "destroy", c.id(), attrs(c));
        live.remove(c.id());
        l.nextExit.completeExceptionally(new NotFoundException("No such container: " + c.id()));
        l.removed.complete(c.state().exitCode());
    }

    private void removeQuietly(Container c) {
        try {
            storage.remove(c.id());
        } catch (RuntimeException e) {
            // best effort after a failed create
        }
        store.remove(c.id());
    }

    /** Removes every stopped container; returns their ids. */
    public List<String> prune(Predicate<Container> filter) {
        List<String> out = new ArrayList<>();
        for (Container c : store.all()) {
            if (!c.state().running() && !c.state().restarting() && filter.test(c)) {
                try {
                    remove(c.id(), false, false);
                    out.add(c.id());
                } catch (KernelException e) {
                    // changed meanwhile: keep it
                }
            }
        }
        return out;
    }

    // ------------------------------------------------------------------------------------------ wait

    /**
     * Waits for a condition and returns the exit code: {@code not-running} (default; at once if not running),
     * {@code next-exit}, or {@code removed}.
     */
    public CompletableFuture<Integer> waitFor(String ref, String condition) {
        Container c = get(ref);
        Live l = live(c.id());
        String cond = condition == null || condition.isEmpty() ? "not-running" : condition;
        return switch (cond) {
            case "not-running" -> {
                l.lock.lock();
                try {
                    Container now = store.get(c.id());
                    yield now.state().running() || now.state().restarting() ? l.nextExit
                            : CompletableFuture.completedFuture(now.state().exitCode());
                } finally {
                    l.lock.unlock();
                }
            }
            case "next-exit" -> l.nextExit;
            case "removed" -> l.removed;
            default -> throw new InvalidConfigException("", "condition", "invalid condition: \"" + cond + "\"");
        };
    }

    // ------------------------------------------------------------------------------------------ streams

    /**
     * Attaches to a container's streams. If it runs, the session is connected at once; otherwise it waits for
     * the next start (as {@code docker run} and {@code docker start -a} need).
     */
    public AttachSession attach(String ref, boolean stdout, boolean stderr) {
        Container c = get(ref);
        Live l = live(c.id());
        l.lock.lock();
        try {
            c = store.get(c.id());
            boolean stdinOnce = c.config().stdinOnceEnabled();
            AttachSession[] holder = new AttachSession[1];
            AttachSession s = new AttachSession(stdout, stderr, stdinOnce, () -> l.pending.remove(holder[0]));
            holder[0] = s;
            Monitor m = l.monitor;
            if (c.state().running() && m != null) {
                s.connect(m);
            } else {
                l.pending.add(s);
            }
            return s;
        } finally {
            l.lock.unlock();
        }
    }

    /** Resizes a running container's terminal. */
    public void resize(String ref, int rows, int cols) {
        Container c = get(ref);
        Live l = live(c.id());
        MonitorConnection w = l.watcher;
        if (!c.state().running() || w == null) {
            throw new ConflictException("Container " + c.id() + " is not running");
        }
        try {
            w.resize(rows, cols);
        } catch (IOException e) {
            throw new ConflictException("Container " + c.id() + " is not running");
        }
    }

    /** Whether the container is running (for logs that follow). */
    public boolean running(String id) {
        Container c = store.get(id);
        return c != null && (c.state().running() || c.state().restarting());
    }

    /** Resource usage of a running container. */
    public ResourceStats stats(String ref) {
        Container c = get(ref);
        if (!c.state().running()) {
            throw new ConflictException("Container " + c.id() + " is not running");
        }
        return runtime.stats(c.id());
    }

    /**
     * Runs one process as a throw-away OCI container over an already prepared root file system (a build
     * step), streaming its output to {@code out}.
     *
     * @param runId the runtime id to use (free while the step runs)
     * @return the exit code
     */
    int runStep(String runId, Spec spec, AttachSession.Output out) throws IOException {
        Path bundle = bundleRoot.resolve(runId);
        Files.createDirectories(bundle);
        Files.writeString(bundle.resolve("config.json"), OciJson.write(spec));
        Monitor m = Monitor.prepare(monitorRoot.resolve("b" + runId.substring(0, 15)));
        Monitor.Options mo = new Monitor.Options(null, 0, 1, false, false, 0, 0, false);
        boolean created = false;
        AttachSession session = new AttachSession(true, true, false, () -> { });
        try {
            deleteStaleRuntime(runId);
            runtime.create(runId, bundle, new CreateOptions(m.pidFile(), null, false, false, Stdio.inherit(), false)
                    .withLaunchWrapper(m.wrapperCommand(monitorBinary.path(), mo)));
            created = true;
            session.connect(m);
            runtime.start(runId);
            Integer code = session.pump(out);
            return code != null ? code : awaitExitFile(m) == null ? 255 : awaitExitFile(m).code();
        } catch (RuntimeException e) {
            if (!created) {
                m.launchFailed();
            }
            throw startError(e);
        } finally {
            session.close();
            if (created) {
                try {
                    runtime.delete(runId, true);
                } catch (RuntimeException e) {
                    System.err.println("jctr: removing build step " + runId + ": " + e.getMessage());
                }
            }
            awaitMonitorEnd(m);
            m.remove();
            VolumeStore.deleteTree(bundle);
        }
    }

    /** Bytes in the container's writable layer ({@code SizeRw}), or 0 when the driver cannot tell. */
    public long sizeRw(String id) {
        try {
            return storage.usage(id).bytes();
        } catch (RuntimeException e) {
            return 0;
        }
    }

    /** The pids of a running container's processes. */
    public List<Integer> top(String ref) {
        Container c = get(ref);
        if (!c.state().running()) {
            throw new ConflictException("Container " + c.id() + " is not running");
        }
        return runtime.ps(c.id());
    }

    /** The monitor directory for the runs of container {@code id} (short: unix socket paths are bounded). */
    Path monitorDir(String id) {
        return monitorRoot.resolve(id.substring(0, 16));
    }

    // ------------------------------------------------------------------------------------------ recovery

    /**
     * After an engine (re)start: re-attaches to the monitors of the containers that kept running, handles
     * the exits recorded while no engine ran, and restarts containers whose policy asks for it.
     */
    void recover() {
        for (Container c : store.all()) {
            Live l = live(c.id());
            if (!c.state().running() && !c.state().restarting()) {
                // Docker's rule at daemon start: always restarts, unless-stopped unless the user stopped it;
                // a container that never ran is left alone.
                String p = c.hostConfig().restartPolicyOrNo().nameOrNo();
                if (c.state().startedAt() != null
                        && (p.equals("always") || p.equals("unless-stopped") && !c.manuallyStopped())) {
                    startQuietly(c.id());
                }
                continue;
            }
            Monitor m = c.monitor() == null ? null : Monitor.at(Path.of(c.monitor()));
            l.monitor = m;
            if (m != null && m.alive()) {
                try {
                    MonitorConnection w = m.connect();
                    w.mute();
                    l.watcher = w;
                    l.oomWatch = watchOom(c.id(), l);
                    startWatcher(c.id(), l, m, w);
                    continue;
                } catch (RuntimeException | IOException e) {
                    // it ended while we looked: handled below from its exit file
                }
            }
            Monitor gone = m != null ? m : Monitor.at(monitorDir(c.id()));
            l.monitor = gone;
            exited(c.id(), gone, null);
        }
    }

    private void startQuietly(String id) {
        try {
            start(id);
        } catch (RuntimeException e) {
            System.err.println("jctr: restarting container " + id + " (restart policy): " + e.getMessage());
        }
    }

    /** Stops watching (the containers keep running; a new engine re-adopts them). */
    void close() {
        for (Live l : live.values()) {
            cancelRestart(l);
            if (l.oomWatch != null) {
                l.oomWatch.close();
            }
            MonitorConnection w = l.watcher;
            l.monitor = null; // the watcher threads' exits are then ignored
            if (w != null) {
                w.close();
            }
            for (AttachSession s : l.pending) {
                s.abandon(new IllegalStateException("the engine is shutting down"));
            }
        }
        live.clear();
    }

    // ------------------------------------------------------------------------------------------ helpers

    static long logMaxSize(HostConfig h) {
        String v = h.logConfig() == null || h.logConfig().config() == null ? null : h.logConfig().config().get("max-size");
        return v == null || v.isEmpty() || v.equals("-1") ? 0 : Sizes.parse(v, "HostConfig.LogConfig.Config.max-size");
    }

    static int logMaxFiles(HostConfig h) {
        String v = h.logConfig() == null || h.logConfig().config() == null ? null : h.logConfig().config().get("max-file");
        if (v == null || v.isEmpty()) {
            return 1;
        }
        try {
            int n = Integer.parseInt(v);
            if (n < 1) {
                throw new NumberFormatException();
            }
            return n;
        } catch (NumberFormatException e) {
            throw new InvalidConfigException("", "HostConfig.LogConfig.Config.max-file", "must be a positive integer: " + v);
        }
    }

    private static int consoleRows(HostConfig h) {
        return h.consoleSize() != null && h.consoleSize().size() == 2 ? h.consoleSize().get(0) : 0;
    }

    private static int consoleCols(HostConfig h) {
        return h.consoleSize() != null && h.consoleSize().size() == 2 ? h.consoleSize().get(1) : 0;
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(Duration.ofMillis(ms));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
