package jctr.mgmt.engine;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import jctr.kernel.InvalidConfigException;
import jctr.kernel.NotFoundException;

/**
 * Named volumes of the {@code local} driver: a directory {@code <root>/<name>/_data} that containers
 * mount, and {@code <root>/<name>/volume.json} with its metadata. Volumes outlive containers; removing
 * one that a container (running or not) refers to is refused.
 *
 * <p>Which containers use a volume is not stored here: the container store answers it
 * ({@link #setUsers}), so there is one source of truth. Callers that create a container hold
 * {@link #lock()} while they resolve its volumes and save it, so that a concurrent {@code rm} cannot
 * remove a volume between the two.
 */
public final class VolumeStore {

    /** Docker's rule for volume names. */
    private static final Pattern NAME = Pattern.compile("[a-zA-Z0-9][a-zA-Z0-9_.-]+");
    private static final String META = "volume.json";
    /** Docker's label marking a volume created without a name (prune removes only those by default). */
    public static final String ANONYMOUS_LABEL = "com.docker.volume.anonymous";

    /**
     * A volume's metadata as persisted and as the API shows it.
     *
     * @param name the name
     * @param driver always {@code local}
     * @param mountpoint the host directory containers mount
     * @param createdAt creation time (seconds precision, as Docker shows it)
     * @param labels user labels
     * @param options driver options (none are supported by this driver yet)
     * @param scope always {@code local}
     */
    public record Volume(String name, String driver, String mountpoint, Instant createdAt, Map<String, String> labels,
                         Map<String, String> options, String scope) {
        public Volume {
            labels = labels == null ? Map.of() : Map.copyOf(labels);
            options = options == null ? Map.of() : Map.copyOf(options);
        }

        /** Whether the volume was created without a name (for a container's anonymous mount). */
        @com.fasterxml.jackson.annotation.JsonIgnore
        public boolean anonymous() {
            return labels.containsKey(ANONYMOUS_LABEL);
        }
    }

    /** What {@link #prune} removed. */
    public record PruneReport(List<String> volumesDeleted, long spaceReclaimed) {
    }

    private final Path root;
    private final EventBus events;
    private final Object lock = new Object();
    private volatile Function<String, Set<String>> users = name -> Set.of();

    VolumeStore(Path root, EventBus events) {
        this.root = root;
        this.events = events;
        try {
            Files.createDirectories(root);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + root, e);
        }
    }

    /** Tells the store how to find the ids of the containers that use a volume. */
    void setUsers(Function<String, Set<String>> users) {
        this.users = users;
    }

    /** The monitor to hold while resolving a container's volumes and saving the container. */
    Object lock() {
        return lock;
    }

    /** The directory of the volume {@code name} (it may not exist). */
    Path dir(String name) {
        return root.resolve(name);
    }

    /**
     * Creates a volume; creating one that exists returns it unchanged, as Docker does.
     *
     * @param name the name, or null/empty for a random (anonymous) one
     * @param driver null or {@code local}
     */
    public Volume create(String name, String driver, Map<String, String> labels, Map<String, String> options) {
        if (driver != null && !driver.isEmpty() && !driver.equals("local")) {
            throw new NotFoundException("error looking up volume plugin " + driver + ": plugin \"" + driver
                    + "\" not found");
        }
        if (options != null && !options.isEmpty()) {
            throw new InvalidConfigException("", "DriverOpts", "the local volume driver of jctr takes no options yet: "
                    + String.join(", ", new TreeMap<>(options).keySet()));
        }
        boolean anonymous = name == null || name.isEmpty();
        String actual = anonymous ? Ids.random() : checkName(name);
        synchronized (lock) {
            Volume existing = find(actual);
            if (existing != null) {
                return existing;
            }
            Map<String, String> allLabels = new TreeMap<>(labels == null ? Map.of() : labels);
            if (anonymous) {
                allLabels.put(ANONYMOUS_LABEL, "");
            }
            Volume v = new Volume(actual, "local", dir(actual).resolve("_data").toString(),
                    Instant.now().truncatedTo(ChronoUnit.SECONDS), allLabels, Map.of(), "local");
            Path tmp = root.resolve(".creating-" + actual + "-" + Long.toHexString(ThreadLocalRandom.current().nextLong()));
            try {
                Files.createDirectories(tmp.resolve("_data"));
                writeFile(tmp.resolve(META), DockerJson.write(v));
                Files.move(tmp, dir(actual), StandardCopyOption.ATOMIC_MOVE);
            } catch (IOException e) {
                deleteTree(tmp);
                throw new UncheckedIOException("creating volume " + actual, e);
            }
            events.publish("volume", "create", actual, Map.of("driver", "local"));
            return v;
        }
    }

    /**
     * The volume {@code name}, created with default settings if missing (a container's {@code -v name:/path}).
     */
    Volume ensure(String name) {
        synchronized (lock) {
            Volume v = find(checkName(name));
            return v != null ? v : create(name, "local", Map.of(), Map.of());
        }
    }

    /** The volume or a 404-style error. */
    public Volume inspect(String name) {
        Volume v = find(name);
        if (v == null) {
            throw new NotFoundException("get " + name + ": no such volume");
        }
        return v;
    }

    /** The volume or null. */
    public Volume find(String name) {
        if (name == null || !NAME.matcher(name).matches()) {
            return null;
        }
        Path meta = dir(name).resolve(META);
        if (!Files.isRegularFile(meta, LinkOption.NOFOLLOW_LINKS)) {
            return null;
        }
        try {
            return DockerJson.mapper().readValue(meta.toFile(), Volume.class);
        } catch (IOException e) {
            throw new UncheckedIOException("reading " + meta, e);
        }
    }

    /** Every volume {@code filter} accepts, by name. */
    public List<Volume> list(Predicate<Volume> filter) {
        List<Volume> out = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(root, p -> !p.getFileName().toString().startsWith("."))) {
            for (Path p : ds) {
                Volume v = find(p.getFileName().toString());
                if (v != null && filter.test(v)) {
                    out.add(v);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("listing " + root, e);
        }
        out.sort(Comparator.comparing(Volume::name));
        return out;
    }

    /** Ids of the containers that refer to the volume. */
    public Set<String> usedBy(String name) {
        return users.apply(name);
    }

    /**
     * Removes a volume and its data.
     *
     * @param force also succeed when the volume does not exist
     * @throws ConflictException if a container uses it
     */
    public void remove(String name, boolean force) {
        synchronized (lock) {
            Volume v = find(name);
            if (v == null) {
                if (force) {
                    return;
                }
                throw new NotFoundException("get " + name + ": no such volume");
            }
            Set<String> using = usedBy(name);
            if (!using.isEmpty()) {
                throw new ConflictException("remove " + name + ": volume is in use - " + List.copyOf(using));
            }
            Path trash = root.resolve(".removing-" + name + "-" + Long.toHexString(ThreadLocalRandom.current().nextLong()));
            try {
                Files.move(dir(name), trash, StandardCopyOption.ATOMIC_MOVE);
            } catch (IOException e) {
                throw new UncheckedIOException("removing volume " + name, e);
            }
            deleteTree(trash);
            events.publish("volume", "destroy", name, Map.of("driver", "local"));
        }
    }

    /**
     * Removes unused volumes that {@code filter} accepts (Docker: anonymous ones unless {@code all}).
     */
    public PruneReport prune(Predicate<Volume> filter) {
        synchronized (lock) {
            List<String> deleted = new ArrayList<>();
            long space = 0;
            for (Volume v : list(filter)) {
                if (!usedBy(v.name()).isEmpty()) {
                    continue;
                }
                long size = size(v.name());
                remove(v.name(), true);
                deleted.add(v.name());
                space += size;
            }
            return new PruneReport(deleted, space);
        }
    }

    /** Bytes used by the volume's data ({@code docker system df -v}). */
    public long size(String name) {
        long[] total = {0};
        try {
            Files.walkFileTree(dir(name).resolve("_data"), new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                    total[0] += attrs.size();
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFileFailed(Path file, IOException exc) {
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            return -1;
        }
        return total[0];
    }

    /** Removes what an interrupted create or remove left behind. */
    void recover() {
        try (Stream<Path> s = Files.list(root)) {
            for (Path p : s.toList()) {
                String n = p.getFileName().toString();
                if (n.startsWith(".creating-") || n.startsWith(".removing-")) {
                    deleteTree(p);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("listing " + root, e);
        }
    }

    static String checkName(String name) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new InvalidConfigException("", "Name", "create " + name + ": \"" + name + "\" includes invalid "
                    + "characters for a local volume name, only \"[a-zA-Z0-9][a-zA-Z0-9_.-]\" are allowed. If you "
                    + "intended to pass a host directory, use absolute path");
        }
        return name;
    }

    private static void writeFile(Path file, byte[] content) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            ch.write(java.nio.ByteBuffer.wrap(content));
            ch.force(true);
        }
    }

    static void deleteTree(Path dir) {
        if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try {
            Files.walkFileTree(dir, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    Files.delete(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path d, IOException exc) throws IOException {
                    Files.delete(d);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException("removing " + dir, e);
        }
    }
}
