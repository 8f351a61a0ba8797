package jctr.mgmt.cli;

import jctr.kernel.KernelException;
import picocli.CommandLine;

/** Shared command-line plumbing: how errors become messages and exit codes. */
public final class Cli {

    private Cli() {
    }

    /** A picocli command line with jctr's error handling. */
    public static CommandLine commandLine(Object command) {
        CommandLine cl = new CommandLine(command);
        // As docker: after the image (run) or the container (exec), everything is the command and its arguments.
        for (String name : new String[] {"run", "exec"}) {
            CommandLine sub = cl.getSubcommands().get(name);
            if (sub != null) {
                sub.setStopAtPositional(true);
            }
        }
        cl.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
            // Named after the program (jctr: ...), as docker does, whichever subcommand failed.
            commandLine.getErr().println(commandLine.getCommandSpec().root().name() + ": " + message(ex));
            commandLine.getErr().flush();
            return exitCode(ex);
        });
        return cl;
    }

    /** The message to show for a failure: ours are written for users; others get their type too. */
    public static String message(Throwable ex) {
        if (ex instanceof KernelException) {
            return ex.getMessage();
        }
        return ex.toString();
    }

    /** Exit code for a failure: 1 as runc and docker use for command errors. */
    public static int exitCode(Throwable ex) {
        return 1;
    }
}
