package jctr.mgmt.cli.image;

import java.util.concurrent.Callable;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code jctr image}: manage images (Docker's {@code docker image}). */
@Command(name = "image", description = "Manage images",
        subcommands = {ImageLsCommand.class, ImagePullCommand.class, ImageImportCommand.class, ImageExportCommand.class,
            ImageRmCommand.class, ImageInspectCommand.class, ImagePruneCommand.class, ImageTagCommand.class})
public final class ImageCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getErr());
        return 2;
    }
}
