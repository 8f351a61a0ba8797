package jctr.mgmt.cli.image;

import java.io.PrintWriter;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;

import jctr.kernel.image.Image;
import jctr.kernel.image.ImageStore;
import jctr.kernel.image.Reference;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code jctr image ls}: one row per tag, as {@code docker images}. */
@Command(name = "ls", aliases = "list", description = "List images")
public final class ImageLsCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = {"-q", "--quiet"}, description = "Only show image ids")
    boolean quiet;

    @Option(names = "--digests", description = "Show digests")
    boolean digests;

    @Option(names = "--no-trunc", description = "Do not truncate image ids")
    boolean noTrunc;

    @Parameters(arity = "0..1", paramLabel = "REPOSITORY[:TAG]", description = "Only images of this repository (and tag)")
    String filter;

    @Override
    public Integer call() {
        ImageStore store = ImageCli.store(ImageCli.config(spec));
        Reference wanted = filter == null ? null : Reference.parse(filter);
        List<String[]> rows = new ArrayList<>();
        Set<String> ids = new LinkedHashSet<>();
        Instant now = Instant.now();
        for (Image image : store.list()) {
            String id = noTrunc ? image.id().toString() : image.id().shortHex();
            String created = image.record().created() == null ? "N/A"
                    : parseInstant(image.record().created()).map(t -> Human.ago(t, now)).orElse("N/A");
            String size = Human.size(image.record().size(), 3);
            List<Reference> names = image.repoTags().isEmpty() ? java.util.Collections.singletonList(null) : image.repoTags();
            for (Reference tag : names) {
                if (wanted != null && (tag == null || !tag.repository().equals(wanted.repository())
                        || (wanted.tag() != null && !wanted.tag().equals(tag.tag())))) {
                    continue;
                }
                ids.add(id);
                String repo = tag == null ? "<none>" : tag.familiarRepository();
                String digest = image.repoDigests().stream()
                        .filter(d -> tag == null || d.repository().equals(tag.repository()))
                        .map(d -> d.digest().toString()).findFirst().orElse("<none>");
                rows.add(digests
                        ? new String[] {repo, tag == null ? "<none>" : tag.tag(), digest, id, created, size}
                        : new String[] {repo, tag == null ? "<none>" : tag.tag(), id, created, size});
            }
        }
        PrintWriter out = spec.commandLine().getOut();
        if (quiet) {
            ids.forEach(out::println);
        } else {
            List<String[]> table = new ArrayList<>();
            table.add(digests ? new String[] {"REPOSITORY", "TAG", "DIGEST", "IMAGE ID", "CREATED", "SIZE"}
                    : new String[] {"REPOSITORY", "TAG", "IMAGE ID", "CREATED", "SIZE"});
            table.addAll(rows);
            Table.print(out, table);
        }
        out.flush();
        return 0;
    }

    private static java.util.Optional<Instant> parseInstant(String created) {
        try {
            return java.util.Optional.of(java.time.OffsetDateTime.parse(created).toInstant());
        } catch (java.time.format.DateTimeParseException e) {
            return java.util.Optional.empty();
        }
    }
}
