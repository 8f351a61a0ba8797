package jctr.cgroup.v2;

/**
 * One write to a cgroup interface file, translated from an OCI setting.
 *
 * @param file the interface file, e.g. {@code memory.max}
 * @param value what to write, e.g. {@code 33554432} or {@code 8:16 wbps=1048576}
 * @param field the OCI field it came from, e.g. {@code linux.resources.memory.limit}, named in errors
 */
record Write(String file, String value, String field) {

    /** The kernel controller owning {@code file} ({@code memory} for {@code memory.max}), or null for core files. */
    String controller() {
        String prefix = file.substring(0, Math.max(0, file.indexOf('.')));
        return prefix.isEmpty() || prefix.equals("cgroup") ? null : prefix;
    }
}
