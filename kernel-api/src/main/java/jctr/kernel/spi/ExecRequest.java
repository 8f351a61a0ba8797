package jctr.kernel.spi;

import java.util.Objects;

import jctr.kernel.oci.ProcessSpec;

/**
 * A process to start inside a running container.
 *
 * @param process what to run and as whom (args, env, cwd, user, capabilities, terminal)
 * @param stdio how its standard streams are connected
 */
public record ExecRequest(ProcessSpec process, Stdio stdio) {
    public ExecRequest {
        Objects.requireNonNull(process, "process");
        Objects.requireNonNull(stdio, "stdio");
    }
}
