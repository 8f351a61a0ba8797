package jctr.mgmt.engine;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFileAttributes;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.GZIPOutputStream;

import com.fasterxml.jackson.databind.JsonNode;

import jctr.kernel.InvalidConfigException;
import jctr.kernel.KernelException;
import jctr.kernel.NotFoundException;
import jctr.kernel.UnsupportedFeatureException;
import jctr.kernel.image.Descriptor;
import jctr.kernel.image.Digest;
import jctr.kernel.image.Image;
import jctr.kernel.image.ImageConfig;
import jctr.kernel.image.ImageImporter;
import jctr.kernel.image.ImageManifest;
import jctr.kernel.image.ImageService;
import jctr.kernel.image.MediaTypes;
import jctr.kernel.image.PullProgress;
import jctr.kernel.image.Reference;
import jctr.kernel.image.RuntimeSpecs;
import jctr.kernel.layer.LayerUnpacker;
import jctr.kernel.layer.TarEntry;
import jctr.kernel.layer.TarWriter;
import jctr.kernel.layer.UnpackOptions;
import jctr.kernel.layer.WhiteoutStrategy;
import jctr.kernel.oci.DefaultSeccomp;
import jctr.kernel.oci.OciJson;
import jctr.kernel.oci.Spec;
import jctr.kernel.spi.StorageDriver;

/**
 * {@code docker build} with the legacy builder ({@code POST /build}): a Dockerfile's FROM, RUN, COPY/ADD (local
 * files), ENV, ARG, WORKDIR, USER, CMD, ENTRYPOINT, LABEL, EXPOSE, VOLUME and STOPSIGNAL.
 *
 * <p>All steps work in one build root file system (prepared by the storage driver from the base image): RUN
 * runs a throw-away container in it, COPY unpacks the context's files into it through the safe layer unpacker
 * (paths resolved inside the root). At the end its diff becomes <em>one</em> new layer on top of the base
 * image's (jctr does not keep a layer per step), the image config gets the accumulated settings and a
 * history entry per step, and the image is imported as an OCI layout and tagged.
 */
public final class Builder {

    /** Where a build's messages go (Docker's JSON stream: {@code stream}, {@code aux}). */
    public interface Output {
        void stream(String text) throws IOException;

        void aux(String imageId) throws IOException;
    }

    private static final Pattern ARG_REF = Pattern.compile("\\$\\{(\\w+)}|\\$(\\w+)");

    private final ImageService images;
    private final StorageDriver storage;
    private final Containers containers;
    private final Path tmpRoot;

    Builder(ImageService images, StorageDriver storage, Containers containers, Path tmpRoot) {
        this.images = images;
        this.storage = storage;
        this.containers = containers;
        this.tmpRoot = tmpRoot;
    }

    /** One Dockerfile instruction. */
    record Instruction(String keyword, String args, String original) {
    }

    /**
     * Builds the image the context's Dockerfile describes and names it {@code tags}.
     *
     * @param context the build context tar (what the docker CLI sends)
     * @param dockerfile the Dockerfile's path in the context
     * @return the image id
     */
    public String build(InputStream context, String dockerfile, List<String> tags, Map<String, String> buildArgs,
                        Map<String, String> labels, Output out) throws IOException {
        String buildId = Ids.random();
        Path work = tmpRoot.resolve("build-" + buildId.substring(0, 16));
        Path ctx = work.resolve("context");
        Files.createDirectories(ctx);
        boolean prepared = false;
        try {
            new LayerUnpacker(UnpackOptions.DEFAULTS, WhiteoutStrategy.applyInPlace()).unpack(context, ctx, "build context");
            Path df = ctx.resolve(dockerfile == null || dockerfile.isEmpty() ? "Dockerfile" : dockerfile).normalize();
            if (!df.startsWith(ctx) || !Files.isRegularFile(df)) {
                throw new InvalidConfigException("build", "dockerfile", "Cannot locate specified Dockerfile: " + dockerfile);
            }
            List<Instruction> steps = parse(Files.readString(df));
            if (steps.isEmpty() || !steps.getFirst().keyword().equals("FROM")) {
                throw new InvalidConfigException("Dockerfile", "", "the first instruction must be FROM");
            }
            Map<String, String> args = new LinkedHashMap<>(buildArgs);
            State st = null;
            Path rootfs = null;
            int n = 0;
            for (Instruction in : steps) {
                n++;
                String a = in.keyword().equals("RUN") ? in.args() : substitute(in.args(), args, st);
                out.stream("Step " + n + "/" + steps.size() + " : " + in.keyword() + " " + in.args() + "\n");
                switch (in.keyword()) {
                    case "FROM" -> {
                        if (st != null) {
                            throw new UnsupportedFeatureException("multi-stage builds (a second FROM) are not supported by jctr yet");
                        }
                        st = from(a.split("\\s+")[0], out);
                        rootfs = Path.of(storage.prepare(buildId, st.layers).path());
                        prepared = true;
                        out.stream(" ---> " + st.image.id().shortHex() + "\n");
                        continue;
                    }
                    case "ARG" -> {
                        int eq = a.indexOf('=');
                        String name = eq < 0 ? a.trim() : a.substring(0, eq).trim();
                        if (!args.containsKey(name) && eq >= 0) {
                            args.put(name, unquote(a.substring(eq + 1).trim()));
                        }
                        st.history(in, true);
                    }
                    case "ENV" -> {
                        for (Map.Entry<String, String> kv : keyValues(a).entrySet()) {
                            st.env.removeIf(e -> e.startsWith(kv.getKey() + "="));
                            st.env.add(kv.getKey() + "=" + kv.getValue());
                        }
                        st.history(in, true);
                    }
                    case "LABEL" -> {
                        st.labels.putAll(keyValues(a));
                        st.history(in, true);
                    }
                    case "WORKDIR" -> {
                        String dir = a.startsWith("/") ? a : (st.workingDir == null ? "/" : st.workingDir) + "/" + a;
                        st.workingDir = Path.of(dir).normalize().toString();
                        mkdirs(rootfs, st.workingDir);
                        st.history(in, false);
                    }
                    case "USER" -> {
                        st.user = a.trim();
                        st.history(in, true);
                    }
                    case "CMD" -> {
                        st.cmd = command(a);
                        st.history(in, true);
                    }
                    case "ENTRYPOINT" -> {
                        st.entrypoint = command(a);
                        st.history(in, true);
                    }
                    case "EXPOSE" -> {
                        for (String p : a.trim().split("\\s+")) {
                            st.exposedPorts.put(p.contains("/") ? p : p + "/tcp", Map.of());
                        }
                        st.history(in, true);
                    }
                    case "VOLUME" -> {
                        for (String v : words(a)) {
                            st.volumes.put(v, Map.of());
                        }
                        st.history(in, true);
                    }
                    case "STOPSIGNAL" -> {
                        st.stopSignal = a.trim();
                        st.history(in, true);
                    }
                    case "RUN" -> {
                        List<String> cmd = command(a);
                        out.stream(" ---> Running in " + buildId.substring(0, 12) + "\n");
                        int code = containers.runStep(buildId, runSpec(st, rootfs, cmd, args), (stream, data) ->
                                out.stream(new String(data, StandardCharsets.UTF_8)));
                        if (code != 0) {
                            throw new KernelException(KernelException.Category.INVALID_ARGUMENT, "The command '"
                                    + String.join(" ", cmd) + "' returned a non-zero code: " + code);
                        }
                        st.history(in, false);
                    }
                    case "COPY", "ADD" -> {
                        copy(ctx, rootfs, a, st.workingDir, in.keyword());
                        st.history(in, false);
                    }
                    default -> throw new UnsupportedFeatureException("Dockerfile instruction " + in.keyword()
                            + " is not supported by jctr yet");
                }
                out.stream(" ---> Done\n");
            }
            st.labels.putAll(labels);
            String id = commit(buildId, st, work, tags.isEmpty() ? null : tags.getFirst());
            out.aux(id);
            out.stream("Successfully built " + id.substring("sha256:".length(), "sha256:".length() + 12) + "\n");
            for (String t : tags) {
                Reference r = Reference.parse(t).orLatest();
                images.tag(id, r.toString());
                out.stream("Successfully tagged " + r.familiar() + "\n");
            }
            return id;
        } finally {
            if (prepared) {
                try {
                    storage.remove(buildId);
                } catch (RuntimeException e) {
                    System.err.println("jctr: removing the build root " + buildId + ": " + e.getMessage());
                }
            }
            VolumeStore.deleteTree(work);
        }
    }

    /** What the build has accumulated: the base image and the settings of the new config. */
    private static final class State {
        final Image image;
        final ImageConfig base;
        final List<String> layers;
        List<String> env;
        List<String> cmd;
        List<String> entrypoint;
        String workingDir;
        String user;
        String stopSignal;
        final Map<String, String> labels = new LinkedHashMap<>();
        final Map<String, Object> exposedPorts = new LinkedHashMap<>();
        final Map<String, Object> volumes = new LinkedHashMap<>();
        final List<ImageConfig.History> history = new ArrayList<>();

        State(Image image, ImageConfig base, List<String> layers) {
            this.image = image;
            this.base = base;
            this.layers = layers;
            ImageConfig.ContainerConfig c = base.configOrEmpty();
            env = new ArrayList<>(c.env() == null ? List.of() : c.env());
            cmd = c.cmd();
            entrypoint = c.entrypoint();
            workingDir = c.workingDir();
            user = c.user();
            stopSignal = c.stopSignal();
            if (c.labels() != null) {
                labels.putAll(c.labels());
            }
            if (c.exposedPorts() != null) {
                exposedPorts.putAll(c.exposedPorts());
            }
            if (c.volumes() != null) {
                volumes.putAll(c.volumes());
            }
            history.addAll(base.history());
        }

        void history(Instruction in, boolean empty) {
            history.add(new ImageConfig.History(Instant.now().toString(), "/bin/sh -c #(nop) " + in.original(), null,
                    null, empty ? Boolean.TRUE : null));
        }

        ImageConfig.ContainerConfig config() {
            return new ImageConfig.ContainerConfig(user, exposedPorts.isEmpty() ? null : exposedPorts, env, entrypoint,
                    cmd, volumes.isEmpty() ? null : volumes, workingDir, labels.isEmpty() ? null : labels, stopSignal);
        }
    }

    private State from(String ref, Output out) throws IOException {
        Image image;
        try {
            image = images.store().resolve(ref);
        } catch (NotFoundException e) {
            out.stream("Pulling " + ref + "\n");
            images.pull(Reference.parse(ref).orLatest(), PullProgress.NONE);
            image = images.store().resolve(ref);
        }
        return new State(image, images.store().config(image.record()), images.unpack(image.id()));
    }

    private static Spec runSpec(State st, Path rootfs, List<String> cmd, Map<String, String> args) {
        List<String> env = new ArrayList<>(st.env);
        args.forEach((k, v) -> {
            if (env.stream().noneMatch(e -> e.startsWith(k + "="))) {
                env.add(k + "=" + v); // build arguments are in RUN's environment, as in Docker
            }
        });
        ImageConfig cfg = new ImageConfig(null, null, "amd64", "linux", null, st.config(), null, List.of());
        Spec spec = RuntimeSpecs.fromImage(cfg, rootfs.toString(), new RuntimeSpecs.Overrides(List.of(), cmd, env,
                st.workingDir, st.user, "buildkitsandbox", false, false));
        return spec.withLinux(spec.linuxOrEmpty().withSeccomp(DefaultSeccomp.profile()));
    }

    /** COPY/ADD SRC... DEST from the context into the build root, through the rooted unpacker. */
    private static void copy(Path ctx, Path rootfs, String argText, String workingDir, String keyword) throws IOException {
        List<String> parts = new ArrayList<>();
        for (String p : words(argText)) {
            if (p.startsWith("--")) {
                throw new UnsupportedFeatureException(keyword + " " + p + " is not supported by jctr yet");
            }
            parts.add(p);
        }
        if (parts.size() < 2) {
            throw new InvalidConfigException("Dockerfile", keyword, keyword + " requires at least two arguments");
        }
        String dest = parts.getLast();
        boolean destIsDir = dest.endsWith("/") || parts.size() > 2;
        String base = dest.startsWith("/") ? dest : (workingDir == null ? "/" : workingDir) + "/" + dest;
        ByteArrayOutputStream tar = new ByteArrayOutputStream();
        TarWriter w = new TarWriter(tar);
        for (String src : parts.subList(0, parts.size() - 1)) {
            if (src.contains("://")) {
                throw new UnsupportedFeatureException("ADD from a URL is not supported by jctr yet");
            }
            List<Path> matches = glob(ctx, src);
            if (matches.isEmpty()) {
                throw new NotFoundException(keyword + " failed: file not found in build context or excluded by "
                        + ".dockerignore: stat " + src + ": file does not exist");
            }
            for (Path m : matches) {
                String target;
                if (Files.isDirectory(m, LinkOption.NOFOLLOW_LINKS)) {
                    target = base;
                } else {
                    target = destIsDir || Files.isDirectory(rootfs.resolve(relative(base)), LinkOption.NOFOLLOW_LINKS)
                            ? base + "/" + m.getFileName() : base;
                }
                addTree(w, m, relative(Path.of(target).normalize().toString()));
            }
        }
        w.finish();
        new LayerUnpacker(UnpackOptions.DEFAULTS, WhiteoutStrategy.applyInPlace())
                .unpack(new ByteArrayInputStream(tar.toByteArray()), rootfs, keyword);
    }

    private static List<Path> glob(Path ctx, String src) throws IOException {
        Path p = ctx.resolve(src.startsWith("/") ? src.substring(1) : src).normalize();
        if (!p.startsWith(ctx)) {
            throw new InvalidConfigException("Dockerfile", "COPY", "forbidden path outside the build context: " + src);
        }
        if (!src.contains("*") && !src.contains("?")) {
            return Files.exists(p, LinkOption.NOFOLLOW_LINKS) ? List.of(p) : List.of();
        }
        var matcher = ctx.getFileSystem().getPathMatcher("glob:" + p);
        try (var s = Files.list(p.getParent())) {
            return s.filter(matcher::matches).sorted().toList();
        }
    }

    private static void addTree(TarWriter w, Path from, String to) throws IOException {
        Files.walkFileTree(from, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                w.write(TarEntry.directory(name(dir), mode(dir), 0, 0, Instant.now()), null);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                if (attrs.isSymbolicLink()) {
                    w.write(TarEntry.symlink(name(file), Files.readSymbolicLink(file).toString(), 0, 0, Instant.now()), null);
                } else if (attrs.isRegularFile()) {
                    try (InputStream in = Files.newInputStream(file)) {
                        w.write(TarEntry.file(name(file), mode(file), 0, 0, attrs.size(), Instant.now()), in);
                    }
                }
                return FileVisitResult.CONTINUE;
            }

            private String name(Path p) {
                String rel = from.relativize(p).toString();
                return rel.isEmpty() ? to : to + "/" + rel;
            }
        });
    }

    private static int mode(Path p) throws IOException {
        PosixFileAttributes a = Files.readAttributes(p, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        int m = 0;
        for (var perm : a.permissions()) {
            m |= 1 << (8 - perm.ordinal());
        }
        return m;
    }

    private static void mkdirs(Path rootfs, String dir) throws IOException {
        ByteArrayOutputStream tar = new ByteArrayOutputStream();
        TarWriter w = new TarWriter(tar);
        String rel = relative(dir);
        if (!rel.isEmpty()) {
            w.write(TarEntry.directory(rel, 0755, 0, 0, Instant.now()), null);
        }
        w.finish();
        new LayerUnpacker(UnpackOptions.DEFAULTS, WhiteoutStrategy.applyInPlace())
                .unpack(new ByteArrayInputStream(tar.toByteArray()), rootfs, "WORKDIR");
    }

    private static String relative(String absolute) {
        String r = absolute;
        while (r.startsWith("/")) {
            r = r.substring(1);
        }
        return r;
    }

    /**
     * The build root's changes as one layer on top of the base image's, in an OCI layout that the image store
     * imports (verifying every digest), named {@code tag}.
     */
    private String commit(String buildId, State st, Path work, String tag) throws IOException {
        Path layout = work.resolve("layout");
        Path blobs = Files.createDirectories(layout.resolve("blobs/sha256"));
        Files.writeString(layout.resolve("oci-layout"), "{\"imageLayoutVersion\":\"" + MediaTypes.OCI_LAYOUT_VERSION + "\"}");
        ImageManifest baseManifest = images.store().manifest(st.image.record());
        List<Descriptor> layers = new ArrayList<>();
        for (Descriptor d : baseManifest.layers()) {
            Files.copy(images.store().blobs().path(d.digest()), blobs.resolve(d.digest().hex()));
            layers.add(d);
        }
        List<Digest> diffIds = new ArrayList<>(st.base.diffIds());
        Path diff = work.resolve("diff.tar");
        try (OutputStream o = Files.newOutputStream(diff)) {
            storage.diff(buildId, o);
        }
        byte[] raw = Files.readAllBytes(diff);
        Digest diffId = Digest.sha256(raw);
        ByteArrayOutputStream gz = new ByteArrayOutputStream();
        try (GZIPOutputStream g = new GZIPOutputStream(gz)) {
            g.write(raw);
        }
        byte[] layer = gz.toByteArray();
        Digest layerDigest = blob(blobs, layer);
        layers.add(new Descriptor(MediaTypes.OCI_LAYER_GZIP, layerDigest, layer.length));
        diffIds.add(diffId);
        ImageConfig cfg = new ImageConfig(Instant.now().toString(), null, st.base.architecture() == null ? "amd64"
                : st.base.architecture(), st.base.os() == null ? "linux" : st.base.os(), st.base.variant(), st.config(),
                new ImageConfig.RootFs("layers", diffIds), st.history);
        byte[] config = OciJson.writeCompact(cfg);
        Digest configDigest = blob(blobs, config);
        Map<String, Object> manifest = new LinkedHashMap<>();
        manifest.put("schemaVersion", 2);
        manifest.put("mediaType", MediaTypes.OCI_MANIFEST);
        manifest.put("config", new Descriptor(MediaTypes.OCI_CONFIG, configDigest, config.length));
        manifest.put("layers", layers);
        byte[] m = OciJson.writeCompact(manifest);
        Digest md = blob(blobs, m);
        Map<String, String> annotations = tag == null ? Map.of() : Map.of(Descriptor.REF_NAME,
                Reference.parse(tag).orLatest().toString());
        Map<String, Object> index = Map.of("schemaVersion", 2, "manifests",
                List.of(new Descriptor(MediaTypes.OCI_MANIFEST, md, m.length).withAnnotations(annotations)));
        Files.write(layout.resolve("index.json"), OciJson.writeCompact(index));
        List<ImageImporter.Imported> imported = images.importPath(layout, null);
        return imported.getFirst().id().toString();
    }

    private static Digest blob(Path blobs, byte[] content) throws IOException {
        Digest d = Digest.sha256(content);
        Files.write(blobs.resolve(d.hex()), content);
        return d;
    }

    // ------------------------------------------------------------------------------------------ parsing

    /** The Dockerfile's instructions: comments dropped, continuation lines joined, keywords upper-cased. */
    static List<Instruction> parse(String text) {
        List<Instruction> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        for (String raw : text.split("\n", -1)) {
            String line = raw.stripTrailing();
            if (cur.isEmpty() && (line.isBlank() || line.stripLeading().startsWith("#"))) {
                continue;
            }
            if (!cur.isEmpty() && line.stripLeading().startsWith("#")) {
                continue;
            }
            if (line.endsWith("\\")) {
                cur.append(line, 0, line.length() - 1).append(' ');
                continue;
            }
            cur.append(line);
            String full = cur.toString().strip();
            cur.setLength(0);
            int sp = full.indexOf(' ');
            String kw = (sp < 0 ? full : full.substring(0, sp)).toUpperCase(java.util.Locale.ROOT);
            out.add(new Instruction(kw, sp < 0 ? "" : full.substring(sp + 1).strip(), full));
        }
        if (!cur.isEmpty()) {
            String full = cur.toString().strip();
            int sp = full.indexOf(' ');
            out.add(new Instruction((sp < 0 ? full : full.substring(0, sp)).toUpperCase(java.util.Locale.ROOT),
                    sp < 0 ? "" : full.substring(sp + 1).strip(), full));
        }
        return out;
    }

    /** A command in JSON form ({@code ["a", "b"]}), or in shell form run by {@code /bin/sh -c}. */
    static List<String> command(String args) {
        List<String> json = jsonArray(args);
        return json != null ? json : List.of("/bin/sh", "-c", args.strip());
    }

    /** Arguments in JSON form, or separated by white space (VOLUME, COPY). */
    static List<String> words(String args) {
        List<String> json = jsonArray(args);
        return json != null ? json : List.of(args.strip().split("\\s+"));
    }

    private static List<String> jsonArray(String args) {
        String a = args.strip();
        if (!a.startsWith("[")) {
            return null;
        }
        try {
            JsonNode n = OciJson.mapper().readTree(a);
            if (!n.isArray()) {
                return null;
            }
            List<String> out = new ArrayList<>();
            n.forEach(x -> out.add(x.asText()));
            return out;
        } catch (IOException e) {
            return null; // not JSON after all: shell form, as Docker reads it
        }
    }

    /** {@code K=V K2="v 2"} or the old {@code K V} form. */
    static Map<String, String> keyValues(String a) {
        Map<String, String> out = new LinkedHashMap<>();
        String s = a.strip();
        if (!s.contains("=") || s.indexOf(' ') > 0 && s.indexOf(' ') < s.indexOf('=')) {
            int sp = s.indexOf(' ');
            out.put(sp < 0 ? s : s.substring(0, sp), sp < 0 ? "" : s.substring(sp + 1).strip());
            return out;
        }
        Matcher m = Pattern.compile("([^\\s=]+)=(\"([^\"]*)\"|'([^']*)'|(\\S*))").matcher(s);
        while (m.find()) {
            out.put(m.group(1), m.group(3) != null ? m.group(3) : m.group(4) != null ? m.group(4) : m.group(5));
        }
        return out;
    }

    private static String unquote(String v) {
        return v.length() >= 2 && (v.startsWith("\"") && v.endsWith("\"") || v.startsWith("'") && v.endsWith("'"))
                ? v.substring(1, v.length() - 1) : v;
    }

    /** {@code $NAME} and {@code ${NAME}} from build arguments and the environment so far. */
    static String substitute(String text, Map<String, String> args, State st) {
        Map<String, String> vars = new LinkedHashMap<>(args);
        if (st != null) {
            for (String e : st.env) {
                int eq = e.indexOf('=');
                vars.put(e.substring(0, eq), e.substring(eq + 1));
            }
        }
        Matcher m = ARG_REF.matcher(text);
        StringBuilder sb = new StringBuilder();
        while (m.find()) {
            String name = m.group(1) != null ? m.group(1) : m.group(2);
            m.appendReplacement(sb, Matcher.quoteReplacement(vars.getOrDefault(name, "")));
        }
        m.appendTail(sb);
        return sb.toString();
    }
}
