package jctr.mgmt.cli.runc;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code delete}: removes a stopped container (any container with {@code --force}). */
@Command(name = "delete", description = "Delete a stopped container (or kill and delete any with --force)")
final class DeleteCommand extends RuncSubcommand {

    @Option(names = {"-f", "--force"}, description = "Kill the container first if it still runs")
    boolean force;

    @Parameters(index = "0", paramLabel = "ID")
    String id;

    @Override
    public Integer call() {
        runtime().delete(id, force);
        return 0;
    }
}
