package jctr.mgmt.engine;

import java.util.List;
import java.util.Map;

/**
 * How a container runs on the host, in the Docker Engine API's {@code HostConfig} shape: mounts, resources,
 * security, networking, restart policy, logging. Fields jctr does not use are not kept; some that it
 * cannot honour yet (port publishing) are kept so that they can be refused with a clear error.
 */
public record HostConfig(
        List<String> binds,
        String networkMode,
        Map<String, List<PortBinding>> portBindings,
        Boolean publishAllPorts,
        RestartPolicy restartPolicy,
        Boolean autoRemove,
        List<MountSpec> mounts,
        List<String> capAdd,
        List<String> capDrop,
        Boolean privileged,
        Boolean readonlyRootfs,
        List<String> securityOpt,
        Map<String, String> tmpfs,
        Long memory,
        Long memorySwap,
        Long memoryReservation,
        Long nanoCpus,
        Long cpuShares,
        Long cpuPeriod,
        Long cpuQuota,
        String cpusetCpus,
        String cpusetMems,
        Long pidsLimit,
        Integer blkioWeight,
        Boolean oomKillDisable,
        LogConfig logConfig,
        List<Integer> consoleSize,
        List<Ulimit> ulimits,
        Map<String, String> sysctls,
        String pidMode,
        String ipcMode,
        String utsMode,
        String usernsMode,
        Long shmSize,
        List<String> extraHosts,
        List<Object> devices,
        Boolean init) {

    /** {@code -p HOST:CONTAINER}: refused until port publishing exists. */
    public record PortBinding(String hostIp, String hostPort) {
    }

    /**
     * @param name {@code no}, {@code always}, {@code unless-stopped}, {@code on-failure} (empty = no)
     * @param maximumRetryCount for on-failure: give up after this many restarts (0 = never give up)
     */
    public record RestartPolicy(String name, Integer maximumRetryCount) {
        public String nameOrNo() {
            return name == null || name.isEmpty() ? "no" : name;
        }

        public int retries() {
            return maximumRetryCount == null ? 0 : maximumRetryCount;
        }
    }

    /** {@code --mount}: a bind, a volume or a tmpfs. */
    public record MountSpec(String type, String source, String target, Boolean readOnly, String consistency,
                            BindOptions bindOptions, VolumeOptions volumeOptions, TmpfsOptions tmpfsOptions) {
    }

    public record BindOptions(String propagation, Boolean nonRecursive) {
    }

    public record VolumeOptions(Boolean noCopy, Map<String, String> labels, String subpath) {
    }

    public record TmpfsOptions(Long sizeBytes, Integer mode) {
    }

    /** Logging: only {@code json-file} (the default) with {@code max-size} and {@code max-file}. */
    public record LogConfig(String type, Map<String, String> config) {
    }

    public record Ulimit(String name, Long soft, Long hard) {
    }

    public boolean autoRemoveEnabled() {
        return Boolean.TRUE.equals(autoRemove);
    }

    public boolean privilegedEnabled() {
        return Boolean.TRUE.equals(privileged);
    }

    public boolean readonlyRootfsEnabled() {
        return Boolean.TRUE.equals(readonlyRootfs);
    }

    public RestartPolicy restartPolicyOrNo() {
        return restartPolicy == null ? new RestartPolicy("no", 0) : restartPolicy;
    }

    /** The network mode, with Docker's {@code default} meaning the bridge. */
    public String networkModeOrDefault() {
        return networkMode == null || networkMode.isEmpty() || networkMode.equals("default") ? "bridge" : networkMode;
    }

    public List<String> bindsOrEmpty() {
        return binds == null ? List.of() : binds;
    }

    public List<MountSpec> mountsOrEmpty() {
        return mounts == null ? List.of() : mounts;
    }

    public Map<String, String> tmpfsOrEmpty() {
        return tmpfs == null ? Map.of() : tmpfs;
    }

    public List<String> securityOptOrEmpty() {
        return securityOpt == null ? List.of() : securityOpt;
    }
}
