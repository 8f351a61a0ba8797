package jctr.kernel.registry;

import jctr.kernel.spi.Driver;
import jctr.kernel.spi.IsolationDriver;
import jctr.kernel.spi.ResourceDriver;
import jctr.kernel.spi.StorageDriver;

/** The three driver SPIs, with the names used in configuration and output. */
public enum DriverKind {
    ISOLATION("isolation", IsolationDriver.class),
    RESOURCE("resource", ResourceDriver.class),
    STORAGE("storage", StorageDriver.class);

    private final String configName;
    private final Class<? extends Driver> spi;

    DriverKind(String configName, Class<? extends Driver> spi) {
        this.configName = configName;
        this.spi = spi;
    }

    /** The key in configuration ({@code drivers.storage}) and in {@code jctr info}. */
    public String configName() {
        return configName;
    }

    /** The SPI interface. */
    public Class<? extends Driver> spi() {
        return spi;
    }
}
