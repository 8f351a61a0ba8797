/** Resource driver for cgroup v1 hierarchies. */
// The name follows DESIGN.md (jctr.cgroup.v1/v2); javac's style lint dislikes the trailing digit.
@SuppressWarnings("module")
module jctr.cgroup.v1 {
    requires jctr.kernel;

    provides jctr.kernel.spi.ResourceDriver with jctr.cgroup.v1.CgroupV1Driver;
}
