package jctr.mgmt.cli.runc;

import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code pause}: freezes every process of a running container. */
@Command(name = "pause", description = "Freeze every process of a running container")
final class PauseCommand extends RuncSubcommand {

    @Parameters(index = "0", paramLabel = "ID")
    String id;

    @Override
    public Integer call() {
        runtime().pause(id);
        return 0;
    }
}
