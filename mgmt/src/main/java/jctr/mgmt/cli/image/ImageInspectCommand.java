package jctr.mgmt.cli.image;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

import jctr.kernel.KernelException;
import jctr.kernel.image.Digest;
import jctr.kernel.image.Image;
import jctr.kernel.image.ImageConfig;
import jctr.kernel.image.ImageStore;
import jctr.kernel.image.Reference;
import jctr.kernel.oci.OciJson;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code jctr image inspect IMAGE...}: a JSON array in the shape of {@code docker image inspect}. */
@Command(name = "inspect", description = "Show details of images as JSON")
public final class ImageInspectCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Parameters(arity = "1..*", paramLabel = "IMAGE", description = "Names or ids")
    List<String> images;

    @Override
    public Integer call() {
        ImageStore store = ImageCli.store(ImageCli.config(spec));
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        List<Map<String, Object>> docs = new ArrayList<>();
        int rc = 0;
        for (String name : images) {
            try {
                docs.add(inspect(store, store.resolve(name)));
            } catch (KernelException e) {
                err.println("jctr: " + e.getMessage());
                rc = 1;
            }
        }
        out.println(OciJson.write(docs));
        out.flush();
        err.flush();
        return rc;
    }

    static Map<String, Object> inspect(ImageStore store, Image image) {
        ImageConfig config = store.config(image.record());
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("Id", image.id().toString());
        doc.put("RepoTags", image.repoTags().stream().map(Reference::familiar).toList());
        doc.put("RepoDigests", image.repoDigests().stream().map(Reference::familiar).toList());
        doc.put("Created", config.created() == null ? "" : config.created());
        doc.put("Author", config.author() == null ? "" : config.author());
        doc.put("Config", config.configOrEmpty());
        doc.put("Architecture", config.architecture());
        if (config.variant() != null) {
            doc.put("Variant", config.variant());
        }
        doc.put("Os", config.os());
        doc.put("Size", image.record().size());
        doc.put("RootFS", Map.of("Type", "layers", "Layers", config.diffIds().stream().map(Digest::toString).toList()));
        byte[] manifest = store.blobs().read(image.record().manifest(), 8 << 20, "manifest " + image.record().manifest());
        doc.put("Descriptor", Map.of("mediaType", jctr.kernel.image.ImageJson.mediaTypeOf("manifest", manifest, null),
                "digest", image.record().manifest().toString(), "size", manifest.length));
        return doc;
    }
}
