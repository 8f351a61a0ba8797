package jctr.ns;

import java.nio.file.Path;
import java.util.Map;

import jctr.kernel.host.HostInfo;
import jctr.kernel.oci.OciJson;
import jctr.kernel.spi.DriverContext;
import jctr.kernel.spi.IsolatedProcess;

/** Run in a separate JVM by {@link CrossProcessIT}: starts a container from its persisted record (args: state root, JSON). */
public final class StartMain {

    private StartMain() {
    }

    public static void main(String[] args) {
        NamespaceIsolationDriver driver = new NamespaceIsolationDriver();
        driver.initialize(new DriverContext(Path.of(args[0]), Path.of(args[0]), Map.of(), HostInfo.detect()));
        driver.start(OciJson.parse("record", args[1], IsolatedProcess.class, true));
    }
}
