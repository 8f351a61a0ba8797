package jctr.kernel.spi;

import java.util.List;

import jctr.kernel.InvalidConfigException;

/**
 * A launch wrapper: a command line that an isolation driver runs <em>instead of</em> its own launcher,
 * with the launcher's command line appended, so that the wrapper becomes the ancestor of the container
 * process. The engine uses it to put its per-container monitor ({@code jctr-monitor}, like conmon) above
 * each container init and exec'd process: the monitor is then its parent or subreaper, learns its exit
 * status and holds its streams, independently of the JVM that created it.
 *
 * <p>The contract, for a driver that supports wrappers ({@link IsolationRequest.Options#launchWrapper},
 * {@link ExecRequest#launchWrapper}):
 * <ul>
 *   <li>The driver spawns {@code wrapper[0]} with arguments {@code wrapper[1..] + launcherCommandLine}, with
 *       exactly the descriptors, environment and stdio it would give its launcher.</li>
 *   <li>The wrapper runs the launcher as its child with those descriptors and then returns (exits) promptly,
 *       leaving a background process to be the launcher's parent. The driver therefore must not rely on the
 *       spawned process being the launcher: its exit status carries no meaning beyond "started".</li>
 *   <li>The container process is not a child of the calling JVM: the driver must not expect to reap it
 *       (waitid gives ECHILD) and waits for it to disappear instead when it must kill it after a failure.</li>
 * </ul>
 * A driver without a launcher stage may refuse a wrapper with {@link jctr.kernel.UnsupportedFeatureException}.
 */
public final class LaunchWrapper {

    private LaunchWrapper() {
    }

    /** Validates a wrapper command line: empty (none) or an absolute program followed by its arguments. */
    static List<String> check(List<String> wrapper) {
        if (wrapper == null || wrapper.isEmpty()) {
            return List.of();
        }
        if (!wrapper.getFirst().startsWith("/")) {
            throw new InvalidConfigException("", "launchWrapper", "the wrapper program must be an absolute path: "
                    + wrapper.getFirst());
        }
        return List.copyOf(wrapper);
    }
}
