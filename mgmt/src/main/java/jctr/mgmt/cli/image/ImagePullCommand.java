package jctr.mgmt.cli.image;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

import jctr.kernel.config.EngineConfig;
import jctr.kernel.image.ImagePuller;
import jctr.kernel.image.ImageService;
import jctr.kernel.image.Platform;
import jctr.kernel.image.PullProgress;
import jctr.kernel.image.Reference;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code jctr image pull NAME} (also {@code jctr pull}): pulls from a registry with a progress line per
 * layer (redrawn in place on a terminal, one line per state change otherwise), then unpacks the layers
 * into the storage driver when one can run.
 */
@Command(name = "pull", description = "Download an image from a registry")
public final class ImagePullCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = {"-q", "--quiet"}, description = "Print only the image reference")
    boolean quiet;

    @Option(names = "--platform", paramLabel = "OS/ARCH[/VARIANT]", defaultValue = "linux/amd64",
            description = "Platform to pull from a multi-platform image (default: linux/amd64)")
    String platform;

    @Option(names = "--insecure-registry", paramLabel = "HOST[:PORT]",
            description = "Reach this registry over plain HTTP (repeatable; loopback registries always are)")
    List<String> insecure = new ArrayList<>();

    @Option(names = "--creds", paramLabel = "USER:PASSWORD",
            description = "Registry credentials (default: the auths of ~/.docker/config.json)")
    String creds;

    @Parameters(paramLabel = "NAME[:TAG|@DIGEST]", description = "The image to pull")
    String name;

    @Override
    public Integer call() {
        Reference ref = Reference.parse(name).orLatest();
        EngineConfig config = ImageCli.config(spec);
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        ImagePuller.Options options = ImageCli.pullOptions(config, Platform.parse(platform), insecure, creds);
        ImageService service = ImageCli.service(config, ImageCli.storage(config, err), options);
        boolean tty = System.console() != null && System.console().isTerminal();
        PullProgress progress = quiet ? PullProgress.NONE : new PullRenderer(out, tty);
        ImagePuller.Result r = service.pull(ref, progress);
        out.println(r.reference());
        out.flush();
        return 0;
    }
}
