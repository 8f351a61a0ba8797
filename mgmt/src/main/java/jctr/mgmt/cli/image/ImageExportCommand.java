package jctr.mgmt.cli.image;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

import jctr.kernel.InvalidConfigException;
import jctr.kernel.image.ImageExporter;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code jctr image export [-o PATH] [--format docker|oci|oci-dir] IMAGE...} (Docker's {@code save}): the
 * default {@code docker} tar is both a {@code docker save} archive and an OCI layout; {@code oci} is the layout
 * tar alone; {@code oci-dir} writes the layout as a directory. Without {@code -o} the tar goes to standard output.
 */
@Command(name = "export", aliases = "save", description = "Write images to a docker save archive or an OCI layout")
public final class ImageExportCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = {"-o", "--output"}, paramLabel = "PATH", description = "Write to a file (or directory for oci-dir)")
    Path output;

    @Option(names = "--format", defaultValue = "docker", paramLabel = "docker|oci|oci-dir",
            description = "Archive format (default: docker, which OCI tools read too)")
    String format;

    @Parameters(arity = "1..*", paramLabel = "IMAGE", description = "Images to export, by name or id")
    List<String> images;

    @Override
    public Integer call() {
        ImageExporter.Format f = switch (format.toLowerCase(Locale.ROOT)) {
            case "docker" -> ImageExporter.Format.DOCKER_TAR;
            case "oci" -> ImageExporter.Format.OCI_TAR;
            case "oci-dir" -> ImageExporter.Format.OCI_DIR;
            default -> throw new InvalidConfigException("command line", "--format", "unknown format \"" + format
                    + "\": use docker, oci or oci-dir");
        };
        ImageExporter exporter = new ImageExporter(ImageCli.store(ImageCli.config(spec)));
        if (output != null) {
            exporter.export(images, output, f);
            return 0;
        }
        if (f == ImageExporter.Format.OCI_DIR) {
            throw new InvalidConfigException("command line", "--output", "oci-dir needs a directory: -o DIR");
        }
        if (System.console() != null && System.console().isTerminal()) {
            throw new InvalidConfigException("command line", "--output", "refusing to write a tar to the terminal: "
                    + "use -o FILE or redirect the output");
        }
        try {
            OutputStream out = new BufferedOutputStream(System.out, 1 << 16);
            exporter.exportTar(images, out, f == ImageExporter.Format.DOCKER_TAR);
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("writing to standard output", e);
        }
        return 0;
    }
}
