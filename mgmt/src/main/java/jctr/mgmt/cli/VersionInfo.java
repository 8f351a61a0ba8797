package jctr.mgmt.cli;

import jctr.kernel.Version;
import picocli.CommandLine;

/** {@code --version} for both launchers. */
public final class VersionInfo implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
        return new String[] {
            "jctr version " + Version.jctr(),
            "spec: " + Version.ociRuntimeSpec(),
            "driver spi: " + Version.spi(),
            "java: " + Runtime.version(),
        };
    }
}
