package jctr.cgroup.v2;

import java.util.Optional;

/**
 * Read access to a cgroup's current interface files, for translations that depend on what is there:
 * an update that changes the swap limit but not the memory limit, or whether BFQ's io.bfq.weight exists.
 */
@FunctionalInterface
interface CgroupView {

    /** A cgroup that does not exist yet: every file is absent. */
    CgroupView NONE = file -> Optional.empty();

    /** The trimmed content of {@code file}, or empty if the file does not exist. */
    Optional<String> read(String file);
}
