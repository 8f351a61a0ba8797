/** Resource driver for the cgroup v2 unified hierarchy. */
// The name follows DESIGN.md (jctr.cgroup.v1/v2); javac's style lint dislikes the trailing digit.
@SuppressWarnings("module")
module jctr.cgroup.v2 {
    requires jctr.kernel;

    provides jctr.kernel.spi.ResourceDriver with jctr.cgroup.v2.CgroupV2Driver;
}
