package jctr.cgroup.v2;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import jctr.kernel.InvalidConfigException;
import jctr.kernel.KernelException;
import jctr.kernel.UnsupportedFeatureException;
import jctr.kernel.sys.Errno;
import jctr.kernel.sys.PosixFiles;
import jctr.kernel.sys.SyscallException;

/**
 * One cgroup v2 directory and its interface files. Files are opened for writing without O_CREAT, so a
 * missing interface file is reported as missing instead of being created (which a plain directory, such
 * as the tmpfs at /sys/fs/cgroup on a hybrid host, would allow), and each value is one write(2).
 *
 * @param path the absolute directory
 * @param cgroupPath the path relative to the hierarchy root, e.g. {@code /jctr/abc}
 */
record CgroupDir(Path path, String cgroupPath) implements CgroupView {

    boolean exists() {
        return Files.isDirectory(path);
    }

    /** Whether the interface file exists (also for write-only files such as cgroup.kill). */
    boolean has(String file) {
        return Files.exists(path.resolve(file));
    }

    @Override
    public Optional<String> read(String file) {
        try {
            return Optional.of(Files.readString(path.resolve(file)).trim());
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException("reading " + path.resolve(file), e);
        }
    }

    /** A flat-keyed file ({@code key value} per line, like memory.events) as a map; empty if missing. */
    Map<String, Long> readKeyed(String file) {
        Map<String, Long> out = new LinkedHashMap<>();
        read(file).ifPresent(text -> text.lines().forEach(line -> {
            String[] kv = line.trim().split("\\s+");
            if (kv.length == 2) {
                Checks.parseLimit(kv[1]).ifPresent(v -> out.put(kv[0], v));
            }
        }));
        return out;
    }

    /** A number file such as memory.current; {@code max} is -1; empty if missing or not a number. */
    Optional<Long> readNumber(String file) {
        return read(file).flatMap(Checks::parseLimit);
    }

    /**
     * Writes a translated setting. A missing file means this kernel or this cgroup lacks the feature
     * ({@link UnsupportedFeatureException}); a refused value names the OCI field ({@link InvalidConfigException}).
     */
    void write(Write w) {
        try {
            writeRaw(w.file(), w.value());
        } catch (SyscallException e) {
            if (missing(e)) {
                String controller = w.controller();
                throw new UnsupportedFeatureException(w.field() + ": " + w.file() + " does not exist in " + cgroupPath
                        + (controller == null ? "" : " (the " + controller + " controller is not available here"
                        + " or the kernel lacks this file)"), e);
            }
            throw new InvalidConfigException("", w.field(), "the kernel refused \"" + w.value() + "\" for "
                    + w.file() + " in " + cgroupPath + ": " + e.errnoName() + " (" + e.strerror() + ")", e);
        }
    }

    /** Writes a core file the driver manages itself (cgroup.freeze, cgroup.kill, cgroup.subtree_control). */
    void writeCore(String file, String value) {
        try {
            writeRaw(file, value);
        } catch (SyscallException e) {
            if (missing(e)) {
                throw new UnsupportedFeatureException(file + " does not exist in cgroup " + cgroupPath
                        + ": the kernel is too old for it", e);
            }
            throw new KernelException(KernelException.Category.FAILED_PRECONDITION, "writing \"" + value + "\" to "
                    + file + " of cgroup " + cgroupPath + ": " + e.errnoName() + " (" + e.strerror() + ")", e);
        }
    }

    /** rmdir(2) of this cgroup; the errno (EBUSY right after the last task exits) is in the exception. */
    void remove() {
        PosixFiles.rmdir(path);
    }

    /** The pids in this cgroup only (cgroup.procs). */
    List<Integer> procs() {
        List<Integer> pids = new ArrayList<>();
        read("cgroup.procs").ifPresent(text -> text.lines().map(String::trim).filter(s -> !s.isEmpty())
                .forEach(s -> pids.add(Integer.parseInt(s))));
        return pids;
    }

    /** Whether this cgroup or a descendant has a process (cgroup.events {@code populated 1}). */
    boolean populated() {
        return readKeyed("cgroup.events").getOrDefault("populated", 0L) != 0;
    }

    /** The child cgroups. */
    List<CgroupDir> children() {
        List<CgroupDir> out = new ArrayList<>();
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(path, Files::isDirectory)) {
            for (Path p : stream) {
                out.add(new CgroupDir(p, cgroupPath + "/" + p.getFileName()));
            }
        } catch (NoSuchFileException e) {
            return List.of();
        } catch (IOException e) {
            throw new UncheckedIOException("listing " + path, e);
        }
        return out;
    }

    private void writeRaw(String file, String value) {
        PosixFiles.writeExisting(path.resolve(file), value.getBytes(StandardCharsets.UTF_8));
    }

    private static boolean missing(SyscallException e) {
        return e.call().equals("open") && e.is(Errno.ENOENT);
    }
}
