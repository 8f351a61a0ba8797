package jctr.kernel.spi;

import java.util.List;
import java.util.Objects;

import jctr.kernel.oci.ProcessSpec;

/**
 * A process to start inside a running container.
 *
 * @param process what to run and as whom (args, env, cwd, user, capabilities, terminal)
 * @param stdio how its standard streams are connected
 * @param launchWrapper see {@link LaunchWrapper}; empty for none
 */
public record ExecRequest(ProcessSpec process, Stdio stdio, List<String> launchWrapper) {
    public ExecRequest {
        Objects.requireNonNull(process, "process");
        Objects.requireNonNull(stdio, "stdio");
        launchWrapper = LaunchWrapper.check(launchWrapper);
    }

    /** A request without a launch wrapper. */
    public ExecRequest(ProcessSpec process, Stdio stdio) {
        this(process, stdio, List.of());
    }
}
