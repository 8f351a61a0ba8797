package jctr.kernel;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/** Build facts of this jctr: its version and the driver SPI version. */
public final class Version {

    private static final Properties PROPS = load();

    private Version() {
    }

    /** The jctr release, e.g. {@code 0.1.0-SNAPSHOT}. */
    public static String jctr() {
        return PROPS.getProperty("version", "unknown");
    }

    /** The major version of the driver SPIs; a driver built for another major is refused. */
    public static int spi() {
        return Integer.parseInt(PROPS.getProperty("spi.version", "1"));
    }

    /** The OCI runtime-spec version jctr implements and writes into state JSON. */
    public static String ociRuntimeSpec() {
        return "1.2.0";
    }

    private static Properties load() {
        Properties p = new Properties();
        try (InputStream in = Version.class.getResourceAsStream("version.properties")) {
            if (in != null) {
                p.load(in);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return p;
    }
}
