package jctr.kernel.runtime;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import jctr.kernel.KernelException;
import jctr.kernel.KernelException.Category;
import jctr.kernel.oci.Hook;
import jctr.kernel.oci.OciJson;
import jctr.kernel.oci.ProcessSpec;
import jctr.kernel.oci.State;
import jctr.kernel.spi.ExecRequest;
import jctr.kernel.spi.IsolatedProcess;
import jctr.kernel.spi.Stdio;
import jctr.kernel.sys.ExitStatus;
import jctr.kernel.sys.Signals;

/**
 * Runs OCI lifecycle hooks, as the runtime spec describes; all but startContainer in the runtime's
 * namespaces (createContainer too, a documented deviation: the spec wants it in the container's
 * namespaces with its path resolved in the runtime's). Each hook's
 * {@code path} is executed with its {@code args} and exactly its {@code env}, the container's state JSON
 * on stdin, the bundle as working directory, and killed (with everything it started) after
 * {@code timeout} seconds.
 *
 * <p>One deviation: {@code args[0]} is not passed as argv[0] (the JDK cannot set it apart from the
 * program path), so the hook sees its {@code path} as argv[0]; {@code args[1..]} are passed as given.
 */
public final class Hooks {

    /** How much of a failed hook's output the error message quotes. */
    private static final int OUTPUT_TAIL = 2048;

    private Hooks() {
    }

    /**
     * Runs {@code hooks} in order and stops at the first failure (createRuntime, createContainer,
     * startContainer and prestart: a failure fails the operation).
     *
     * @param phase the config key, e.g. {@code createRuntime}, used to name a failing hook
     * @throws HookFailedException naming the hook, e.g. {@code hooks.createRuntime[0]: /x timed out after 2s}
     */
    public static void runAll(String phase, List<Hook> hooks, State state, Path bundle) {
        for (int i = 0; i < hooks.size(); i++) {
            run("hooks." + phase + "[" + i + "]", hooks.get(i), state, bundle);
        }
    }

    /**
     * Runs every hook of {@code hooks}; a failure is logged as a warning and the next hook still runs
     * (poststart and poststop: the spec makes their failures warnings).
     */
    public static void runAllWarning(String phase, List<Hook> hooks, State state, Path bundle, RuntimeLog log) {
        for (int i = 0; i < hooks.size(); i++) {
            try {
                run("hooks." + phase + "[" + i + "]", hooks.get(i), state, bundle);
            } catch (HookFailedException e) {
                log.warn(e.getMessage());
            }
        }
    }

    /**
     * Runs one hook and waits for it.
     *
     * @param name the hook's place in the config, for errors
     * @throws HookFailedException if it cannot be started, exits non-zero, is killed, or times out
     */
    public static void run(String name, Hook hook, State state, Path bundle) {
        List<String> command = new ArrayList<>();
        command.add(hook.path());
        if (hook.args().size() > 1) {
            command.addAll(hook.args().subList(1, hook.args().size()));
        }
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        if (bundle != null) {
            pb.directory(bundle.toFile());
        }
        Map<String, String> env = pb.environment();
        env.clear();
        for (String kv : hook.env()) {
            int eq = kv.indexOf('=');
            if (eq > 0) {
                env.put(kv.substring(0, eq), kv.substring(eq + 1));
            }
        }
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            throw new HookFailedException(Category.INVALID_ARGUMENT, name, "cannot run " + hook.path() + ": "
                    + e.getMessage(), e);
        }
        OutputTail output = OutputTail.drain(p.getInputStream());
        try (OutputStream stdin = p.getOutputStream()) {
            stdin.write(OciJson.writeCompact(state));
        } catch (IOException e) {
            // The hook may exit or close stdin without reading it: not an error in itself.
        }
        try {
            if (hook.timeout() == null) {
                p.waitFor();
            } else if (!p.waitFor(hook.timeout(), TimeUnit.SECONDS)) {
                kill(p);
                throw new HookFailedException(Category.TIMEOUT, name, hook.path() + " timed out after "
                        + hook.timeout() + "s" + output.quote(), null);
            }
        } catch (InterruptedException e) {
            kill(p);
            Thread.currentThread().interrupt();
            throw new HookFailedException(Category.INTERNAL, name, "interrupted while waiting for " + hook.path(), e);
        }
        if (p.exitValue() != 0) {
            throw new HookFailedException(Category.FAILED_PRECONDITION, name, hook.path() + " exited with status "
                    + p.exitValue() + output.quote(), null);
        }
    }

    /**
     * Runs a startContainer hook inside the container, as the spec asks ("executed in the container
     * namespace", path resolved there): {@code exec} starts it through the isolation driver, with the
     * container's user and capabilities ({@code template}), the hook's args and exactly its env, cwd
     * {@code /}, the state JSON from {@code stdinFile} on stdin and its output appended to {@code outputFile}.
     *
     * @throws HookFailedException as {@link #run}
     */
    static void runInContainer(String name, Hook hook, ProcessSpec template, Path stdinFile, Path outputFile,
                               Function<ExecRequest, IsolatedProcess> exec) {
        List<String> args = new ArrayList<>();
        args.add(hook.path());
        if (hook.args().size() > 1) {
            args.addAll(hook.args().subList(1, hook.args().size()));
        }
        ProcessSpec process = new ProcessSpec(false, null, template.user(), args, hook.env(), "/",
                template.capabilities(), template.rlimits(), template.noNewPrivileges(), template.apparmorProfile(),
                template.oomScoreAdj(), template.selinuxLabel());
        IsolatedProcess started;
        try {
            Files.deleteIfExists(outputFile);
            started = exec.apply(new ExecRequest(process, new Stdio.Files(stdinFile, outputFile, outputFile)));
        } catch (KernelException e) {
            throw new HookFailedException(Category.INVALID_ARGUMENT, name, "cannot run " + hook.path()
                    + " in the container: " + e.getMessage(), e);
        } catch (IOException e) {
            throw new HookFailedException(Category.INTERNAL, name, "cannot prepare " + outputFile, e);
        }
        Optional<ProcessRef> opened = ProcessRef.open(started);
        if (opened.isEmpty()) {
            throw new HookFailedException(Category.INTERNAL, name, hook.path() + " (pid " + started.pid()
                    + ") vanished before it could be waited for", null);
        }
        try (ProcessRef ref = opened.get()) {
            Optional<ExitStatus> status = ref.waitForExit(hook.timeout() == null ? Long.MAX_VALUE
                    : TimeUnit.SECONDS.toMillis(hook.timeout()));
            if (status.isEmpty()) {
                ref.signal(Signals.SIGKILL);
                ref.waitForExit();
                throw new HookFailedException(Category.TIMEOUT, name, hook.path() + " timed out after "
                        + hook.timeout() + "s" + quoteFile(outputFile), null);
            }
            if (status.get().shellCode() != 0) {
                throw new HookFailedException(Category.FAILED_PRECONDITION, name, hook.path() + " "
                        + (status.get().signaled() ? "was " + status.get() : "exited with status " + status.get().code())
                        + quoteFile(outputFile), null);
            }
        }
    }

    /** ": <the file's last bytes>", or empty. */
    private static String quoteFile(Path file) {
        try {
            byte[] all = Files.readAllBytes(file);
            int from = Math.max(0, all.length - OUTPUT_TAIL);
            String text = new String(all, from, all.length - from, StandardCharsets.UTF_8).strip();
            return text.isEmpty() ? "" : ": " + text;
        } catch (IOException e) {
            return "";
        }
    }

    private static void kill(Process p) {
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
        try {
            p.waitFor(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Reads a hook's combined output on a virtual thread, keeping the last few KiB. The reader must not be
     * joined unboundedly: a hook's background child may keep the pipe open after the hook exits.
     */
    private static final class OutputTail {
        private final byte[] ring = new byte[OUTPUT_TAIL];
        private long total;
        private final Thread reader;

        private OutputTail(InputStream in) {
            this.reader = Thread.ofVirtual().name("hook-output").unstarted(() -> pump(in));
        }

        static OutputTail drain(InputStream in) {
            OutputTail t = new OutputTail(in);
            t.reader.start();
            return t;
        }

        private void pump(InputStream in) {
            byte[] buf = new byte[512];
            try (in) {
                int n;
                while ((n = in.read(buf)) > 0) {
                    synchronized (this) {
                        for (int i = 0; i < n; i++) {
                            ring[(int) (total++ % ring.length)] = buf[i];
                        }
                    }
                }
            } catch (IOException e) {
                // the process went away; what was read is what there is
            }
        }

        /** ": <output>" (the last bytes, trimmed), or empty when the hook printed nothing. */
        String quote() {
            try {
                reader.join(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            String text;
            synchronized (this) {
                int len = (int) Math.min(total, ring.length);
                byte[] out = new byte[len];
                long start = total - len;
                for (int i = 0; i < len; i++) {
                    out[i] = ring[(int) ((start + i) % ring.length)];
                }
                text = new String(out, StandardCharsets.UTF_8).strip();
            }
            return text.isEmpty() ? "" : ": " + text;
        }
    }
}
