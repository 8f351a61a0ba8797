package jctr.kernel.runtime;

import java.nio.file.Path;
import java.util.List;

import jctr.kernel.spi.Stdio;

/**
 * runc's switches for {@code create} and {@code run}.
 *
 * @param pidFile where to write the init's host pid (digits only, no newline) once created; null for none
 * @param consoleSocket the unix socket that receives the pty master when {@code process.terminal} is true;
 *                      required then, refused otherwise
 * @param noPivot use MS_MOVE + chroot instead of pivot_root (for a rootfs on a ramfs)
 * @param noNewKeyring keep the caller's session keyring
 * @param stdio the container's standard streams when there is no terminal (null: the caller's own)
 * @param systemdCgroup the caller asked for systemd-managed cgroups, which jctr does not offer: a config
 *                      that names a systemd cgroup ({@code slice:prefix:name}) is refused
 * @param launchWrapper a command the isolation driver runs its launcher through (see
 *                      {@link jctr.kernel.spi.LaunchWrapper}); empty for none
 */
public record CreateOptions(Path pidFile, Path consoleSocket, boolean noPivot, boolean noNewKeyring, Stdio stdio,
                            boolean systemdCgroup, List<String> launchWrapper) {

    /** No pid file, no terminal, the caller's stdio, pivot_root, a new keyring. */
    public static final CreateOptions DEFAULT = new CreateOptions(null, null, false, false, null, false);

    public CreateOptions {
        stdio = stdio == null ? Stdio.inherit() : stdio;
        launchWrapper = launchWrapper == null ? List.of() : List.copyOf(launchWrapper);
    }

    /** Options without a launch wrapper. */
    public CreateOptions(Path pidFile, Path consoleSocket, boolean noPivot, boolean noNewKeyring, Stdio stdio,
                         boolean systemdCgroup) {
        this(pidFile, consoleSocket, noPivot, noNewKeyring, stdio, systemdCgroup, List.of());
    }

    /** A copy that launches through {@code wrapper} (the engine's per-container monitor). */
    public CreateOptions withLaunchWrapper(List<String> wrapper) {
        return new CreateOptions(pidFile, consoleSocket, noPivot, noNewKeyring, stdio, systemdCgroup, wrapper);
    }

    /** A copy with another pid file. */
    public CreateOptions withPidFile(Path file) {
        return new CreateOptions(file, consoleSocket, noPivot, noNewKeyring, stdio, systemdCgroup, launchWrapper);
    }

    /** A copy with other standard streams. */
    public CreateOptions withStdio(Stdio newStdio) {
        return new CreateOptions(pidFile, consoleSocket, noPivot, noNewKeyring, newStdio, systemdCgroup, launchWrapper);
    }
}
