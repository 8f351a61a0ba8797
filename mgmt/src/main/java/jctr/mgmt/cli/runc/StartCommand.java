package jctr.mgmt.cli.runc;

import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code start}: releases a created container's program. */
@Command(name = "start", description = "Start the program of a created container")
final class StartCommand extends RuncSubcommand {

    @Parameters(index = "0", paramLabel = "ID")
    String id;

    @Override
    public Integer call() {
        runtime().start(id);
        return 0;
    }
}
