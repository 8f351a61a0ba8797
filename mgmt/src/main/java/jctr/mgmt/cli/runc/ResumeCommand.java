package jctr.mgmt.cli.runc;

import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code resume}: thaws a paused container. */
@Command(name = "resume", description = "Thaw a paused container")
final class ResumeCommand extends RuncSubcommand {

    @Parameters(index = "0", paramLabel = "ID")
    String id;

    @Override
    public Integer call() {
        runtime().resume(id);
        return 0;
    }
}
