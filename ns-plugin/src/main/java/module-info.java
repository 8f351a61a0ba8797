/** Isolation driver: namespaces, mounts, pivot_root, devices, capabilities, seccomp; the native launcher. */
module jctr.ns {
    requires jctr.kernel;

    provides jctr.kernel.spi.IsolationDriver with jctr.ns.NamespaceIsolationDriver;
}
