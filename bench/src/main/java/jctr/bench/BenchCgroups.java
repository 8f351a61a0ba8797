package jctr.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The cgroup parent of one benchmark JVM, {@code /jctr-test/jctr-bench-<pid>} in every hierarchy (the only place
 * this machine lets tests make cgroups). Made before the first container and kept until the end: other test runs
 * on the machine remove an empty {@code /jctr-test} when they finish, and a runtime that met {@code /jctr-test}
 * an instant before it vanished would fail to make its container's cgroup below it. Each runtime removes its own
 * container's cgroup; {@link #remove} removes the parent.
 */
final class BenchCgroups {

    private static boolean created;

    private BenchCgroups() {
    }

    /** Makes the parent once per JVM, and removes it when the JVM exits. */
    static synchronized void ensure() {
        if (!created) {
            create();
            Runtime.getRuntime().addShutdownHook(new Thread(BenchCgroups::remove, "jctr-bench-cgroups"));
            created = true;
        }
    }

    /** The cgroupsPath prefix of this JVM's containers. */
    static String parent() {
        return "/jctr-test/jctr-bench-" + ProcessHandle.current().pid();
    }

    /** Makes the parent in every mounted hierarchy (cpuset's with its parent's CPUs and memory nodes). */
    static void create() {
        for (Path root : hierarchies()) {
            for (int attempt = 0; ; attempt++) {
                try {
                    Path dir = root;
                    for (String name : parent().substring(1).split("/")) {
                        dir = dir.resolve(name);
                        try {
                            Files.createDirectory(dir);
                        } catch (FileAlreadyExistsException e) {
                            continue;
                        }
                        for (String f : List.of("cpuset.cpus", "cpuset.mems")) {
                            Path file = dir.resolve(f);
                            if (Files.exists(file) && Files.readString(file).isBlank()) {
                                Files.writeString(file, Files.readString(dir.getParent().resolve(f)).strip());
                            }
                        }
                    }
                    break;
                } catch (NoSuchFileException e) {
                    if (attempt == 5) {
                        throw new UncheckedIOException("making " + parent() + " under " + root, e);
                    }
                    // /jctr-test was removed by another test run while we were below it: make it again
                } catch (IOException e) {
                    throw new UncheckedIOException("making " + parent() + " under " + root, e);
                }
            }
        }
    }

    /** Removes the parent wherever it is empty (a leaf left inside it is reported, not removed). */
    static void remove() {
        for (Path root : hierarchies()) {
            Path dir = root.resolve(parent().substring(1));
            try {
                Files.deleteIfExists(dir);
            } catch (IOException e) {
                System.err.println("bench: cannot remove " + dir + ": " + e);
            }
        }
    }

    /** The mount points of every cgroup v1 hierarchy and of cgroup2. */
    private static Set<Path> hierarchies() {
        Set<Path> out = new LinkedHashSet<>();
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/mounts"))) {
                String[] f = line.split(" ");
                if (f.length > 2 && (f[2].equals("cgroup") || f[2].equals("cgroup2"))) {
                    out.add(Path.of(f[1]));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }
}
