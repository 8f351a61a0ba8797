package jctr.mgmt.cli.runc;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;

import jctr.kernel.KernelException;
import jctr.kernel.config.EngineConfig;
import jctr.kernel.runtime.ContainerRuntime;
import jctr.mgmt.cli.VersionInfo;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code jctr-runc}: an OCI runtime with runc's command grammar, for tools that drive runc (containerd,
 * podman, the OCI runtime-tools validation suite). Global flags come before the command, as with runc.
 */
@Command(name = "jctr-runc", mixinStandardHelpOptions = true, versionProvider = VersionInfo.class,
        description = "Run OCI containers with jctr, with runc's command line",
        subcommands = {CreateCommand.class, StartCommand.class, StateCommand.class, KillCommand.class,
            DeleteCommand.class, RunCommand.class, ExecCommand.class, PsCommand.class, ListCommand.class,
            SpecCommand.class, PauseCommand.class, ResumeCommand.class, UpdateCommand.class, EventsCommand.class,
            CommandLine.HelpCommand.class})
public final class RuncCommand implements Callable<Integer> {

    /** Where container state lives without {@code --root}. */
    static final Path DEFAULT_ROOT = Path.of("/run/jctr-runc");

    @Option(names = "--root", paramLabel = "DIR", description = "Root directory for container state (default: /run/jctr-runc)")
    Path root = DEFAULT_ROOT;

    @Option(names = "--log", paramLabel = "FILE", description = "Log file (default: stderr)")
    Path logFile;

    @Option(names = "--log-format", paramLabel = "text|json", description = "Log format (default: text)")
    String logFormat = "text";

    @Option(names = "--debug", description = "Log debug detail")
    boolean debug;

    @Option(names = "--systemd-cgroup", description = "Accepted for compatibility; systemd cgroups are not supported")
    boolean systemdCgroup;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    private RuncLog log;
    private ContainerRuntime runtime;

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getErr());
        return 1;
    }

    /** The log the global flags describe. */
    RuncLog log() {
        if (log == null) {
            if (!logFormat.equals("text") && !logFormat.equals("json")) {
                throw new CommandLine.ParameterException(spec.commandLine(),
                        "invalid --log-format \"" + logFormat + "\": use text or json");
            }
            log = new RuncLog(logFile, logFormat.equals("json"), debug, spec.commandLine().getErr());
        }
        return log;
    }

    /** The runtime over the state root {@code --root}, with the drivers the engine configuration names. */
    ContainerRuntime runtime() {
        if (runtime == null) {
            EngineConfig config = EngineConfig.load(null, System.getenv(),
                    Map.of("state-root", root.toAbsolutePath().toString()));
            runtime = ContainerRuntime.open(config, log());
        }
        return runtime;
    }

    /** Entry point of {@code bin/jctr-runc}. */
    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the command line and returns the exit code (for tests and embedding). */
    public static int run(String... args) {
        return commandLine(new RuncCommand()).execute(args);
    }

    /** A command line whose errors are reported in runc's log format with exit code 1, as runc does. */
    static CommandLine commandLine(RuncCommand command) {
        CommandLine cl = new CommandLine(command);
        // As in runc, the program's own arguments follow the id and are not options of jctr-runc.
        cl.getSubcommands().get("exec").setStopAtPositional(true);
        cl.getSubcommands().get("ps").setStopAtPositional(true);
        cl.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
            command.log().error(message(ex));
            return 1;
        });
        cl.setParameterExceptionHandler((ex, args) -> {
            PrintWriter err = ex.getCommandLine().getErr();
            new RuncLog(null, false, false, err).error(ex.getMessage());
            ex.getCommandLine().usage(err);
            return 1;
        });
        return cl;
    }

    /** Ours are written for users; anything else also names its type. */
    static String message(Throwable ex) {
        if (ex instanceof KernelException) {
            return ex.getMessage();
        }
        if (ex instanceof java.io.UncheckedIOException io) {
            return io.getMessage() + ": " + io.getCause().toString().replaceFirst("^java\\.nio\\.file\\.", "");
        }
        return ex.toString();
    }
}
