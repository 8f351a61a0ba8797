package jctr.mgmt.cli;

import java.util.concurrent.Callable;

import jctr.mgmt.cli.image.ImageCommand;
import jctr.mgmt.cli.image.ImagePullCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** The {@code jctr} command: the Docker-like front end of the engine. */
@Command(name = "jctr", mixinStandardHelpOptions = true, versionProvider = VersionInfo.class,
        description = "A container engine for Linux written in Java",
        subcommands = {InfoCommand.class, DaemonCommand.class, RunCommand.class, ContainerCommands.Ps.class,
                ContainerCommands.Start.class, ContainerCommands.Stop.class, ContainerCommands.Restart.class,
                ContainerCommands.Kill.class, ContainerCommands.Rm.class, ContainerCommands.Inspect.class,
                ContainerCommands.Logs.class, ContainerCommands.Attach.class, ContainerCommands.Exec.class,
                ContainerCommands.Wait.class, ContainerCommands.Pause.class, ContainerCommands.Unpause.class,
                VolumeCommand.class, ImageCommands.Images.class, ImageCommands.Rmi.class, ImageCommand.class,
                ImagePullCommand.class, CommandLine.HelpCommand.class})
public final class JctrCommand implements Callable<Integer> {

    @Mixin
    EngineOptions engine;

    @CommandLine.Option(names = {"-H", "--host"}, paramLabel = "unix://PATH",
            description = "Daemon socket to talk to (default: unix:///run/jctr/jctr.sock, or $JCTR_HOST)")
    String host;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /** The engine flags given on the command line (for subcommands in other packages). */
    public EngineOptions engineOptions() {
        return engine;
    }

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getErr());
        return 2;
    }

    /** Entry point of {@code bin/jctr}. */
    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the command line and returns the exit code (for tests and embedding). */
    public static int run(String... args) {
        return Cli.commandLine(new JctrCommand()).execute(args);
    }
}
