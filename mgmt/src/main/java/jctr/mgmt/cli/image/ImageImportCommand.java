package jctr.mgmt.cli.image;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

import jctr.kernel.config.EngineConfig;
import jctr.kernel.image.ImageImporter;
import jctr.kernel.image.ImagePuller;
import jctr.kernel.image.ImageService;
import jctr.kernel.image.Platform;
import jctr.kernel.image.Reference;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code jctr image import PATH [NAME]}: loads an OCI image layout (directory or tar) or a {@code docker save}
 * archive, as {@code docker load} does; {@code -} reads a tar from standard input.
 */
@Command(name = "import", aliases = "load", description = "Import images from an OCI layout (directory or tar) or a docker save archive")
public final class ImageImportCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--platform", paramLabel = "OS/ARCH[/VARIANT]", defaultValue = "linux/amd64",
            description = "Platform to take from multi-platform layouts (default: linux/amd64)")
    String platform;

    @Parameters(index = "0", paramLabel = "PATH", description = "Layout directory, tar file, or - for standard input")
    String path;

    @Parameters(index = "1", arity = "0..1", paramLabel = "NAME[:TAG]", description = "Name the imported image")
    String name;

    @Override
    public Integer call() {
        EngineConfig config = ImageCli.config(spec);
        PrintWriter out = spec.commandLine().getOut();
        Reference ref = name == null ? null : Reference.parse(name);
        ImagePuller.Options options = ImagePuller.Options.defaults().withPlatform(Platform.parse(platform));
        ImageService service = ImageCli.service(config, ImageCli.storage(config, spec.commandLine().getErr()), options);
        List<ImageImporter.Imported> imported = path.equals("-")
                ? service.importTar(System.in, "standard input", ref)
                : service.importPath(Path.of(path), ref);
        for (ImageImporter.Imported i : imported) {
            if (i.names().isEmpty()) {
                out.println("Loaded image ID: " + i.id());
            }
            for (Reference n : i.names()) {
                out.println("Loaded image: " + n.familiar());
            }
        }
        out.flush();
        return 0;
    }
}
