package jctr.kernel.spi;

/**
 * An isolation driver turns an OCI spec plus a prepared root file system into an isolated process:
 * namespaces, mounts, devices, the root switch, hostname, sysctls, rlimits, user, capabilities,
 * no_new_privs and seccomp, in the order the runtime spec gives. It can also start additional
 * processes inside a running container ({@code exec}).
 *
 * <p>Creation is split as in the OCI runtime: {@link #create} leaves the container's init process
 * fully set up but waiting before it runs {@code process.args}; {@link #start} releases it. Between
 * the two, the kernel runs the createRuntime/createContainer hooks.
 *
 * <p>Implementation in jctr: {@code namespaces} (a small native launch stage executes a plan computed in Java).
 */
public interface IsolationDriver extends Driver {

    /**
     * Creates the container's init process. It must be placed in {@code request.cgroup()} before it runs
     * any user code, and must not run {@code process.args} until {@link #start}.
     *
     * @return the process and the state needed to start, signal or join it later (persisted by the kernel)
     * @throws jctr.kernel.InvalidConfigException naming the config field when the kernel refused an
     *         operation derived from it (e.g. {@code mounts[3]: mount /data on /mnt: ENOENT})
     */
    IsolatedProcess create(IsolationRequest request);

    /**
     * Lets a created container's init process exec its program. Returns once the program has been
     * released (not when it exits). May be called from another process than the one that created it.
     */
    void start(IsolatedProcess process);

    /**
     * Starts an additional process inside the running container {@code target}: it joins the
     * container's namespaces and cgroup and gets the process's user, capabilities, seccomp and cwd.
     */
    IsolatedProcess exec(IsolatedProcess target, ExecRequest request);
}
