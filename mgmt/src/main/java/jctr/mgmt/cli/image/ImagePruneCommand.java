package jctr.mgmt.cli.image;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.concurrent.Callable;

import jctr.kernel.config.EngineConfig;
import jctr.kernel.image.ImageGc;
import jctr.kernel.image.ImagePuller;
import jctr.kernel.image.ImageService;
import jctr.kernel.image.RemoveEvent;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code jctr image prune [-a] [-f]}: removes unnamed images (with {@code -a}: all images no container uses),
 * then unreferenced blobs, partial downloads and storage layers.
 */
@Command(name = "prune", description = "Remove unused images, blobs and layers")
public final class ImagePruneCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = {"-a", "--all"}, description = "Remove all images no container uses, not just unnamed ones")
    boolean all;

    @Option(names = {"-f", "--force"}, description = "Do not prompt for confirmation")
    boolean force;

    @Override
    public Integer call() throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        if (!force) {
            out.print(all ? "WARNING! This will remove all images without at least one container associated to them.\n"
                    : "WARNING! This will remove all dangling images.\n");
            out.print("Are you sure you want to continue? [y/N] ");
            out.flush();
            String answer = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
            if (answer == null || !answer.trim().toLowerCase(Locale.ROOT).matches("y|yes")) {
                return 0;
            }
        }
        EngineConfig config = ImageCli.config(spec);
        ImageService service = ImageCli.service(config, ImageCli.storage(config, spec.commandLine().getErr()),
                ImagePuller.Options.defaults());
        ImageGc.PruneReport report = service.prune(all);
        if (!report.events().isEmpty()) {
            out.println("Deleted Images:");
            for (RemoveEvent e : report.events()) {
                out.println(e.type().docker().toLowerCase(Locale.ROOT) + ": " + e.what());
            }
            out.println();
        }
        out.println("Total reclaimed space: " + Human.size(report.reclaimedBytes(), 3));
        out.flush();
        return 0;
    }
}
