package jctr.mgmt.cli.runc;

import jctr.kernel.runtime.Signal;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code kill ID [SIGNAL]}: signals the init (default SIGTERM), or every process with {@code --all}. */
@Command(name = "kill", description = "Send a signal (default: SIGTERM) to the container's init process")
final class KillCommand extends RuncSubcommand {

    @Option(names = {"-a", "--all"}, description = "Signal every process of the container")
    boolean all;

    @Parameters(index = "0", paramLabel = "ID")
    String id;

    @Parameters(index = "1", paramLabel = "SIGNAL", arity = "0..1",
            description = "TERM, SIGTERM, KILL, 9, USR1, RTMIN+3 ... (default: TERM)")
    String signal = "TERM";

    @Override
    public Integer call() {
        runtime().kill(id, Signal.parse(signal), all);
        return 0;
    }
}
