package jctr.kernel.layer;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

import jctr.kernel.KernelException;

/**
 * A small key=value file (java.util.Properties format) that storage drivers keep beside a layer or
 * container, written atomically: temp file, fsync, rename.
 */
public final class MetadataFile {

    private MetadataFile() {
    }

    /** Writes {@code values} to {@code file}, replacing it atomically. */
    public static void write(Path file, Map<String, String> values) {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Properties p = new Properties();
        p.putAll(values);
        try {
            try (Writer w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
                p.store(w, null);
            }
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                ch.force(true);
            }
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException("writing " + file, e);
        }
    }

    /** The values in {@code file}. */
    public static Map<String, String> read(Path file) {
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            p.load(r);
        } catch (IOException e) {
            throw new UncheckedIOException("reading " + file, e);
        }
        Map<String, String> out = new TreeMap<>();
        p.forEach((k, v) -> out.put((String) k, (String) v));
        return out;
    }

    /** The value of {@code key}, which must be present. */
    public static String require(Map<String, String> values, String key, Path file) {
        String v = values.get(key);
        if (v == null) {
            throw new KernelException(KernelException.Category.INTERNAL, file + " has no " + key + ": damaged driver data");
        }
        return v;
    }
}
