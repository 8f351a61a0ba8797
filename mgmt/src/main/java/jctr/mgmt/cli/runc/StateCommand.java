package jctr.mgmt.cli.runc;

import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code state ID}: the OCI state as JSON (with runc's rootfs, created and owner). */
@Command(name = "state", description = "Print the container's OCI state as JSON")
final class StateCommand extends RuncSubcommand {

    @Parameters(index = "0", paramLabel = "ID")
    String id;

    @Override
    public Integer call() {
        out().println(RuncJson.indent(RuncState.of(runtime().info(id)), "  "));
        out().flush();
        return 0;
    }
}
