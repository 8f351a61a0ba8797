package jctr.mgmt.engine;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import jctr.kernel.InvalidConfigException;
import jctr.kernel.NotFoundException;
import jctr.kernel.image.Image;
import jctr.kernel.image.ImageConfig;
import jctr.kernel.image.ImageService;
import jctr.kernel.image.RuntimeSpecs;
import jctr.kernel.oci.Capabilities;
import jctr.kernel.oci.Capability;
import jctr.kernel.oci.ConsoleSize;
import jctr.kernel.oci.ProcessSpec;
import jctr.kernel.oci.Spec;
import jctr.kernel.runtime.ContainerRuntime;
import jctr.kernel.spi.StorageDriver;
import jctr.kernel.spi.Stdio;
import jctr.mgmt.engine.monitor.Monitor;
import jctr.mgmt.engine.monitor.MonitorBinary;
import jctr.mgmt.engine.monitor.MonitorConnection;

/**
 * Exec sessions ({@code docker exec}): processes started in a running container, joining its namespaces
 * and cgroup. Each runs under its own {@code jctr-monitor} (launch wrapper, parent of the process, holder of
 * its streams), which holds the output until the client is attached. Sessions live in memory, as in
 * Docker; the process itself does not depend on the engine.
 */
public final class Execs {

    /**
     * What {@code POST /containers/{id}/exec} asks for.
     *
     * @param consoleSize initial terminal size {@code [rows, cols]}
     */
    public record ExecConfig(Boolean attachStdin, Boolean attachStdout, Boolean attachStderr, String detachKeys,
                             Boolean tty, List<Integer> consoleSize, List<String> env, Boolean privileged, String user,
                             String workingDir, List<String> cmd) {
    }

    /** An exec session. Mutable fields change once: started, then exited. */
    public static final class Exec {
        private final String id;
        private final String containerId;
        private final ExecConfig config;
        private volatile boolean started;
        private volatile boolean running;
        private volatile Integer exitCode;
        private volatile int pid;
        private volatile Monitor monitor;

        Exec(String id, String containerId, ExecConfig config) {
            this.id = id;
            this.containerId = containerId;
            this.config = config;
        }

        public String id() {
            return id;
        }

        public String containerId() {
            return containerId;
        }

        public ExecConfig config() {
            return config;
        }

        public boolean running() {
            return running;
        }

        /** The exit code once it has exited, else null. */
        public Integer exitCode() {
            return exitCode;
        }

        public int pid() {
            return pid;
        }
    }

    private final Containers containers;
    private final ContainerRuntime runtime;
    private final ImageService images;
    private final StorageDriver storage;
    private final MonitorBinary monitorBinary;
    private final Path monitorRoot;
    private final Map<String, Exec> execs = new ConcurrentHashMap<>();

    Execs(Containers containers, ContainerRuntime runtime, ImageService images, StorageDriver storage,
          MonitorBinary monitorBinary, Path monitorRoot) {
        this.containers = containers;
        this.runtime = runtime;
        this.images = images;
        this.storage = storage;
        this.monitorBinary = monitorBinary;
        this.monitorRoot = monitorRoot;
    }

    /** Registers an exec session in a running container. */
    public String create(String ref, ExecConfig cfg) {
        Container c = containers.get(ref);
        if (!c.state().running()) {
            throw new ConflictException("Container " + c.id() + " is not running");
        }
        if (c.state().paused()) {
            throw new ConflictException("Container " + c.id() + " is paused, unpause the container before exec");
        }
        if (cfg.cmd() == null || cfg.cmd().isEmpty()) {
            throw new InvalidConfigException("", "Cmd", "No exec command specified");
        }
        String id = Ids.random();
        execs.put(id, new Exec(id, c.id(), cfg));
        return id;
    }

    /** The session, or 404. */
    public Exec get(String id) {
        Exec e = execs.get(id);
        if (e == null) {
            throw new NotFoundException("No such exec instance: " + id);
        }
        return e;
    }

    /**
     * Starts the session's process.
     *
     * @param detach return at once, nobody attached
     * @return the attach session for an attached start (connected, the process's output waits for it), else null
     */
    public AttachSession start(String id, boolean detach) {
        Exec e = get(id);
        synchronized (e) {
            if (e.started) {
                throw new ConflictException("Error: Exec command " + id + " has already run");
            }
            e.started = true;
        }
        Container c = containers.get(e.containerId);
        if (!c.state().running()) {
            throw new ConflictException("Container " + c.id() + " is not running");
        }
        ExecConfig cfg = e.config;
        boolean tty = Boolean.TRUE.equals(cfg.tty());
        boolean stdin = Boolean.TRUE.equals(cfg.attachStdin()) && !detach;
        Monitor m = Monitor.prepare(monitorRoot.resolve("x" + id.substring(0, 15)));
        int rows = cfg.consoleSize() != null && cfg.consoleSize().size() == 2 ? cfg.consoleSize().get(0) : 0;
        int cols = cfg.consoleSize() != null && cfg.consoleSize().size() == 2 ? cfg.consoleSize().get(1) : 0;
        Monitor.Options mo = new Monitor.Options(null, 0, 1, tty, stdin, rows, cols, !detach);
        try {
            ProcessSpec process = process(c, cfg);
            runtime.exec(c.id(), process, tty ? new Stdio.ConsoleSocket(m.consoleSocket()) : Stdio.inherit(), true,
                    m.pidFile(), m.wrapperCommand(monitorBinary.path(), mo));
            e.monitor = m;
            e.running = true;
            e.pid = readPid(m);
            if (detach) {
                watch(e, m);
                return null;
            }
            // The monitor holds the output until this client is connected; the exit frame reaches it, and the
            // API records it (exited) before closing the client's connection.
            AttachSession session = new AttachSession(!Boolean.FALSE.equals(cfg.attachStdout()),
                    !Boolean.FALSE.equals(cfg.attachStderr()), true, () -> cleanUpAfter(e, m));
            session.connect(m);
            return session;
        } catch (RuntimeException x) {
            e.running = false;
            e.exitCode = Containers.startExitCode(x);
            m.launchFailed();
            cleanUpAfter(e, m);
            throw Containers.startError(x);
        }
    }

    private static int readPid(Monitor m) {
        try {
            return Integer.parseInt(java.nio.file.Files.readString(m.pidFile()).trim());
        } catch (IOException | NumberFormatException x) {
            return 0;
        }
    }

    /** Records the exit an attached client saw, before its connection closes (the CLI asks right after). */
    public void exited(String id, int code) {
        Exec e = get(id);
        e.exitCode = code;
        e.running = false;
    }

    /** A detached session: its exit comes from the monitor's exit file once the monitor has ended. */
    private void watch(Exec e, Monitor m) {
        Thread.ofVirtual().name("jctr-exec-" + e.id.substring(0, 12)).start(() -> {
            while (m.exit().isEmpty() && m.alive()) {
                try {
                    Thread.sleep(100);
                } catch (InterruptedException ie) {
                    return;
                }
            }
            e.exitCode = m.exit().map(Monitor.Exit::code).orElse(255);
            e.running = false;
            cleanUpAfter(e, m);
        });
    }

    /** Removes the session's monitor directory once the monitor has ended. */
    private static void cleanUpAfter(Exec e, Monitor m) {
        Thread.ofVirtual().start(() -> {
            for (int i = 0; i < 300 && m.alive(); i++) {
                try {
                    Thread.sleep(20);
                } catch (InterruptedException ie) {
                    return;
                }
            }
            if (e.exitCode == null) {
                e.exitCode = m.exit().map(Monitor.Exit::code).orElse(255);
            }
            e.running = false;
            m.remove();
        });
    }

    /** Resizes the session's terminal. */
    public void resize(String id, int rows, int cols) {
        Exec e = get(id);
        Monitor m = e.monitor;
        if (m == null || !e.running) {
            throw new ConflictException("exec " + id + " is not running");
        }
        try (MonitorConnection c = m.connect()) {
            c.mute();
            c.resize(rows, cols);
        } catch (IOException x) {
            throw new ConflictException("exec " + id + " is not running");
        }
    }

    /** The process of an exec: the container's process settings with the exec's command, env, cwd, user. */
    private ProcessSpec process(Container c, ExecConfig cfg) {
        Spec spec = runtime.spec(c.id());
        ProcessSpec base = spec.process();
        List<String> env = Containers.mergeEnv(base.env(), cfg.env() == null ? List.of() : cfg.env());
        String cwd = cfg.workingDir() != null && !cfg.workingDir().isEmpty() ? cfg.workingDir() : base.cwd();
        var user = base.user();
        if (cfg.user() != null && !cfg.user().isEmpty()) {
            Image image = images.store().resolve(c.imageId());
            ImageConfig ic = images.store().config(image.record());
            String rootfs = storage.prepare(c.id(), c.layerIds()).path();
            user = RuntimeSpecs.fromImage(ic, rootfs, new RuntimeSpecs.Overrides(List.of(), cfg.cmd(), List.of(), null,
                    cfg.user(), null, false, false)).process().user();
        }
        Capabilities caps = base.capabilities();
        if (Boolean.TRUE.equals(cfg.privileged())) {
            List<String> all = new ArrayList<>();
            EnumSet.allOf(Capability.class).forEach(x -> all.add(x.name()));
            caps = new Capabilities(all, all, List.of(), all, List.of());
        }
        boolean tty = Boolean.TRUE.equals(cfg.tty());
        ConsoleSize console = cfg.consoleSize() != null && cfg.consoleSize().size() == 2 && cfg.consoleSize().get(0) > 0
                ? new ConsoleSize(cfg.consoleSize().get(0), cfg.consoleSize().get(1)) : null;
        return new ProcessSpec(tty, console, user, cfg.cmd(), env, cwd, caps, base.rlimits(), base.noNewPrivileges(),
                base.apparmorProfile(), base.oomScoreAdj(), base.selinuxLabel());
    }

    /** The ids of a container's sessions (inspect's ExecIDs). */
    public List<String> idsOf(String containerId) {
        return execs.values().stream().filter(e -> e.containerId.equals(containerId)).map(Exec::id).toList();
    }

    /** Forgets the sessions of a removed container. */
    void forget(String containerId) {
        execs.values().removeIf(e -> e.containerId.equals(containerId) && !e.running);
    }
}
