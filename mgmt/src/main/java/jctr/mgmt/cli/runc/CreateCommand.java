package jctr.mgmt.cli.runc;

import java.nio.file.Path;

import jctr.kernel.runtime.CreateOptions;
import jctr.kernel.spi.Stdio;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code create}: sets a container up from a bundle; its program waits for {@code start}. */
@Command(name = "create", description = "Create a container from an OCI bundle; its program waits for start")
final class CreateCommand extends RuncSubcommand {

    @Option(names = {"-b", "--bundle"}, paramLabel = "DIR", description = "Bundle directory (default: the current directory)")
    Path bundle = Path.of("");

    @Option(names = "--pid-file", paramLabel = "FILE", description = "Write the init's pid here")
    Path pidFile;

    @Option(names = "--console-socket", paramLabel = "SOCKET", description = "Unix socket that receives the pty master")
    Path consoleSocket;

    @Option(names = "--no-pivot", description = "Use MS_MOVE + chroot instead of pivot_root (rootfs on a ramfs)")
    boolean noPivot;

    @Option(names = "--no-new-keyring", description = "Keep the caller's session keyring")
    boolean noNewKeyring;

    @Parameters(index = "0", paramLabel = "ID", description = "Container id")
    String id;

    @Override
    public Integer call() {
        runtime().create(id, bundle, options(pidFile, consoleSocket, noPivot, noNewKeyring, parent.systemdCgroup));
        return 0;
    }

    static CreateOptions options(Path pidFile, Path consoleSocket, boolean noPivot, boolean noNewKeyring,
                                 boolean systemdCgroup) {
        return new CreateOptions(pidFile, consoleSocket, noPivot, noNewKeyring, Stdio.inherit(), systemdCgroup);
    }
}
