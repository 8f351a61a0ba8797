package jctr.mgmt.cli.image;

import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;

import jctr.kernel.KernelException;
import jctr.kernel.config.EngineConfig;
import jctr.kernel.image.ImagePuller;
import jctr.kernel.image.ImageService;
import jctr.kernel.image.RemoveEvent;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code jctr image rm [-f] IMAGE...} ({@code docker rmi}): untags, and deletes an image with its last name.
 * Each image is handled on its own; the exit code is 1 if any failed.
 */
@Command(name = "rm", aliases = {"rmi", "remove"}, description = "Remove images or names")
public final class ImageRmCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = {"-f", "--force"}, description = "Remove even when a container uses it or several repositories name it")
    boolean force;

    @Parameters(arity = "1..*", paramLabel = "IMAGE", description = "Names or ids")
    List<String> images;

    @Override
    public Integer call() {
        EngineConfig config = ImageCli.config(spec);
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        ImageService service = ImageCli.service(config, ImageCli.storage(config, err), ImagePuller.Options.defaults());
        int rc = 0;
        for (String image : images) {
            try {
                for (RemoveEvent e : service.remove(image, force)) {
                    out.println(e);
                }
            } catch (KernelException e) {
                err.println("jctr: " + e.getMessage());
                rc = 1;
            }
        }
        out.flush();
        err.flush();
        return rc;
    }
}
