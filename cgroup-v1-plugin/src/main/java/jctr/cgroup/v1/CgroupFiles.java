package jctr.cgroup.v1;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
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
import jctr.kernel.NotFoundException;
import jctr.kernel.ResourceLimitException;
import jctr.kernel.UnsupportedFeatureException;
import jctr.kernel.sys.Errno;
import jctr.kernel.sys.PosixFiles;
import jctr.kernel.sys.SyscallException;

/**
 * Reading and writing cgroup control files with plain java.nio. Each write names the
 * {@code linux.resources} field it comes from, so a value the kernel refuses becomes an error that
 * points at the config: EINVAL/ERANGE/ENODEV are the config's fault, EBUSY/ENOSPC are limits.
 */
final class CgroupFiles {

    /** What v1 files show for "no limit": PAGE_COUNTER_MAX pages of 4 KiB, or anything above. */
    static final long UNLIMITED_THRESHOLD = 0x7FFFFFFFFFFFF000L;

    private CgroupFiles() {
    }

    /** The file's content without the trailing newline. */
    static String read(Path file) {
        try {
            return Files.readString(file).strip();
        } catch (NoSuchFileException e) {
            throw new NotFoundException("cgroup file " + file + " does not exist", e);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("reading cgroup file " + file, e);
        }
    }

    static Optional<String> readIfExists(Path file) {
        try {
            return Optional.of(Files.readString(file).strip());
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("reading cgroup file " + file, e);
        }
    }

    /** A number; {@code max} and v1's "unlimited" values read as {@link Long#MAX_VALUE}, a missing file as {@code absent}. */
    static long readLong(Path file, long absent) {
        return readIfExists(file).map(CgroupFiles::parseLimit).orElse(absent);
    }

    static long parseLimit(String text) {
        if (text.equals("max")) {
            return Long.MAX_VALUE;
        }
        try {
            long v = Long.parseLong(text);
            return v >= UNLIMITED_THRESHOLD ? Long.MAX_VALUE : v;
        } catch (NumberFormatException e) {
            if (text.matches("[0-9]+")) {
                return Long.MAX_VALUE; // an unsigned 64-bit value above Long.MAX_VALUE: "unlimited" as well
            }
            throw new KernelException(KernelException.Category.INTERNAL, "expected a number in a cgroup file, got \""
                    + text + "\"", e);
        }
    }

    /** {@code key value} lines (memory.stat, cpu.stat, cpuacct.stat, pids.events), in file order. */
    static Map<String, Long> readKeyValues(Path file) {
        Map<String, Long> out = new LinkedHashMap<>();
        readIfExists(file).ifPresent(text -> text.lines().forEach(line -> {
            String[] kv = line.trim().split("\\s+");
            if (kv.length == 2) {
                try {
                    out.put(kv[0], Long.parseLong(kv[1]));
                } catch (NumberFormatException e) {
                    // a non-numeric value (none in the files read this way) is not a counter: skip it
                }
            }
        }));
        return out;
    }

    /** The numbers in a line-or-space separated list (cgroup.procs, cpuacct.usage_percpu). */
    static List<Long> readNumbers(Path file) {
        List<Long> out = new ArrayList<>();
        readIfExists(file).ifPresent(text -> {
            for (String s : text.split("\\s+")) {
                if (!s.isEmpty()) {
                    out.add(Long.parseLong(s));
                }
            }
        });
        return out;
    }

    /**
     * Writes {@code value} to an existing control file (never creates one).
     *
     * @param field the config field the value comes from, e.g. {@code linux.resources.memory.limit}, or
     *              null for files jctr writes on its own behalf (cgroup.procs, freezer.state)
     */
    static void write(Path file, String value, String field) {
        try {
            PosixFiles.writeExisting(file, value.getBytes(StandardCharsets.UTF_8));
        } catch (SyscallException e) {
            if (e.call().equals("open") && e.is(Errno.ENOENT)) {
                if (field != null) {
                    throw new UnsupportedFeatureException(field + ": this host's cgroup has no " + file.getFileName()
                            + " (" + file + ")", e);
                }
                throw new NotFoundException("cgroup file " + file + " does not exist", e);
            }
            throw failure(file, field, e, value);
        }
    }

    /** One write of a control file, with the config field it comes from. */
    record FileWrite(String file, String value, String field) {
    }

    /**
     * Writes files whose valid values depend on each other (memory limit and memory+swap limit, CFS period,
     * quota and burst): a write the kernel refuses is retried after the others, until every write went
     * through or a round makes no progress, which reports the first refusal. This finds the order the kernel
     * needs (raise the outer limit first, lower the inner one first) without reading the current values.
     */
    static void writeAll(Path dir, List<FileWrite> writes) {
        List<FileWrite> pending = writes;
        while (!pending.isEmpty()) {
            List<FileWrite> refused = new ArrayList<>();
            KernelException first = null;
            for (FileWrite w : pending) {
                try {
                    write(dir.resolve(w.file()), w.value(), w.field());
                } catch (UnsupportedFeatureException | NotFoundException e) {
                    throw e;
                } catch (KernelException e) {
                    refused.add(w);
                    first = first == null ? e : first;
                }
            }
            if (refused.size() == pending.size()) {
                throw first;
            }
            pending = refused;
        }
    }

    /** Whether the cgroup directory has the control file {@code name}. */
    static boolean has(Path dir, String name) {
        return Files.exists(dir.resolve(name));
    }

    private static KernelException failure(Path file, String field, SyscallException e, String value) {
        String what = "writing \"" + value + "\" to " + file;
        String reason = e.errnoName() + " (" + e.strerror() + ")";
        if (field != null) {
            switch (e.errno()) {
                case Errno.EINVAL, Errno.ERANGE, Errno.ENODEV, Errno.ENXIO, Errno.EOVERFLOW:
                    return new InvalidConfigException("", field, "the kernel refused it: " + what + ": " + reason, e);
                case Errno.EBUSY, Errno.ENOSPC:
                    return new ResourceLimitException(field + ": the kernel refused it: " + what + ": " + reason, e);
                default:
                    break;
            }
        }
        return e;
    }
}
