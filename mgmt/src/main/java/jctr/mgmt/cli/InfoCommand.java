package jctr.mgmt.cli;

import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

import jctr.kernel.DriverUnavailableException;
import jctr.kernel.Version;
import jctr.kernel.config.EngineConfig;
import jctr.kernel.host.HostInfo;
import jctr.kernel.oci.OciJson;
import jctr.kernel.registry.DriverKind;
import jctr.kernel.registry.DriverRegistry;
import jctr.kernel.registry.DriverReport;
import jctr.kernel.spi.Driver;
import jctr.kernel.spi.DriverContext;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code jctr info}: the host, the configuration, and every driver with its probe result. */
@Command(name = "info", description = "Show the host, the configuration and every driver with its probe result")
public final class InfoCommand implements Callable<Integer> {

    @ParentCommand
    JctrCommand parent;

    @Spec
    CommandSpec spec;

    @Option(names = "--format", paramLabel = "text|json", defaultValue = "text", description = "Output format (default: text)")
    String format;

    @Override
    public Integer call() {
        EngineConfig config = parent.engine.load();
        HostInfo host = HostInfo.detect();
        DriverContext ctx = config.driverContext(host);
        DriverRegistry registry = DriverRegistry.load();
        List<DriverReport> reports = registry.report(ctx);
        Map<DriverKind, String> selected = new LinkedHashMap<>();
        Map<DriverKind, String> selectionErrors = new LinkedHashMap<>();
        for (DriverKind kind : DriverKind.values()) {
            String configured = switch (kind) {
                case ISOLATION -> config.drivers().isolation();
                case RESOURCE -> config.drivers().resource();
                case STORAGE -> config.drivers().storage();
            };
            try {
                Driver d = registry.choose(kind, configured, ctx);
                selected.put(kind, d.name());
            } catch (DriverUnavailableException e) {
                selectionErrors.put(kind, e.headline());
            }
        }
        PrintWriter out = spec.commandLine().getOut();
        if (format.equals("json")) {
            Map<String, Object> doc = new LinkedHashMap<>();
            doc.put("version", Version.jctr());
            doc.put("host", host);
            doc.put("config", config);
            doc.put("selected", selected);
            doc.put("drivers", reports);
            out.println(OciJson.write(doc));
            return 0;
        }
        out.printf("jctr %s (OCI runtime spec %s, driver SPI %d)%n", Version.jctr(), Version.ociRuntimeSpec(), Version.spi());
        out.printf("Kernel:        %s %s%n", host.kernelRelease(), host.machine());
        out.printf("Cgroup mode:   %s%n", describeCgroups(host));
        out.printf("Running as:    %s%n", host.root() ? "root" : "non-root");
        out.printf("State root:    %s%n", config.stateRoot());
        out.printf("Data root:     %s%n", config.dataRoot());
        out.printf("Configured:    isolation=%s resource=%s storage=%s%n", config.drivers().isolation(),
                config.drivers().resource(), config.drivers().storage());
        out.println();
        out.println("Drivers:");
        out.printf("  %-10s %-12s %-8s %s%n", "KIND", "NAME", "SELECTED", "PROBE");
        for (DriverReport r : reports) {
            boolean isSelected = r.name().equals(selected.get(r.kind()));
            out.printf("  %-10s %-12s %-8s %s: %s%n", r.kind().configName(), r.name(), isSelected ? "yes" : "-",
                    r.probe().available() ? "available" : "unavailable", r.probe().detail());
        }
        if (!selectionErrors.isEmpty()) {
            out.println();
            selectionErrors.forEach((kind, msg) -> out.printf("No %s driver selected: %s%n", kind.configName(), msg));
        }
        out.flush();
        return 0;
    }

    private static String describeCgroups(HostInfo host) {
        String mode = host.cgroupMode().name().toLowerCase(Locale.ROOT);
        StringBuilder sb = new StringBuilder(mode);
        if (!host.v1Controllers().isEmpty()) {
            sb.append("; v1 controllers: ").append(String.join(" ", new java.util.TreeSet<>(host.v1Controllers().keySet())));
        }
        if (host.unifiedMount() != null) {
            sb.append("; cgroup2 at ").append(host.unifiedMount()).append(" with controllers: ")
                    .append(host.unifiedControllers().isEmpty() ? "(none)" : String.join(" ", host.unifiedControllers()));
        }
        return sb.toString();
    }
}
