package jctr.mgmt.api;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.micronaut.http.HttpResponse;
import io.micronaut.http.MutableHttpResponse;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import jctr.kernel.Version;
import jctr.kernel.host.CgroupMode;
import jctr.kernel.registry.DriverKind;
import jctr.mgmt.engine.DockerJson;
import jctr.mgmt.engine.Engine;

/** {@code /_ping}, {@code /version}, {@code /info}, {@code /system/df}: what every docker command asks first. */
@Controller
final class SystemController {

    private final Engine engine;

    SystemController(ApiContext api) {
        this.engine = api.engine();
    }

    /** Also answers HEAD, which Micronaut routes to GET handlers (the docker CLI pings with HEAD first). */
    @Get("/_ping")
    MutableHttpResponse<String> ping() {
        // Api-Version, Ostype and Docker-Experimental are added to every response by DockerProtocolHandler.
        return HttpResponse.ok("OK").contentType("text/plain; charset=utf-8")
                .header("Builder-Version", "1")
                .header("Swarm", "inactive")
                .header("Cache-Control", "no-cache, no-store, must-revalidate")
                .header("Pragma", "no-cache");
    }

    @Get("/version")
    HttpResponse<String> version() {
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("ApiVersion", ApiVersions.CURRENT);
        details.put("Arch", goArch());
        details.put("BuildTime", "");
        details.put("Experimental", "false");
        details.put("GitCommit", "");
        details.put("GoVersion", "java" + Runtime.version().feature());
        details.put("KernelVersion", engine.host().kernelRelease());
        details.put("MinAPIVersion", ApiVersions.MINIMUM);
        details.put("Os", "linux");
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("Platform", Map.of("Name", "jctr " + Version.jctr()));
        v.put("Components", List.of(Map.of("Name", "Engine", "Version", Version.jctr(), "Details", details)));
        v.put("Version", Version.jctr());
        v.put("ApiVersion", ApiVersions.CURRENT);
        v.put("MinAPIVersion", ApiVersions.MINIMUM);
        v.put("GitCommit", "");
        v.put("GoVersion", "java" + Runtime.version().feature());
        v.put("Os", "linux");
        v.put("Arch", goArch());
        v.put("KernelVersion", engine.host().kernelRelease());
        v.put("BuildTime", "");
        return json(v);
    }

    @Get("/info")
    HttpResponse<String> info() {
        Map<DriverKind, String> drivers = engine.selectedDrivers();
        Engine.Counts counts = engine.counts();
        Map<String, Object> i = new LinkedHashMap<>();
        i.put("ID", engine.engineId());
        i.put("Containers", counts.containers());
        i.put("ContainersRunning", counts.running());
        i.put("ContainersPaused", counts.paused());
        i.put("ContainersStopped", counts.stopped());
        i.put("Images", counts.images());
        i.put("Driver", drivers.get(DriverKind.STORAGE));
        i.put("DriverStatus", List.of(List.of("Isolation driver", drivers.get(DriverKind.ISOLATION)),
                List.of("Resource driver", drivers.get(DriverKind.RESOURCE))));
        i.put("Plugins", Map.of("Volume", List.of("local"), "Network", List.of("host", "none"),
                "Authorization", List.of(), "Log", List.of("json-file")));
        i.put("MemoryLimit", true);
        i.put("SwapLimit", true);
        i.put("CpuCfsPeriod", true);
        i.put("CpuCfsQuota", true);
        i.put("CPUShares", true);
        i.put("CPUSet", true);
        i.put("PidsLimit", true);
        i.put("IPv4Forwarding", false);
        i.put("Debug", false);
        i.put("NFd", openFiles());
        i.put("OomKillDisable", false);
        i.put("NGoroutines", Thread.activeCount());
        i.put("SystemTime", Instant.now().toString());
        i.put("LoggingDriver", "json-file");
        i.put("CgroupDriver", "cgroupfs");
        i.put("CgroupVersion", engine.host().cgroupMode() == CgroupMode.UNIFIED ? "2" : "1");
        i.put("NEventsListener", 0);
        i.put("KernelVersion", engine.host().kernelRelease());
        i.put("OperatingSystem", osRelease("PRETTY_NAME"));
        i.put("OSVersion", osRelease("VERSION_ID"));
        i.put("OSType", "linux");
        i.put("Architecture", engine.host().machine());
        i.put("IndexServerAddress", "https://index.docker.io/v1/");
        i.put("RegistryConfig", Map.of("IndexConfigs", Map.of(), "InsecureRegistryCIDRs", List.of("127.0.0.0/8"),
                "Mirrors", List.of()));
        i.put("NCPU", Runtime.getRuntime().availableProcessors());
        i.put("MemTotal", memTotal());
        i.put("DockerRootDir", engine.dataRoot().toString());
        i.put("Name", hostname());
        i.put("Labels", List.of());
        i.put("ExperimentalBuild", false);
        i.put("ServerVersion", Version.jctr());
        i.put("Runtimes", Map.of("jctr", Map.of("path", "jctr")));
        i.put("DefaultRuntime", "jctr");
        i.put("Swarm", Map.of("NodeID", "", "NodeAddr", "", "LocalNodeState", "inactive", "ControlAvailable", false,
                "Error", "", "RemoteManagers", List.of()));
        i.put("LiveRestoreEnabled", true);
        i.put("Isolation", "");
        i.put("InitBinary", "");
        i.put("SecurityOptions", List.of("name=seccomp,profile=builtin"));
        i.put("Warnings", engine.warnings());
        return json(i);
    }

    /** {@code docker system df}: images, containers and volumes with their sizes. */
    @Get("/system/df")
    HttpResponse<String> df() {
        java.util.Set<String> used = engine.containers().imagesInUse();
        List<Map<String, Object>> images = new java.util.ArrayList<>();
        long layers = 0;
        for (jctr.kernel.image.Image i : engine.images().store().list()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("Id", i.id().toString());
            m.put("RepoTags", i.repoTags().stream().map(jctr.kernel.image.Reference::familiar).toList());
            m.put("Created", 0);
            m.put("Size", i.record().size());
            m.put("SharedSize", 0);
            long n = engine.containers().list(c -> i.id().toString().equals(c.imageId())).size();
            m.put("Containers", n);
            images.add(m);
            layers += i.record().size();
        }
        List<Map<String, Object>> containers = new java.util.ArrayList<>();
        java.time.Instant now = java.time.Instant.now();
        for (jctr.mgmt.engine.Container c : engine.containers().list(c -> true)) {
            Map<String, Object> m = ContainerViews.summary(c, now);
            m.put("SizeRw", engine.containers().sizeRw(c.id()));
            m.put("SizeRootFs", 0);
            containers.add(m);
        }
        List<Map<String, Object>> volumes = new java.util.ArrayList<>();
        for (jctr.mgmt.engine.VolumeStore.Volume v : engine.volumes().list(v -> true)) {
            Map<String, Object> m = VolumeController.view(v);
            m.put("UsageData", Map.of("Size", engine.volumes().size(v.name()),
                    "RefCount", engine.volumes().usedBy(v.name()).size()));
            volumes.add(m);
        }
        Map<String, Object> df = new LinkedHashMap<>();
        df.put("LayersSize", layers);
        df.put("Images", images);
        df.put("Containers", containers);
        df.put("Volumes", volumes);
        df.put("BuildCache", List.of());
        return json(df);
    }

    static MutableHttpResponse<String> json(Object body) {
        return HttpResponse.ok(DockerJson.writeString(body) + "\n").contentType("application/json");
    }

    private static String goArch() {
        String arch = System.getProperty("os.arch");
        return arch.equals("x86_64") ? "amd64" : arch;
    }

    private static long memTotal() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
                if (line.startsWith("MemTotal:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (IOException e) {
            // fall through: unknown
        }
        return 0;
    }

    private static int openFiles() {
        String[] fds = Path.of("/proc/self/fd").toFile().list();
        return fds == null ? 0 : fds.length;
    }

    private static String hostname() {
        try {
            return Files.readString(Path.of("/proc/sys/kernel/hostname")).trim();
        } catch (IOException e) {
            return "localhost";
        }
    }

    private static String osRelease(String key) {
        try {
            for (String line : Files.readAllLines(Path.of("/etc/os-release"))) {
                if (line.startsWith(key + "=")) {
                    return line.substring(key.length() + 1).replace("\"", "");
                }
            }
        } catch (IOException e) {
            // fall through
        }
        return "";
    }
}
