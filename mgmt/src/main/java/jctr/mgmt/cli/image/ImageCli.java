package jctr.mgmt.cli.image;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import jctr.kernel.DriverUnavailableException;
import jctr.kernel.config.EngineConfig;
import jctr.kernel.host.HostInfo;
import jctr.kernel.image.ImagePuller;
import jctr.kernel.image.ImageService;
import jctr.kernel.image.ImageStore;
import jctr.kernel.image.ImageUsers;
import jctr.kernel.image.Platform;
import jctr.kernel.image.RegistryCredentials;
import jctr.kernel.registry.DriverRegistry;
import jctr.kernel.spi.StorageDriver;
import jctr.kernel.state.StateStore;
import jctr.mgmt.cli.JctrCommand;
import picocli.CommandLine.Model.CommandSpec;

/**
 * What the {@code jctr image} commands share: the engine configuration from the top-level flags, the
 * image store under the data root, the storage driver (when one can run), and who uses images (the
 * containers in the state root). The commands work on the store directly, as an embedded engine.
 */
final class ImageCli {

    private ImageCli() {
    }

    /** The engine configuration, from {@code jctr}'s flags, the environment and the config file. */
    static EngineConfig config(CommandSpec spec) {
        if (spec.root().userObject() instanceof JctrCommand jctr) {
            return jctr.engineOptions().load();
        }
        throw new IllegalStateException("image commands run under jctr");
    }

    static ImageStore store(EngineConfig config) {
        return new ImageStore(config.dataRoot());
    }

    /**
     * The configured storage driver, initialized. With {@code auto} and no usable driver, null (layers are
     * then stored as blobs only) and a note on {@code err}; a driver named in the configuration that cannot
     * run is an error.
     */
    static StorageDriver storage(EngineConfig config, PrintWriter err) {
        String configured = config.drivers().storage();
        try {
            return DriverRegistry.load().storage(configured, config.driverContext(HostInfo.detect()),
                    config.optionsFor(configured));
        } catch (DriverUnavailableException e) {
            if (configured != null && !configured.equals(DriverRegistry.AUTO)) {
                throw e;
            }
            err.println("jctr: note: no storage driver can run here (" + e.headline() + "); image layers are kept as "
                    + "blobs and unpacked once a driver is available");
            err.flush();
            return null;
        }
    }

    /** The images containers use: those named by the jctr.image.id annotation of the records in the state root. */
    static ImageUsers users(EngineConfig config) {
        return () -> Files.isDirectory(config.stateRoot())
                ? ImageUsers.fromStateStore(new StateStore(config.stateRoot())).imageIdsInUse() : Set.of();
    }

    /** Pull settings: the platform, insecure registries from the configuration and flags, and credentials. */
    static ImagePuller.Options pullOptions(EngineConfig config, Platform platform, List<String> insecureFlags,
                                           String creds) {
        List<String> insecure = new ArrayList<>(config.registries() == null ? List.of() : config.registries().insecure());
        insecure.addAll(insecureFlags);
        RegistryCredentials credentials = creds != null
                ? RegistryCredentials.fixed(RegistryCredentials.parseFlag(creds))
                : RegistryCredentials.fromDockerConfig(System.getenv());
        ImagePuller.Options d = ImagePuller.Options.defaults();
        return new ImagePuller.Options(platform, d.parallel(), d.retries(), insecure, credentials, d.stallTimeout());
    }

    /** The image service on the configured store, with the storage driver {@code driver} (may be null). */
    static ImageService service(EngineConfig config, StorageDriver driver, ImagePuller.Options options) {
        return new ImageService(store(config), driver, users(config), options);
    }
}
