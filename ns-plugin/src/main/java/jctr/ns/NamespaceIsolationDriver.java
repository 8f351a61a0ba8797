package jctr.ns;

import jctr.kernel.UnsupportedFeatureException;
import jctr.kernel.spi.DriverContext;
import jctr.kernel.spi.ExecRequest;
import jctr.kernel.spi.IsolatedProcess;
import jctr.kernel.spi.IsolationDriver;
import jctr.kernel.spi.IsolationRequest;
import jctr.kernel.spi.ProbeResult;

/** Isolation with Linux namespaces. Skeleton until issue #3 lands: its probe says so. */
public final class NamespaceIsolationDriver implements IsolationDriver {

    @Override
    public String name() {
        return "namespaces";
    }

    @Override
    public String description() {
        return "Linux namespaces, pivot_root, capabilities and seccomp via a native launch stage";
    }

    @Override
    public int autoPriority() {
        return 100;
    }

    @Override
    public ProbeResult probe(DriverContext context) {
        return ProbeResult.unavailable("not implemented yet (issue #3)");
    }

    @Override
    public IsolatedProcess create(IsolationRequest request) {
        throw new UnsupportedFeatureException("the namespaces driver is not implemented yet");
    }

    @Override
    public void start(IsolatedProcess process) {
        throw new UnsupportedFeatureException("the namespaces driver is not implemented yet");
    }

    @Override
    public IsolatedProcess exec(IsolatedProcess target, ExecRequest request) {
        throw new UnsupportedFeatureException("the namespaces driver is not implemented yet");
    }
}
