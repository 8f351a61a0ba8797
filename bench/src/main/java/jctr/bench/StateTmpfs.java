package jctr.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A tmpfs for the runtimes' state roots. On a standard host /run is a tmpfs, and jctr's default state root
 * (/run/jctr), runc's (/run/runc) and crun's live there; on this machine /run is on the root disk, where
 * jctr's durable state writes (temp file, fsync, rename: about 14 fsyncs of 1-2 ms per container lifecycle,
 * measured with strace) would be timed but runc's unsynced writes would not. Every runtime's state root is
 * therefore on one of these mounts (source name {@value #SOURCE}, which bench/run.sh unmounts if an interrupted
 * run left one).
 */
final class StateTmpfs {

    static final String SOURCE = "jctr-bench-state";

    private StateTmpfs() {
    }

    /** Mounts a tmpfs on {@code dir} (created if missing) and returns {@code dir}. */
    static Path mount(Path dir) {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Subprocess.run(List.of("mount", "-t", "tmpfs", "-o", "mode=0711,size=1g", SOURCE, dir.toString()));
        return dir;
    }

    /** Unmounts the tmpfs on {@code dir} (lazily: a process still inside cannot keep it). */
    static void unmount(Path dir) {
        Subprocess.run(List.of("umount", "--lazy", dir.toString()));
    }
}
