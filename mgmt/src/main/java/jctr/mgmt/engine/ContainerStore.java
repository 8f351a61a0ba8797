package jctr.mgmt.engine;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

import jctr.kernel.AlreadyExistsException;
import jctr.kernel.InvalidConfigException;
import jctr.kernel.NotFoundException;

/**
 * The engine's containers on disk ({@code <root>/<id>/container.json}, written atomically) and in memory,
 * indexed by id and by name. Lookups accept what the docker CLI accepts: the full id, the name (with or
 * without its slash) or an unambiguous id prefix.
 */
final class ContainerStore {

    private static final Pattern NAME = Pattern.compile("/?[a-zA-Z0-9][a-zA-Z0-9_.-]+");
    private static final String FILE = "container.json";

    private final Path root;
    private final Map<String, Container> byId = new ConcurrentHashMap<>();
    private final Map<String, String> idByName = new ConcurrentHashMap<>();

    ContainerStore(Path root) {
        this.root = root;
        try {
            Files.createDirectories(root);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + root, e);
        }
        load();
    }

    private void load() {
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(root)) {
            for (Path d : ds) {
                Path f = d.resolve(FILE);
                if (!Files.isRegularFile(f)) {
                    continue;
                }
                try {
                    Container c = DockerJson.mapper().readValue(f.toFile(), Container.class);
                    byId.put(c.id(), c);
                    idByName.put(c.name(), c.id());
                } catch (IOException e) {
                    System.err.println("jctr: skipping unreadable container record " + f + ": " + e.getMessage());
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("listing " + root, e);
        }
    }

    /** The directory of a container's files (record, log). */
    Path dir(String id) {
        return root.resolve(id);
    }

    /** Where the container's json-file log lives. */
    Path logPath(String id) {
        return dir(id).resolve(id + "-json.log");
    }

    /** Checks and normalizes a requested name to {@code /name}. */
    static String checkName(String name) {
        if (!NAME.matcher(name).matches()) {
            throw new InvalidConfigException("", "name", "Invalid container name (" + name
                    + "), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed");
        }
        return name.startsWith("/") ? name : "/" + name;
    }

    /**
     * Adds a new container, reserving its name.
     *
     * @throws AlreadyExistsException if the name is taken (the API answers 409)
     */
    synchronized void add(Container c) {
        String owner = idByName.get(c.name());
        if (owner != null) {
            throw new AlreadyExistsException("Conflict. The container name \"" + c.name() + "\" is already in use by "
                    + "container \"" + owner + "\". You have to remove (or rename) that container to be able to reuse "
                    + "that name.");
        }
        try {
            Files.createDirectories(dir(c.id()));
        } catch (IOException e) {
            throw new UncheckedIOException("creating " + dir(c.id()), e);
        }
        write(c);
        byId.put(c.id(), c);
        idByName.put(c.name(), c.id());
    }

    /** Saves a changed container (same id; a changed name moves the name reservation). */
    synchronized void save(Container c) {
        Container old = byId.get(c.id());
        if (old == null) {
            throw new NotFoundException("No such container: " + c.id());
        }
        if (!old.name().equals(c.name())) {
            String owner = idByName.get(c.name());
            if (owner != null && !owner.equals(c.id())) {
                throw new AlreadyExistsException("Conflict. The container name \"" + c.name()
                        + "\" is already in use by container \"" + owner + "\".");
            }
        }
        write(c);
        byId.put(c.id(), c);
        if (!old.name().equals(c.name())) {
            idByName.remove(old.name());
            idByName.put(c.name(), c.id());
        }
    }

    /** Forgets a container and deletes its directory (log included). */
    synchronized void remove(String id) {
        Container c = byId.remove(id);
        if (c != null) {
            idByName.remove(c.name(), id);
        }
        VolumeStore.deleteTree(dir(id));
    }

    /** The container a reference names: full id, name, or unambiguous id prefix. */
    Container resolve(String ref) {
        if (ref == null || ref.isEmpty()) {
            throw new NotFoundException("No such container: " + ref);
        }
        Container c = byId.get(ref);
        if (c != null) {
            return c;
        }
        String id = idByName.get(ref.startsWith("/") ? ref : "/" + ref);
        if (id != null && byId.containsKey(id)) {
            return byId.get(id);
        }
        List<Container> matches = new ArrayList<>();
        for (Container x : byId.values()) {
            if (x.id().startsWith(ref)) {
                matches.add(x);
            }
        }
        if (matches.size() == 1) {
            return matches.getFirst();
        }
        if (matches.size() > 1) {
            throw new InvalidConfigException("", "container", "multiple IDs found with provided prefix: " + ref);
        }
        throw new NotFoundException("No such container: " + ref);
    }

    /** The container with this exact id, or null. */
    Container get(String id) {
        return byId.get(id);
    }

    /** Every container, newest first. */
    List<Container> all() {
        List<Container> out = new ArrayList<>(byId.values());
        out.sort(Comparator.comparing(Container::created).reversed());
        return out;
    }

    Collection<Container> values() {
        return byId.values();
    }

    private void write(Container c) {
        Path target = dir(c.id()).resolve(FILE);
        Path tmp = target.resolveSibling(FILE + ".tmp");
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                    StandardOpenOption.WRITE)) {
                java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(DockerJson.write(c));
                while (b.hasRemaining()) {
                    ch.write(b);
                }
                ch.force(true);
            }
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException("saving container " + c.id(), e);
        }
    }
}
