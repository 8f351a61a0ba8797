package jctr.mgmt.cli.runc;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
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
        description = "Run OCI containers with jctr, with runc's command line")
public final class RuncCommand implements Callable<Integer> {

    /**
     * The commands, in help order. They are registered in code rather than in {@code @Command(subcommands)}
     * so that a command line names only the one it runs: picocli builds the model of every registered
     * command by reflection, and for all fifteen that was about a quarter of a {@code jctr-runc} start.
     */
    private static final List<String> COMMANDS = List.of("create", "start", "state", "kill", "delete", "run", "exec",
            "ps", "list", "spec", "pause", "resume", "update", "events", "help");

    /** Global flags that take a value (as the next argument unless written {@code --flag=value}). */
    private static final Set<String> VALUED_GLOBAL_FLAGS = Set.of("--root", "--log", "--log-format");

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
        return commandLine(new RuncCommand(), args).execute(args);
    }

    /** A command line that knows every command (for help, and for tests that parse several). */
    static CommandLine commandLine(RuncCommand command) {
        return commandLine(command, new String[] {"help"});
    }

    /**
     * A command line for {@code args} whose errors are reported in runc's log format with exit code 1, as runc
     * does. It registers only the command {@code args} names; without a known command name (help, usage, a
     * typo) it registers all of them, so the help and the errors list every command.
     */
    static CommandLine commandLine(RuncCommand command, String[] args) {
        CommandLine cl = new CommandLine(command);
        String named = commandName(args);
        if (named != null && !named.equals("help") && COMMANDS.contains(named)) {
            cl.addSubcommand(named, newCommand(named));
        } else {
            for (String name : COMMANDS) {
                cl.addSubcommand(name, newCommand(name));
            }
        }
        // As in runc, the program's own arguments follow the id and are not options of jctr-runc.
        for (String name : List.of("exec", "ps")) {
            if (cl.getSubcommands().containsKey(name)) {
                cl.getSubcommands().get(name).setStopAtPositional(true);
            }
        }
        cl.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
            command.log().error(message(ex));
            return 1;
        });
        cl.setParameterExceptionHandler((ex, rejected) -> {
            PrintWriter err = ex.getCommandLine().getErr();
            new RuncLog(null, false, false, err).error(ex.getMessage());
            ex.getCommandLine().usage(err);
            return 1;
        });
        return cl;
    }

    /** The first argument that is neither a global flag nor a global flag's value, or null. */
    static String commandName(String[] args) {
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (!a.startsWith("-")) {
                return a;
            }
            if (VALUED_GLOBAL_FLAGS.contains(a)) {
                i++;
            }
        }
        return null;
    }

    /** A new instance of the command {@code name} (one of {@link #COMMANDS}). */
    private static Object newCommand(String name) {
        // A switch, not a map of constructor references: the JDK 25 AOT cache writer crashes on archived
        // lambdas of classes that the training run never loaded (here, every command but the trained one).
        return switch (name) {
            case "create" -> new CreateCommand();
            case "start" -> new StartCommand();
            case "state" -> new StateCommand();
            case "kill" -> new KillCommand();
            case "delete" -> new DeleteCommand();
            case "run" -> new RunCommand();
            case "exec" -> new ExecCommand();
            case "ps" -> new PsCommand();
            case "list" -> new ListCommand();
            case "spec" -> new SpecCommand();
            case "pause" -> new PauseCommand();
            case "resume" -> new ResumeCommand();
            case "update" -> new UpdateCommand();
            case "events" -> new EventsCommand();
            case "help" -> new CommandLine.HelpCommand();
            default -> throw new IllegalArgumentException("no jctr-runc command " + name);
        };
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
