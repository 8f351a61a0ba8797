package jctr.cgroup.v1;

import java.util.List;

/** Every v1 controller the driver knows, in the order settings are applied. */
final class Controllers {

    static final List<Controller> ALL = List.of(
            new CpusetController(),
            new MemoryController(),
            new CpuController(),
            new CpuacctController(),
            new PidsController(),
            new BlkioController(),
            new HugetlbController(),
            new DevicesController(),
            new FreezerController(),
            new NetClsController(),
            new NetPrioController(),
            new RdmaController());

    /** The controllers a host must mount for the driver to be usable (see the probe). */
    static final List<String> REQUIRED = List.of("cpu", "cpuacct", "memory", "pids", "freezer", "devices");

    private Controllers() {
    }
}
