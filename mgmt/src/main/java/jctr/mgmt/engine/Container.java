package jctr.mgmt.engine;

import java.time.Instant;
import java.util.List;

/**
 * The engine's persisted record of a container (Docker's container "config.v2"): identity, what it runs,
 * how, its state, and what it is made of (image, layers, mounts). Immutable; every change saves a new copy.
 *
 * @param id 64 hex digits
 * @param name unique, with Docker's leading slash ({@code /happy_turing})
 * @param created when it was created
 * @param path the program ({@code Path} in inspect)
 * @param args its arguments
 * @param config the resolved configuration (image defaults merged with the request)
 * @param hostConfig the host configuration as requested
 * @param state the current state
 * @param imageId the image's id ({@code sha256:...}), or empty for a container without image
 * @param layerIds the image's layers for the storage driver, bottom first
 * @param storageDriver the storage driver that holds its rootfs
 * @param mounts the resolved mounts (what inspect shows)
 * @param restartCount how many times the restart policy restarted it
 * @param manuallyStopped stopped by the user (unless-stopped then stays stopped)
 * @param monitor the directory of the monitor of its current (or last) run, or null
 */
public record Container(String id, String name, Instant created, String path, List<String> args,
                        ContainerConfig config, HostConfig hostConfig, ContainerState state, String imageId,
                        List<String> layerIds, String storageDriver, List<MountPoint> mounts, int restartCount,
                        boolean manuallyStopped, String monitor) {

    public Container {
        args = args == null ? List.of() : List.copyOf(args);
        layerIds = layerIds == null ? List.of() : List.copyOf(layerIds);
        mounts = mounts == null ? List.of() : List.copyOf(mounts);
    }

    /**
     * A mount as inspect shows it.
     *
     * @param type {@code bind}, {@code volume} or {@code tmpfs}
     * @param name the volume's name (volumes only)
     * @param source the host path (volumes: the volume's data directory)
     * @param destination the path in the container
     * @param driver {@code local} for volumes
     * @param mode Docker's mode string ({@code ro}, {@code z}, ...) as given with -v
     * @param rw whether it is writable
     * @param propagation bind propagation ({@code rprivate} by default)
     * @param options extra OCI mount options (tmpfs size and mode)
     */
    public record MountPoint(String type, String name, String source, String destination, String driver, String mode,
                             boolean rw, String propagation, List<String> options) {
        public MountPoint {
            options = options == null ? List.of() : List.copyOf(options);
        }
    }

    /** The name without the leading slash. */
    public String shortName() {
        return name.startsWith("/") ? name.substring(1) : name;
    }

    public Container withState(ContainerState s) {
        return new Container(id, name, created, path, args, config, hostConfig, s, imageId, layerIds, storageDriver,
                mounts, restartCount, manuallyStopped, monitor);
    }

    public Container withName(String n) {
        return new Container(id, n, created, path, args, config, hostConfig, state, imageId, layerIds, storageDriver,
                mounts, restartCount, manuallyStopped, monitor);
    }

    public Container withRestartCount(int n) {
        return new Container(id, name, created, path, args, config, hostConfig, state, imageId, layerIds, storageDriver,
                mounts, n, manuallyStopped, monitor);
    }

    public Container withManuallyStopped(boolean m) {
        return new Container(id, name, created, path, args, config, hostConfig, state, imageId, layerIds, storageDriver,
                mounts, restartCount, m, monitor);
    }

    public Container withMonitor(String dir) {
        return new Container(id, name, created, path, args, config, hostConfig, state, imageId, layerIds, storageDriver,
                mounts, restartCount, manuallyStopped, dir);
    }

    public Container withHostConfig(HostConfig h) {
        return new Container(id, name, created, path, args, config, h, state, imageId, layerIds, storageDriver,
                mounts, restartCount, manuallyStopped, monitor);
    }
}
