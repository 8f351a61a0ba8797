package jctr.mgmt.engine;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import jctr.kernel.InvalidConfigException;
import jctr.kernel.oci.Mount;
import jctr.mgmt.engine.Container.MountPoint;
import jctr.mgmt.engine.HostConfig.MountSpec;

/**
 * Docker's three ways to ask for mounts ({@code Binds} from {@code -v}, {@code Mounts} from {@code --mount},
 * {@code Tmpfs} from {@code --tmpfs}, plus anonymous volumes from {@code Config.Volumes}) resolved into
 * {@link MountPoint}s at create time, and into OCI mounts at start time.
 *
 * <p>As with Docker: {@code -v /host:/c} creates a missing host directory, {@code --mount type=bind} refuses a
 * missing source; {@code -v name:/c} and {@code --mount source=name} create the named volume on first use;
 * an empty volume mounted over image content gets a copy of it (unless {@code nocopy}).
 */
final class Mounts {

    private static final Set<String> PROPAGATIONS = Set.of("private", "rprivate", "shared", "rshared", "slave", "rslave");

    private final VolumeStore volumes;

    Mounts(VolumeStore volumes) {
        this.volumes = volumes;
    }

    /** Resolves a create request's mounts; creates the named and anonymous volumes it uses. */
    List<MountPoint> resolve(ContainerConfig config, HostConfig host) {
        Map<String, MountPoint> out = new LinkedHashMap<>();
        List<String> binds = host.bindsOrEmpty();
        for (int i = 0; i < binds.size(); i++) {
            add(out, bind(binds.get(i), "HostConfig.Binds[" + i + "]"));
        }
        List<MountSpec> mounts = host.mountsOrEmpty();
        for (int i = 0; i < mounts.size(); i++) {
            add(out, mount(mounts.get(i), "HostConfig.Mounts[" + i + "]"));
        }
        host.tmpfsOrEmpty().forEach((dest, opts) -> add(out, tmpfs(dest, opts, "HostConfig.Tmpfs")));
        if (config.volumes() != null) {
            for (String dest : config.volumes().keySet()) {
                if (!out.containsKey(clean(dest, "Config.Volumes"))) {
                    VolumeStore.Volume v = volumes.create(null, "local", Map.of(), Map.of());
                    add(out, new MountPoint("volume", v.name(), v.mountpoint(), clean(dest, "Config.Volumes"), "local", "",
                            true, "", List.of()));
                }
            }
        }
        return List.copyOf(out.values());
    }

    private static void add(Map<String, MountPoint> out, MountPoint m) {
        if (out.putIfAbsent(m.destination(), m) != null) {
            throw new InvalidConfigException("", "HostConfig", "Duplicate mount point: " + m.destination());
        }
    }

    /** {@code -v SRC:DST[:OPTS]} (also {@code -v DST} for an anonymous volume). */
    private MountPoint bind(String spec, String field) {
        String[] parts = spec.split(":");
        if (parts.length == 1) {
            VolumeStore.Volume v = volumes.create(null, "local", Map.of(), Map.of());
            return new MountPoint("volume", v.name(), v.mountpoint(), clean(parts[0], field), "local", "", true, "", List.of());
        }
        if (parts.length > 3 || parts[0].isEmpty() || parts[1].isEmpty()) {
            throw new InvalidConfigException("", field, "invalid volume specification: '" + spec + "'");
        }
        String src = parts[0];
        String dest = clean(parts[1], field);
        String mode = parts.length == 3 ? parts[2] : "";
        boolean rw = true;
        String propagation = "";
        boolean nocopy = false;
        for (String o : mode.isEmpty() ? new String[0] : mode.split(",")) {
            switch (o) {
                case "ro" -> rw = false;
                case "rw" -> rw = true;
                case "z", "Z" -> { }
                case "nocopy" -> nocopy = true;
                default -> {
                    if (!PROPAGATIONS.contains(o)) {
                        throw new InvalidConfigException("", field, "invalid mode: " + o + " in '" + spec + "'");
                    }
                    propagation = o;
                }
            }
        }
        if (src.startsWith("/")) {
            Path host = Path.of(src).normalize();
            if (!Files.exists(host)) {
                try {
                    Files.createDirectories(host); // as Docker does for -v
                } catch (IOException e) {
                    throw new InvalidConfigException("", field, "cannot create bind source " + host + ": " + e.getMessage());
                }
            }
            return new MountPoint("bind", null, host.toString(), dest, null, mode, rw,
                    propagation.isEmpty() ? "rprivate" : propagation, List.of());
        }
        if (!propagation.isEmpty()) {
            throw new InvalidConfigException("", field, "propagation mode is only for bind mounts: '" + spec + "'");
        }
        VolumeStore.Volume v = volumes.ensure(src);
        return new MountPoint("volume", v.name(), v.mountpoint(), dest, "local", mode, rw, "",
                nocopy ? List.of("nocopy") : List.of());
    }

    /** {@code --mount type=...,source=...,target=...}. */
    private MountPoint mount(MountSpec m, String field) {
        String type = m.type() == null || m.type().isEmpty() ? "volume" : m.type();
        if (m.target() == null || m.target().isEmpty()) {
            throw new InvalidConfigException("", field + ".Target", "invalid mount config: Target must not be empty");
        }
        String dest = clean(m.target(), field + ".Target");
        boolean rw = !Boolean.TRUE.equals(m.readOnly());
        return switch (type) {
            case "bind" -> {
                if (m.source() == null || m.source().isEmpty()) {
                    throw new InvalidConfigException("", field + ".Source",
                            "invalid mount config for type \"bind\": field Source must not be empty");
                }
                Path host = Path.of(m.source()).normalize();
                if (!host.isAbsolute()) {
                    throw new InvalidConfigException("", field + ".Source",
                            "invalid mount config for type \"bind\": invalid mount path: '" + m.source() + "' mount path must be absolute");
                }
                if (!Files.exists(host)) {
                    throw new InvalidConfigException("", field + ".Source",
                            "invalid mount config for type \"bind\": bind source path does not exist: " + host);
                }
                String prop = m.bindOptions() == null || m.bindOptions().propagation() == null
                        || m.bindOptions().propagation().isEmpty() ? "rprivate" : m.bindOptions().propagation();
                if (!PROPAGATIONS.contains(prop)) {
                    throw new InvalidConfigException("", field + ".BindOptions.Propagation", "invalid propagation mode: " + prop);
                }
                boolean recursive = m.bindOptions() == null || !Boolean.TRUE.equals(m.bindOptions().nonRecursive());
                yield new MountPoint("bind", null, host.toString(), dest, null, "", rw, prop,
                        recursive ? List.of() : List.of("bind"));
            }
            case "volume" -> {
                if (m.bindOptions() != null || m.tmpfsOptions() != null) {
                    throw new InvalidConfigException("", field, "invalid mount config for type \"volume\": only VolumeOptions apply");
                }
                VolumeStore.Volume v = m.source() == null || m.source().isEmpty()
                        ? volumes.create(null, "local", Map.of(), Map.of()) : volumes.ensure(m.source());
                boolean nocopy = m.volumeOptions() != null && Boolean.TRUE.equals(m.volumeOptions().noCopy());
                yield new MountPoint("volume", v.name(), v.mountpoint(), dest, "local", "z", rw, "",
                        nocopy ? List.of("nocopy") : List.of());
            }
            case "tmpfs" -> {
                if (m.source() != null && !m.source().isEmpty()) {
                    throw new InvalidConfigException("", field + ".Source", "invalid mount config for type \"tmpfs\": "
                            + "field Source must not be specified");
                }
                List<String> opts = new ArrayList<>();
                if (m.tmpfsOptions() != null && m.tmpfsOptions().sizeBytes() != null) {
                    if (m.tmpfsOptions().sizeBytes() < 0) {
                        throw new InvalidConfigException("", field + ".TmpfsOptions.SizeBytes", "must not be negative");
                    }
                    if (m.tmpfsOptions().sizeBytes() > 0) {
                        opts.add("size=" + m.tmpfsOptions().sizeBytes());
                    }
                }
                if (m.tmpfsOptions() != null && m.tmpfsOptions().mode() != null) {
                    opts.add("mode=" + Integer.toOctalString(m.tmpfsOptions().mode()));
                }
                yield new MountPoint("tmpfs", null, "", dest, null, "", rw, "", opts);
            }
            default -> throw new InvalidConfigException("", field + ".Type", "mount type unknown: " + type);
        };
    }

    /** {@code --tmpfs DST[:OPTS]}. */
    private static MountPoint tmpfs(String dest, String opts, String field) {
        List<String> o = new ArrayList<>();
        boolean rw = true;
        for (String x : opts == null || opts.isEmpty() ? new String[0] : opts.split(",")) {
            if (x.equals("ro")) {
                rw = false;
            } else if (!x.equals("rw")) {
                o.add(x);
            }
        }
        return new MountPoint("tmpfs", null, "", clean(dest, field), null, opts == null ? "" : opts, rw, "", o);
    }

    private static String clean(String dest, String field) {
        if (!dest.startsWith("/")) {
            throw new InvalidConfigException("", field, "invalid mount config: mount path must be absolute: " + dest);
        }
        String c = Path.of(dest).normalize().toString();
        if (c.equals("/")) {
            throw new InvalidConfigException("", field, "invalid specification: destination can't be '/'");
        }
        return c;
    }

    /** The OCI mounts for the container's mount points, in order (parents before children). */
    static List<Mount> oci(List<MountPoint> points) {
        List<MountPoint> sorted = new ArrayList<>(points);
        sorted.sort(java.util.Comparator.comparingInt(m -> m.destination().split("/").length));
        List<Mount> out = new ArrayList<>();
        for (MountPoint m : sorted) {
            if (m.type().equals("tmpfs")) {
                List<String> opts = new ArrayList<>(List.of("nosuid", "nodev", "noexec"));
                for (String o : m.options()) {
                    if (o.equals("exec")) {
                        opts.remove("noexec");
                    } else if (!opts.contains(o)) {
                        opts.add(o);
                    }
                }
                if (!m.rw()) {
                    opts.add("ro");
                }
                out.add(new Mount(m.destination(), "tmpfs", "tmpfs", opts, null, null));
            } else {
                List<String> opts = new ArrayList<>();
                opts.add(m.options().contains("bind") ? "bind" : "rbind");
                opts.add(m.propagation().isEmpty() ? "rprivate" : m.propagation());
                if (!m.rw()) {
                    opts.add("ro");
                }
                out.add(new Mount(m.destination(), "bind", m.source(), opts, null, null));
            }
        }
        return out;
    }

    /**
     * Docker's copy-up: a volume that is still empty gets the image's content at its mount point, so that a
     * volume over {@code /etc} starts with the image's files.
     */
    static void copyUp(List<MountPoint> points, Path rootfs) {
        for (MountPoint m : points) {
            if (!m.type().equals("volume") || m.options().contains("nocopy")) {
                continue;
            }
            Path data = Path.of(m.source());
            Path from = rootfs.resolve(m.destination().substring(1));
            try {
                if (!Files.isDirectory(from, LinkOption.NOFOLLOW_LINKS) || !isEmpty(data) || isEmpty(from)) {
                    continue;
                }
                // The image's symlinks must not lead the copy out of its root file system.
                if (!from.toRealPath().startsWith(rootfs.toRealPath())) {
                    continue;
                }
                copyTree(from, data);
            } catch (IOException e) {
                throw new UncheckedIOException("copying " + from + " into volume " + m.name(), e);
            }
        }
    }

    private static boolean isEmpty(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return true;
        }
        try (var s = Files.list(dir)) {
            return s.findAny().isEmpty();
        }
    }

    private static void copyTree(Path from, Path to) throws IOException {
        Set<Path> visited = new HashSet<>();
        Files.walkFileTree(from, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                if (!visited.add(dir)) {
                    return FileVisitResult.SKIP_SUBTREE;
                }
                Path t = to.resolve(from.relativize(dir).toString());
                if (!Files.exists(t, LinkOption.NOFOLLOW_LINKS)) {
                    Files.copy(dir, t, StandardCopyOption.COPY_ATTRIBUTES, LinkOption.NOFOLLOW_LINKS);
                }
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.copy(file, to.resolve(from.relativize(file).toString()), StandardCopyOption.COPY_ATTRIBUTES,
                        LinkOption.NOFOLLOW_LINKS);
                return FileVisitResult.CONTINUE;
            }
        });
    }
}
