package jctr.cgroup.v1;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;

import jctr.kernel.KernelException;
import jctr.kernel.sys.Errno;
import jctr.kernel.sys.PosixFiles;
import jctr.kernel.sys.Processes;
import jctr.kernel.sys.Signals;
import jctr.kernel.sys.SyscallException;

/** A cgroup with its sub-cgroups: the processes in it, killing them, and removing the directories. */
final class CgroupTree {

    private CgroupTree() {
    }

    /** {@code dir} and every cgroup below it, children before their parents (the order rmdir needs). */
    static List<Path> postOrder(Path dir) {
        List<Path> out = new ArrayList<>();
        collect(dir, out);
        return out;
    }

    private static void collect(Path dir, List<Path> out) {
        int links = links(dir);
        if (links < 0) {
            return;
        }
        if (links != 2) {
            try (DirectoryStream<Path> children = Files.newDirectoryStream(dir, Files::isDirectory)) {
                for (Path child : children) {
                    collect(child, out);
                }
            } catch (NoSuchFileException e) {
                return;
            } catch (IOException e) {
                throw new KernelException(KernelException.Category.INTERNAL, "listing cgroup " + dir + ": " + e, e);
            }
        }
        out.add(dir);
    }

    /**
     * The link count of directory {@code dir}, -1 when it does not exist. It is 2 + the number of its
     * subdirectories (kernfs keeps it so, as most file systems do): a leaf, the usual container cgroup, needs
     * no listing, which would stat every control file in it.
     */
    static int links(Path dir) {
        try {
            return (Integer) Files.getAttribute(dir, "unix:nlink");
        } catch (NoSuchFileException e) {
            return -1;
        } catch (IOException e) {
            throw new KernelException(KernelException.Category.INTERNAL, "reading cgroup " + dir + ": " + e, e);
        }
    }

    /** The pids in the cgroups below and at each of {@code dirs}, sorted, each once. */
    static List<Integer> pids(Collection<Path> dirs) {
        TreeSet<Integer> pids = new TreeSet<>();
        for (Path dir : dirs) {
            for (Path cgroup : postOrder(dir)) {
                for (long pid : CgroupFiles.readNumbers(cgroup.resolve("cgroup.procs"))) {
                    pids.add((int) pid);
                }
            }
        }
        return List.copyOf(pids);
    }

    /**
     * Removes the cgroup's directories {@code allDirs} (missing ones count as removed): those that hold no process
     * and no sub-cgroup at once, the others after SIGKILLing every process in them until none is left, children
     * before parents.
     *
     * @param freezerDir the cgroup's freezer directory, if any: it is thawed first (frozen tasks cannot die),
     *                   and frozen around each round of signals so that no listed pid can exit and be
     *                   reused by an unrelated process before its signal arrives
     * @throws KernelException TIMEOUT when processes survive or a directory stays busy past {@code timeout}
     */
    static void killAndRemove(Collection<Path> allDirs, Optional<Path> freezerDir, Duration timeout) {
        List<Path> dirs = removeEmpty(allDirs, freezerDir);
        if (dirs.isEmpty()) {
            return;
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        Optional<Path> freezer = freezerDir.filter(Files::isDirectory);
        if (freezer.isPresent() && FreezerController.isFrozen(freezer.get())) {
            FreezerController.thaw(freezer.get(), timeout);
        }
        Waits.Backoff backoff = new Waits.Backoff(Duration.ofMillis(100));
        for (List<Integer> pids = pids(dirs); !pids.isEmpty(); pids = pids(dirs)) {
            if (System.nanoTime() - deadline > 0) {
                throw new KernelException(KernelException.Category.TIMEOUT, "processes " + pids + " of cgroup "
                        + dirs + " survived SIGKILL for " + timeout.toMillis() + " ms");
            }
            killAll(pids, freezer);
            backoff.pause("waiting for killed processes to leave " + dirs);
        }
        for (Path dir : dirs) {
            for (Path cgroup : postOrder(dir)) {
                removeDir(cgroup, deadline, timeout);
            }
        }
    }

    /**
     * The usual case first: once a container's processes have exited, one rmdir per hierarchy removes it (the
     * kernel refuses with EBUSY while a task or a sub-cgroup is in a directory). Returns the directories left,
     * from the first that could not be removed on; the freezer's is tried last, so that it is still there to
     * freeze whatever processes the others hold. A directory already gone counts as removed.
     */
    private static List<Path> removeEmpty(Collection<Path> dirs, Optional<Path> freezerDir) {
        List<Path> order = new ArrayList<>(dirs);
        if (freezerDir.isPresent() && order.remove(freezerDir.get())) {
            order.add(freezerDir.get());
        }
        for (int i = 0; i < order.size(); i++) {
            try {
                PosixFiles.rmdir(order.get(i));
            } catch (SyscallException e) {
                if (!e.is(Errno.ENOENT)) {
                    return order.subList(i, order.size());
                }
            }
        }
        return List.of();
    }

    private static void killAll(List<Integer> pids, Optional<Path> freezer) {
        boolean frozen = false;
        if (freezer.isPresent()) {
            try {
                FreezerController.freeze(freezer.get(), Duration.ofSeconds(1));
                frozen = true;
            } catch (KernelException e) {
                // a task that cannot be frozen: signal without the freeze, the next round sees what is left
            }
        }
        try {
            for (int pid : pids) {
                try {
                    Processes.kill(pid, Signals.SIGKILL);
                } catch (SyscallException e) {
                    if (!e.is(Errno.ESRCH)) {
                        throw e;
                    }
                }
            }
        } finally {
            if (frozen) {
                FreezerController.thaw(freezer.get(), Duration.ofSeconds(5));
            }
        }
    }

    /**
     * rmdir, retried while the kernel says EBUSY: a cgroup stays busy for a moment after its last task
     * exits. A directory that is already gone counts as removed.
     */
    static void removeDir(Path dir, long deadline, Duration timeout) {
        Waits.Backoff backoff = new Waits.Backoff(Duration.ofMillis(100));
        while (true) {
            try {
                PosixFiles.rmdir(dir);
                return;
            } catch (SyscallException e) {
                if (e.is(Errno.ENOENT)) {
                    return;
                }
                if (e.is(Errno.ENOTEMPTY)) {
                    throw new KernelException(KernelException.Category.FAILED_PRECONDITION, "cannot remove " + dir
                            + ": it holds files that are not cgroup control files (is it really a cgroup?)", e);
                }
                if (!e.is(Errno.EBUSY)) {
                    throw e;
                }
                if (System.nanoTime() - deadline > 0) {
                    throw new KernelException(KernelException.Category.TIMEOUT, "cgroup " + dir + " could not be removed within "
                            + timeout.toMillis() + " ms: " + e.errnoName() + " (" + e.strerror() + "); processes still in it: "
                            + CgroupFiles.readIfExists(dir.resolve("cgroup.procs")).orElse("?"), e);
                }
            }
            backoff.pause("removing cgroup " + dir);
        }
    }
}
