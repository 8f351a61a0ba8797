package jctr.kernel.image;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Optional;

import jctr.kernel.ResourceLimitException;

/**
 * Reads files of a container root file system from the host without letting the image's symlinks lead
 * out of it: the path is resolved component by component, symlinks are followed relative to the rootfs
 * (an absolute target restarts at the rootfs, {@code ..} stops at it), as if the process were chrooted.
 * (The same contract as openat2's {@code RESOLVE_IN_ROOT}, in plain Java: there is a race if the rootfs
 * changes meanwhile, which is fine for reading a not-yet-started container's /etc/passwd.)
 */
final class RootedFiles {

    private static final int MAX_SYMLINKS = 40;

    private RootedFiles() {
    }

    /**
     * The content of {@code path} (absolute, inside {@code root}), or empty when it does not exist or is not a
     * regular file.
     *
     * @throws ResourceLimitException if the file is larger than {@code limit} bytes
     */
    static Optional<byte[]> read(Path root, String path, int limit) {
        Optional<Path> resolved = resolve(root, path);
        if (resolved.isEmpty() || !Files.isRegularFile(resolved.get(), LinkOption.NOFOLLOW_LINKS)) {
            return Optional.empty();
        }
        try (InputStream in = Files.newInputStream(resolved.get(), LinkOption.NOFOLLOW_LINKS)) {
            byte[] b = in.readNBytes(limit + 1);
            if (b.length > limit) {
                throw new ResourceLimitException(path + " in the container is larger than " + limit + " bytes");
            }
            return Optional.of(b);
        } catch (IOException e) {
            throw new UncheckedIOException("reading " + path + " in " + root, e);
        }
    }

    /** The host path {@code path} resolves to inside {@code root} (the last component not followed if missing). */
    static Optional<Path> resolve(Path root, String path) {
        Deque<String> todo = new ArrayDeque<>();
        push(todo, path);
        Deque<String> done = new ArrayDeque<>();
        int links = 0;
        while (!todo.isEmpty()) {
            String c = todo.pop();
            if (c.isEmpty() || c.equals(".")) {
                continue;
            }
            if (c.equals("..")) {
                done.pollLast();
                continue;
            }
            Path candidate = join(root, done).resolve(c);
            if (Files.isSymbolicLink(candidate)) {
                if (++links > MAX_SYMLINKS) {
                    return Optional.empty(); // ELOOP
                }
                String target;
                try {
                    target = Files.readSymbolicLink(candidate).toString();
                } catch (IOException e) {
                    return Optional.empty();
                }
                if (target.startsWith("/")) {
                    done.clear();
                }
                push(todo, target);
                continue;
            }
            if (!Files.exists(candidate, LinkOption.NOFOLLOW_LINKS)) {
                return todo.isEmpty() ? Optional.of(candidate) : Optional.empty();
            }
            done.addLast(c);
        }
        return Optional.of(join(root, done));
    }

    private static void push(Deque<String> todo, String path) {
        String[] parts = path.split("/");
        for (int i = parts.length - 1; i >= 0; i--) {
            todo.push(parts[i]);
        }
    }

    private static Path join(Path root, Deque<String> components) {
        Path p = root;
        for (String c : components) {
            p = p.resolve(c);
        }
        return p;
    }
}
