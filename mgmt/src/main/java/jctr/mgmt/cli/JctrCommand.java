package jctr.mgmt.cli;

import java.util.concurrent.Callable;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** The {@code jctr} command: the Docker-like front end of the engine. */
@Command(name = "jctr", mixinStandardHelpOptions = true, versionProvider = VersionInfo.class,
        description = "A container engine for Linux written in Java",
        subcommands = {InfoCommand.class, DaemonCommand.class, CommandLine.HelpCommand.class})
public final class JctrCommand implements Callable<Integer> {

    @Mixin
    EngineOptions engine;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

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
