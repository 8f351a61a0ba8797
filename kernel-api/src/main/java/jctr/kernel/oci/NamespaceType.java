package jctr.kernel.oci;

import java.util.Optional;

/** The namespace types of the runtime spec, their clone flags and their /proc/PID/ns file names. */
public enum NamespaceType {
    PID("pid", 0x20000000L, "pid"),
    NETWORK("network", 0x40000000L, "net"),
    MOUNT("mount", 0x00020000L, "mnt"),
    IPC("ipc", 0x08000000L, "ipc"),
    UTS("uts", 0x04000000L, "uts"),
    USER("user", 0x10000000L, "user"),
    CGROUP("cgroup", 0x02000000L, "cgroup"),
    TIME("time", 0x00000080L, "time");

    private final String specName;
    private final long cloneFlag;
    private final String procName;

    NamespaceType(String specName, long cloneFlag, String procName) {
        this.specName = specName;
        this.cloneFlag = cloneFlag;
        this.procName = procName;
    }

    /** The name used in config.json. */
    public String specName() {
        return specName;
    }

    /** The CLONE_NEW* flag. */
    public long cloneFlag() {
        return cloneFlag;
    }

    /** The file name under /proc/PID/ns/. */
    public String procName() {
        return procName;
    }

    /** The type with this config.json name, if any. */
    public static Optional<NamespaceType> fromSpecName(String name) {
        for (NamespaceType t : values()) {
            if (t.specName.equals(name)) {
                return Optional.of(t);
            }
        }
        return Optional.empty();
    }
}
