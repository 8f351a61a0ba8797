package jctr.cgroup.v2;

import java.util.List;

import jctr.kernel.oci.LinuxResources;

/**
 * One group of {@code linux.resources} settings and how cgroup v2 expresses them as interface-file writes.
 * Implementations are pure: they read nothing but {@code current}, and only validate and translate.
 * The driver writes the result, enables the kernel controllers the files belong to, and reports errors
 * with the {@link Write#field()} of the write that failed.
 */
interface Controller {

    /**
     * Validates this controller's part of {@code resources} and translates it into writes, in the order
     * they must happen. Settings that are null (or 0 where runc treats 0 as unset) produce no write.
     *
     * @param current the cgroup's present files ({@link CgroupView#NONE} before it exists)
     * @throws jctr.kernel.InvalidConfigException naming the field of an invalid value
     * @throws jctr.kernel.UnsupportedFeatureException for a setting cgroup v2 cannot express
     */
    List<Write> translate(LinuxResources resources, CgroupView current);
}
