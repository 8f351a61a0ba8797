package jctr.ns;

import java.nio.file.Path;
import java.util.Map;

import jctr.kernel.host.HostInfo;
import jctr.kernel.oci.OciJson;
import jctr.kernel.spi.DriverContext;
import jctr.kernel.spi.IsolatedProcess;
import jctr.kernel.spi.IsolationRequest;
import jctr.kernel.spi.Stdio;

/**
 * Run in a separate JVM by {@link CrossProcessIT}: creates a container with /dev/null stdio (args: rootfs, state root,
 * container id, program args...), prints the persisted record as JSON and exits, as {@code jctr-runc create} does.
 */
public final class CreateMain {

    private CreateMain() {
    }

    public static void main(String[] args) {
        Path rootfs = Path.of(args[0]);
        Path stateRoot = Path.of(args[1]);
        String id = args[2];
        String[] program = java.util.Arrays.copyOfRange(args, 3, args.length);
        NamespaceIsolationDriver driver = new NamespaceIsolationDriver();
        driver.initialize(new DriverContext(stateRoot, stateRoot, Map.of(), HostInfo.detect()));
        IsolatedProcess p = driver.create(new IsolationRequest(id, TestSpecs.spec(rootfs.toString(), program),
                rootfs.getParent(), stateRoot.resolve(id), null, new Stdio.Files(null, null, null), null));
        System.out.println(new String(OciJson.writeCompact(p), java.nio.charset.StandardCharsets.UTF_8));
    }
}
