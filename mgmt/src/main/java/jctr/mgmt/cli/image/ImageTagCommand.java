package jctr.mgmt.cli.image;

import java.util.concurrent.Callable;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code jctr image tag SOURCE TARGET}: another name for an image. */
@Command(name = "tag", description = "Create a tag TARGET that refers to the image SOURCE")
public final class ImageTagCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", paramLabel = "SOURCE", description = "Name or id of the image")
    String source;

    @Parameters(index = "1", paramLabel = "TARGET", description = "New name, NAME[:TAG]")
    String target;

    @Override
    public Integer call() {
        ImageCli.store(ImageCli.config(spec)).tag(source, target);
        return 0;
    }
}
