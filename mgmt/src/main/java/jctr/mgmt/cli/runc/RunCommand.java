package jctr.mgmt.cli.runc;

import java.nio.file.Path;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code run}: create + start + wait + delete; exits with the program's status (128 + signal when killed). */
@Command(name = "run", description = "Create and start a container, wait for it, delete it; exit with its status")
final class RunCommand extends RuncSubcommand {

    @Option(names = {"-b", "--bundle"}, paramLabel = "DIR", description = "Bundle directory (default: the current directory)")
    Path bundle = Path.of("");

    @Option(names = {"-d", "--detach"}, description = "Return once the program runs; keep the container")
    boolean detach;

    @Option(names = "--pid-file", paramLabel = "FILE", description = "Write the init's pid here")
    Path pidFile;

    @Option(names = "--console-socket", paramLabel = "SOCKET", description = "Unix socket that receives the pty master")
    Path consoleSocket;

    @Option(names = "--no-pivot", description = "Use MS_MOVE + chroot instead of pivot_root (rootfs on a ramfs)")
    boolean noPivot;

    @Option(names = "--no-new-keyring", description = "Keep the caller's session keyring")
    boolean noNewKeyring;

    @Parameters(index = "0", paramLabel = "ID")
    String id;

    @Override
    public Integer call() {
        var options = CreateCommand.options(pidFile, consoleSocket, noPivot, noNewKeyring, parent.systemdCgroup);
        if (!detach) {
            return runtime().run(id, bundle, options);
        }
        runtime().create(id, bundle, options);
        try {
            runtime().start(id);
        } catch (RuntimeException e) {
            try {
                runtime().delete(id, true);
            } catch (RuntimeException cleanup) {
                e.addSuppressed(cleanup);
            }
            throw e;
        }
        return 0;
    }
}
