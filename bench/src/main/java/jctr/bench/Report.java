package jctr.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Turns one results directory (JMH JSON, cow.json, memory.json) into {@code summary.md} (every figure next to
 * its ratio to the peer measured in the same run, and the project's targets met or not), {@code ratios.json}
 * (what the CI gate compares) and PNG plots drawn by gnuplot. With {@code --gate BASELINE [TOLERANCE]} it also
 * compares the ratios with the baseline's ({@link Baseline}) and exits with 1 when one is worse than the baseline
 * by more than its tolerance (from the baseline file, or TOLERANCE for all: a fraction, 0.25 = 25%). Every gated
 * ratio is a time ratio (jctr's time over the peer's): lower is better.
 *
 * <pre>java -cp ... jctr.bench.Report DIR [--gate BASELINE [TOLERANCE]]</pre>
 */
public final class Report {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** One JMH result: the benchmark's method name, its parameters and statistics in ms. */
    record Result(String benchmark, String name, String mode, int threads, Map<String, String> params, double mean,
                  double p50, double p99, List<Double> samples) {
        boolean is(String method, Map<String, String> want) {
            return name.equals(method) && want.entrySet().stream().allMatch(e -> e.getValue().equals(params.get(e.getKey())));
        }
    }

    private final Path dir;
    private final List<Result> results = new ArrayList<>();
    private final StringBuilder md = new StringBuilder();
    private final Map<String, Double> ratios = new LinkedHashMap<>();

    private Report(Path dir) throws IOException {
        this.dir = dir;
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.filter(p -> p.getFileName().toString().matches("jmh-.*\\.json")).sorted().toList()) {
                for (JsonNode r : JSON.readTree(f.toFile())) {
                    results.add(parse(r));
                }
            }
        }
    }

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        Report report = new Report(dir);
        report.write();
        if (args.length >= 3 && args[1].equals("--gate")) {
            System.exit(report.gate(Path.of(args[2]), args.length > 3 ? Double.parseDouble(args[3]) : Double.NaN) ? 0 : 1);
        }
    }

    private static Result parse(JsonNode r) {
        String bench = r.get("benchmark").asText();
        Map<String, String> params = new TreeMap<>();
        if (r.has("params")) {
            r.get("params").properties().forEach(e -> params.put(e.getKey(), e.getValue().asText()));
        }
        JsonNode m = r.get("primaryMetric");
        JsonNode pct = m.get("scorePercentiles");
        List<Double> samples = new ArrayList<>();
        for (JsonNode fork : m.path("rawDataHistogram")) {
            for (JsonNode iteration : fork) {
                for (JsonNode bin : iteration) {
                    for (int i = 0; i < bin.get(1).asInt(); i++) {
                        samples.add(bin.get(0).asDouble());
                    }
                }
            }
        }
        for (JsonNode fork : m.path("rawData")) {
            fork.forEach(v -> samples.add(v.asDouble()));
        }
        String[] parts = bench.split("\\.");
        return new Result(parts[parts.length - 2], parts[parts.length - 1], r.get("mode").asText(), r.get("threads").asInt(),
                params, m.get("score").asDouble(), pct.get("50.0").asDouble(), pct.get("99.0").asDouble(), samples);
    }

    private Optional<Result> find(String method, Map<String, String> params) {
        return results.stream().filter(r -> r.is(method, params) && !isConcurrency(r)).findFirst();
    }

    private static boolean isConcurrency(Result r) {
        return r.benchmark().equals("ConcurrencyBenchmark");
    }

    private static boolean isStartup(Result r) {
        return r.benchmark().equals("StartupBenchmark");
    }

    // ------------------------------------------------------------------ the summary

    private void write() throws IOException {
        md.append("# jctr benchmark report\n\n").append(ZonedDateTime.now().format(DateTimeFormatter.RFC_1123_DATE_TIME))
                .append("; ").append(host()).append("\n\nEvery figure is compared with a peer measured in the same run ")
                .append("(the machine is shared and noisy). Times in ms.\n\n");
        startup();
        concurrency();
        storage();
        cow();
        memory();
        paired();
        targets();
        md.append("## Ratios (CI gate)\n\n| ratio (lower is better) | value |\n|---|---|\n");
        ratios.forEach((k, v) -> md.append("| ").append(k).append(" | ").append(f(v)).append(" |\n"));
        Files.writeString(dir.resolve("summary.md"), md);
        ObjectNode r = JSON.createObjectNode();
        ratios.forEach(r::put);
        JSON.writerWithDefaultPrettyPrinter().writeValue(dir.resolve("ratios.json").toFile(), r);
        plots();
        System.out.println(md);
    }

    private static String host() {
        try {
            String kernel = Files.readString(Path.of("/proc/sys/kernel/osrelease")).strip();
            String load = Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
            return "Linux " + kernel + ", " + Runtime.getRuntime().availableProcessors() + " CPUs, load average "
                    + load + " at the end";
        } catch (IOException e) {
            return "unknown host";
        }
    }

    private Result runc() {
        return results.stream().filter(r -> isStartup(r) && r.name().equals("runc")).findFirst().orElse(null);
    }

    private void startup() {
        Result runc = runc();
        if (runc == null) {
            return;
        }
        md.append("## Start-up: create + start + wait + delete of `/bin/true` (busybox rootfs)\n\n")
                .append("| runtime | mean | p50 | p99 | mean / runc | p50 / runc | p99 / runc |\n|---|---|---|---|---|---|---|\n");
        for (Result r : results.stream().filter(Report::isStartup).toList()) {
            md.append("| ").append(label(r)).append(" | ").append(f(r.mean())).append(" | ").append(f(r.p50()))
                    .append(" | ").append(f(r.p99())).append(" | ").append(f(r.mean() / runc.mean())).append(" | ")
                    .append(f(r.p50() / runc.p50())).append(" | ").append(f(r.p99() / runc.p99())).append(" |\n");
        }
        md.append("\ncrun runs in a private mount namespace that hides the cgroup2 hierarchy (crun 1.8 refuses this ")
                .append("hybrid host otherwise); `crun wrapper` is that wrapper running `/bin/true`, included in crun's row.\n\n");
        inProcess().ifPresent(r -> ratios.put("startup.inProcess/runc.p50", r.p50() / runc.p50()));
        find("jctrRuncCli", Map.of("aot", "on")).or(() -> find("jctrRuncCli", Map.of()))
                .ifPresent(r -> ratios.put("startup.cli/runc.p50", r.p50() / runc.p50()));
    }

    /** The in-process start-up the targets and the gate use: cgroup-v1 (else any cgroup driver), plain rootfs. */
    private Optional<Result> inProcess() {
        return find("jctrInProcess", Map.of("resource", "cgroup-v1", "rootfs", "dir"))
                .or(() -> find("jctrInProcess", Map.of("resource", "cgroup-v2", "rootfs", "dir")))
                .or(() -> find("jctrInProcess", Map.of("rootfs", "dir")));
    }

    private static String label(Result r) {
        return switch (r.name()) {
            case "jctrInProcess" -> "jctr in-process, " + r.params().get("resource") + ", rootfs " + r.params().get("rootfs");
            case "jctrRuncCli" -> "jctr-runc run (CLI, AOT cache " + r.params().get("aot") + ")";
            case "runc" -> "runc run";
            case "crun" -> "crun run";
            case "crunWrapper" -> "crun wrapper alone";
            case "unshareFloor" -> "floor: unshare ... /bin/true";
            default -> r.name();
        };
    }

    private void concurrency() {
        List<Integer> ns = results.stream().filter(Report::isConcurrency).map(Result::threads).distinct().sorted().toList();
        if (ns.isEmpty()) {
            return;
        }
        md.append("## Start-up under concurrency: N containers starting at once\n\n")
                .append("containers/s = N / mean latency (N threads starting containers back to back).\n\n")
                .append("| N | jctr containers/s | runc containers/s | jctr / runc throughput | jctr p99 | runc p99 | p99 jctr / runc |\n")
                .append("|---|---|---|---|---|---|---|\n");
        for (int n : ns) {
            Optional<Result> j = results.stream().filter(r -> isConcurrency(r) && r.name().equals("jctrInProcess")
                    && r.threads() == n).findFirst();
            Optional<Result> rc = results.stream().filter(r -> isConcurrency(r) && r.name().equals("runc")
                    && r.threads() == n).findFirst();
            if (j.isEmpty() || rc.isEmpty()) {
                continue;
            }
            double jt = n * 1000 / j.get().mean();
            double rt = n * 1000 / rc.get().mean();
            md.append("| ").append(n).append(" | ").append(f(jt)).append(" | ").append(f(rt)).append(" | ")
                    .append(f(jt / rt)).append(" | ").append(f(j.get().p99())).append(" | ").append(f(rc.get().p99()))
                    .append(" | ").append(f(j.get().p99() / rc.get().p99())).append(" |\n");
        }
        md.append('\n');
    }

    private void storage() {
        List<String> sizes = results.stream().filter(r -> r.name().equals("cpArchive")).map(r -> r.params().get("sizeMiB"))
                .distinct().sorted(Comparator.comparingInt(Integer::parseInt)).toList();
        if (!sizes.isEmpty()) {
            md.append("## Storage prepare: a one-layer image of N MiB (files of 8-100 KiB)\n\n")
                    .append("| image | vfs prepare | overlay prepare | cp -a | vfs throughput / cp -a | overlay / cp -a |\n")
                    .append("|---|---|---|---|---|---|\n");
            for (String s : sizes) {
                Map<String, String> p = Map.of("sizeMiB", s);
                Optional<Result> vfs = find("vfsPrepare", p);
                Optional<Result> ov = find("overlayPrepareSized", p);
                Result cp = find("cpArchive", p).orElseThrow();
                md.append("| ").append(s).append(" MiB | ").append(vfs.map(r -> f(r.mean())).orElse("-")).append(" | ")
                        .append(ov.map(r -> f(r.mean())).orElse("-")).append(" | ").append(f(cp.mean())).append(" | ")
                        .append(vfs.map(r -> pct(cp.mean() / r.mean())).orElse("-")).append(" | ")
                        .append(ov.map(r -> f(r.mean() / cp.mean())).orElse("-")).append(" |\n");
                if (s.equals("100")) {
                    vfs.ifPresent(r -> ratios.put("prepare.vfs/cp.100MiB", r.mean() / cp.mean()));
                    ov.ifPresent(r -> ratios.put("prepare.overlay/cp.100MiB", r.mean() / cp.mean()));
                }
            }
            md.append('\n');
        }
        List<Result> layers = results.stream().filter(r -> r.name().equals("overlayPrepare")).toList();
        if (!layers.isEmpty()) {
            md.append("## Overlay prepare by number of layers (50 layers of 20 small files)\n\n")
                    .append("| layers | mount API | prepare | / 1 layer |\n|---|---|---|---|\n");
            for (Result r : layers) {
                double one = find("overlayPrepare", Map.of("layers", "1", "mountApi", r.params().get("mountApi")))
                        .map(Result::mean).orElse(Double.NaN);
                md.append("| ").append(r.params().get("layers")).append(" | ").append(r.params().get("mountApi"))
                        .append(" | ").append(f(r.mean())).append(" | ").append(f(r.mean() / one)).append(" |\n");
            }
            md.append('\n');
            find("overlayPrepare", Map.of("layers", "50", "mountApi", "new")).ifPresent(r50 ->
                    find("overlayPrepare", Map.of("layers", "1", "mountApi", "new")).ifPresent(r1 ->
                            ratios.put("prepare.overlay50/overlay1", r50.mean() / r1.mean())));
        }
    }

    /** The paired ratios (PairedRatios): they replace the JMH ones in ratios.json, the gate and the targets. */
    private void paired() throws IOException {
        Path f = dir.resolve("paired.json");
        if (!Files.exists(f)) {
            return;
        }
        JsonNode p = JSON.readTree(f.toFile());
        md.append("## Paired ratios (what the targets and the CI gate use)\n\nEach round runs jctr's operation and ")
                .append("its peer's back to back, so both see the same load; the median over rounds of jctr's time / ")
                .append("the peer's (").append(p.get("rounds").get("startupMs").size()).append(" start-up rounds, ")
                .append(p.get("rounds").get("prepareMs").size()).append(" prepare rounds; resource driver ")
                .append(p.get("resourceDriver").asText()).append(", AOT cache ")
                .append(p.get("aotCache").asBoolean() ? "on" : "off").append(").\n\n")
                .append("| ratio | JMH (same run, minutes apart) | paired |\n|---|---|---|\n");
        for (var e : p.get("ratios").properties()) {
            Double jmh = ratios.get(e.getKey());
            md.append("| ").append(e.getKey()).append(" | ").append(jmh == null ? "-" : f(jmh)).append(" | ")
                    .append(f(e.getValue().asDouble())).append(" |\n");
            ratios.put(e.getKey(), e.getValue().asDouble());
        }
        md.append('\n');
    }

    private void cow() throws IOException {
        Path f = dir.resolve("cow.json");
        if (!Files.exists(f)) {
            return;
        }
        JsonNode c = JSON.readTree(f.toFile());
        md.append("## Copy-on-write (overlay): first write and rewrite from inside a running container\n\n")
                .append("Round trips to a shell in the container (`echo x >> /data/FILE`), minus the median empty round trip (")
                .append(f(c.get("baselineRoundTripMs").asDouble())).append(" ms). Medians.\n\n")
                .append("| file in the lower layer | first write (copy-up) | rewrite | samples |\n|---|---|---|---|\n");
        for (JsonNode s : c.get("sizes")) {
            md.append("| ").append(s.get("name").asText()).append(" | ").append(f(s.get("firstWriteMs").asDouble()))
                    .append(" | ").append(f(s.get("rewriteMs").asDouble())).append(" | ").append(s.get("samples").asInt())
                    .append(" |\n");
        }
        md.append('\n');
    }

    private void memory() throws IOException {
        Path f = dir.resolve("memory.json");
        if (!Files.exists(f)) {
            return;
        }
        JsonNode m = JSON.readTree(f.toFile());
        int n = m.get("containers").asInt();
        JsonNode d = m.get("daemon");
        JsonNode dp = d.get("perContainer");
        md.append("## Memory: ").append(n).append(" running `sleep` containers (").append(m.get("resourceDriver").asText())
                .append(")\n\n### The engine: `jctr daemon`\n\n`bin/jctr daemon` of the built distribution (storage ")
                .append(d.get("storageDriver").asText()).append(", AOT cache ").append(d.get("aotCache").asBoolean() ? "used" : "not used")
                .append(", JVM flags `").append(String.join(" ", texts(d.get("jvmFlags")))).append("`), containers created")
                .append(" and started through its API: ").append(f(d.get("startMs").asDouble()))
                .append(" ms from start to the first answer, ").append(f(d.get("createStartMsPerContainer").asDouble()))
                .append(" ms per create + start, ").append(f(d.get("removeMsPerContainer").asDouble()))
                .append(" ms per forced removal. Outside the containers: the `jctr-monitor` process of each ")
                .append("(stdio, json-file log, attach, exit status) and any other process of the daemon's.\n\n")
                .append("Per container: from idle to ").append(n).append(" running (first round, which also pays for ")
                .append("what the daemon grows once and keeps: JIT-compiled code, malloc arenas, pools), and from ")
                .append("after their removal to ").append(n).append(" new ones (second round: the cost of one more).\n\n")
                .append("| | idle | with ").append(n).append(" containers | after removing them | with ").append(n)
                .append(" again | per container, 1st round | 2nd round |\n|---|---|---|---|---|---|---|\n");
        List<JsonNode> samples = List.of(d.get("idle"), d.get("running"), d.get("afterRemoval"), d.get("runningAgain"));
        JsonNode dp2 = d.get("perContainerSecondRound");
        JsonNode idle = samples.get(0);
        memoryRow("daemon RSS (KiB)", "rssKiB", samples, dp, dp2, "daemonRssKiB");
        memoryRow("daemon PSS (KiB)", "pssKiB", samples, dp, dp2, "daemonPssKiB");
        memoryRow("daemon Java heap in use after a full GC (KiB)", "heapUsedAfterGcKiB", samples, dp, dp2, "daemonHeapKiB");
        memoryRow("daemon RSS after that GC (KiB)", "rssAfterGcKiB", samples, dp, dp2, null);
        memoryRow("daemon descriptors", "fds", samples, dp, dp2, "daemonFds");
        memoryRow("daemon threads", "threads", samples, dp, dp2, "daemonThreads");
        memoryRow("monitor processes", "outside/monitorProcesses", samples, dp, dp2, "monitorProcesses");
        memoryRow("other processes outside the containers", "outside/otherProcesses", samples, dp, dp2, "otherProcesses");
        memoryRow("their RSS (KiB)", "outside/rssKiB", samples, dp, dp2, "outsideRssKiB");
        memoryRow("their PSS (KiB)", "outside/pssKiB", samples, dp, dp2, "outsidePssKiB");
        memoryRow("their descriptors", "outside/fds", samples, dp, dp2, "outsideFds");
        memoryRow("state root, tmpfs (bytes)", "stateRootBytes", samples, dp, dp2, "stateRootBytes");
        memoryRow("records and logs, data root (bytes)", "recordBytes", samples, dp, dp2, "recordBytes");
        memoryRow("data root with the rootfs layers (bytes)", "dataRootBytes", samples, dp, dp2, "dataRootBytes");
        memoryRow("host mounts", "hostMounts", samples, dp, dp2, "hostMounts");
        JsonNode in = m.get("inProcess");
        JsonNode ip = in.get("perContainer");
        JsonNode runc = m.get("runc");
        md.append("\n### Per container, outside its cgroup, next to runc\n\nThe in-process column is jctr's kernel ")
                .append("embedded in a JVM (`ContainerRuntime`, no daemon, no monitor: what an engine built on it pays); ")
                .append("its JVM is the benchmark's own, so its idle RSS includes the harness. runc keeps no process: ")
                .append("`runc run -d` exits once the container runs.\n\n")
                .append("| | jctr daemon | jctr in-process | runc |\n|---|---|---|---|\n")
                .append("| resident engine, idle (RSS) | ").append(idle.get("rssKiB").asLong()).append(" KiB | ")
                .append(in.get("idle").get("rssKiB").asLong()).append(" KiB | none |\n")
                .append("| processes outside the container | ")
                .append(f(dp.get("monitorProcesses").asDouble() + dp.get("otherProcesses").asDouble())).append(" (monitor) | ")
                .append(f(ip.get("processesOutsideContainer").asDouble())).append(" | ")
                .append(f(runc.get("residentProcesses").asDouble() / n)).append(" |\n")
                .append("| their RSS / PSS | ").append(f(dp.get("outsideRssKiB").asDouble())).append(" / ")
                .append(f(dp.get("outsidePssKiB").asDouble())).append(" KiB | - | - |\n")
                .append("| engine RSS growth | ").append(f(dp.get("daemonRssKiB").asDouble())).append(" KiB (2nd round ")
                .append(f(dp2.get("daemonRssKiB").asDouble())).append(") | ")
                .append(f(ip.get("rssKiB").asDouble())).append(" KiB | - |\n")
                .append("| engine Java heap growth | ").append(f(dp.get("daemonHeapKiB").asDouble())).append(" KiB | ")
                .append(f(ip.get("heapKiB").asDouble())).append(" KiB | - |\n")
                .append("| descriptors held by the engine | ").append(f(dp.get("daemonFds").asDouble())).append(" | ")
                .append(f(ip.get("engineFds").asDouble())).append(" | - |\n")
                .append("| engine threads | ").append(f(dp.get("daemonThreads").asDouble())).append(" | ")
                .append(f(ip.get("engineThreads").asDouble())).append(" | - |\n")
                .append("| runtime state files (tmpfs) | ").append(f(dp.get("stateRootBytes").asDouble())).append(" B | ")
                .append(f(ip.get("stateDirBytes").asDouble())).append(" B | ")
                .append(f(runc.get("stateDirBytesPerContainer").asDouble())).append(" B |\n\n");
        List<String> missing = new ArrayList<>();
        List<String> present = new ArrayList<>();
        m.path("daemonPeers").properties().forEach(e -> (e.getValue().asBoolean() ? present : missing).add("`" + e.getKey() + "`"));
        if (!missing.isEmpty()) {
            md.append("Not installed here, so not measured: ").append(String.join(", ", missing))
                    .append(" (a daemon and a shim per container, the peers of jctr's daemon and monitor).");
        }
        if (!present.isEmpty()) {
            md.append(" Installed but not measured: ").append(String.join(", ", present)).append('.');
        }
        md.append("\n\n");
    }

    /** One row of the daemon's table: {@code key} ("a/b" for a nested field) in each sample; {@code per} of both rounds. */
    private void memoryRow(String label, String key, List<JsonNode> samples, JsonNode per1, JsonNode per2, String per) {
        md.append("| ").append(label);
        for (JsonNode sample : samples) {
            JsonNode v = sample;
            for (String k : key.split("/")) {
                v = v.path(k);
            }
            md.append(" | ").append(v.asLong());
        }
        for (JsonNode p : List.of(per1, per2)) {
            md.append(" | ").append(per == null ? "-" : f(p.get(per).asDouble()));
        }
        md.append(" |\n");
    }

    private static List<String> texts(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(v -> out.add(v.asText()));
        return out;
    }

    private void targets() {
        md.append("## The project's targets\n\n| target | measured | met |\n|---|---|---|\n");
        Double in = ratios.get("startup.inProcess/runc.p50");
        if (in != null) {
            target("in-process create+start+wait+delete of `true` <= 1/3 of `runc run` (median)", in, in <= 1.0 / 3);
        }
        Double cli = ratios.get("startup.cli/runc.p50");
        if (cli != null) {
            target("`jctr-runc run` CLI <= 2x `runc run` (median)", cli, cli <= 2);
        }
        List<Result> sized = results.stream().filter(r -> r.name().equals("overlayPrepareSized")).toList();
        if (sized.size() > 1) {
            double max = sized.stream().mapToDouble(Result::mean).max().orElseThrow();
            double min = sized.stream().mapToDouble(Result::mean).min().orElseThrow();
            target("overlay prepare flat in image size (largest / smallest image <= 1.5)", max / min, max / min <= 1.5);
        }
        Double layers = ratios.get("prepare.overlay50/overlay1");
        if (layers != null) {
            target("overlay prepare flat in image size: 50 layers / 1 layer <= 1.5", layers, layers <= 1.5);
        }
        Double vfs = ratios.get("prepare.vfs/cp.100MiB");
        if (vfs != null) {
            target("vfs prepare >= 80% of `cp -a` throughput, 100 MiB (throughput ratio = 1 / time ratio)", 1 / vfs,
                    1 / vfs >= 0.8);
        }
        for (Result cp : results.stream().filter(r -> r.name().equals("cpArchive")).toList()) {
            find("vfsPrepare", Map.of("sizeMiB", cp.params().get("sizeMiB"))).ifPresent(v ->
                    target("vfs prepare >= 80% of `cp -a` throughput, " + cp.params().get("sizeMiB") + " MiB (JMH)",
                            cp.mean() / v.mean(), cp.mean() / v.mean() >= 0.8));
        }
        md.append('\n');
    }

    private void target(String what, double value, boolean met) {
        md.append("| ").append(what).append(" | ").append(f(value)).append(" | ").append(met ? "yes" : "**no**").append(" |\n");
    }

    // ------------------------------------------------------------------ the gate

    private boolean gate(Path baselineFile, double tolerance) throws IOException {
        if (!Files.isRegularFile(baselineFile)) {
            System.out.println("## Gate\n\nno baseline at " + baselineFile + ": make one with bench/run.sh --quick "
                    + "--update-baseline\nbench gate: FAILED (no baseline)");
            return false;
        }
        JsonNode baseline = JSON.readTree(baselineFile.toFile());
        boolean ok = true;
        int passed = 0;
        int failed = 0;
        StringBuilder g = new StringBuilder("## Gate against " + baselineFile + "\n\nA ratio fails when it is above "
                + "baseline x (1 + tolerance); the tolerances come from measured run-to-run noise (see the baseline's "
                + "\"noise\")" + (Double.isNaN(tolerance) ? "" : ", here overridden to +" + Math.round(tolerance * 100) + "%")
                + ".\n\n| ratio | baseline | tolerance | limit | now | |\n|---|---|---|---|---|---|\n");
        for (var e : baseline.get("ratios").properties()) {
            double base = e.getValue().asDouble();
            double tol = Double.isNaN(tolerance) ? baseline.get("tolerance").get(e.getKey()).asDouble() : tolerance;
            double limit = base * (1 + tol);
            Double now = ratios.get(e.getKey());
            boolean pass = now != null && now <= limit;
            ok &= pass;
            if (pass) {
                passed++;
            } else {
                failed++;
            }
            g.append("| ").append(e.getKey()).append(" | ").append(f(base)).append(" | +").append(Math.round(tol * 100))
                    .append("% | ").append(f(limit)).append(" | ").append(now == null ? "missing" : f(now)).append(" | ")
                    .append(pass ? "ok" : "**WORSE**").append(" |\n");
        }
        Files.writeString(dir.resolve("summary.md"), "\n" + g, java.nio.file.StandardOpenOption.APPEND);
        System.out.println(g);
        System.out.println(ok ? "bench gate: passed" : "bench gate: FAILED (a ratio is worse than baseline + tolerance)");
        // The plain closing line CI reads, one per gated ratio.
        System.out.println("bench: " + passed + " passed, " + failed + " failed");
        return ok;
    }

    // ------------------------------------------------------------------ plots

    private void plots() throws IOException {
        List<String> scripts = new ArrayList<>();
        List<Result> startup = results.stream().filter(r -> isStartup(r) && !r.samples().isEmpty()).toList();
        if (!startup.isEmpty()) {
            StringBuilder plot = new StringBuilder("set terminal png size 1000,600\nset output 'startup-cdf.png'\n"
                    + "set title 'Start-up latency CDF (create+start+wait+delete of /bin/true)'\nset logscale x\n"
                    + "set xlabel 'ms'\nset ylabel 'fraction of runs'\nset key bottom right\nplot ");
            for (int i = 0; i < startup.size(); i++) {
                Result r = startup.get(i);
                String file = "startup-" + i + ".dat";
                List<Double> v = r.samples().stream().sorted().toList();
                StringBuilder d = new StringBuilder();
                for (int k = 0; k < v.size(); k++) {
                    d.append(v.get(k)).append(' ').append((k + 1) / (double) v.size()).append('\n');
                }
                Files.writeString(dir.resolve(file), d);
                plot.append(i == 0 ? "" : ", ").append("'").append(file).append("' with lines lw 2 title '")
                        .append(label(r)).append("'");
            }
            scripts.add(plot.append('\n').toString());
        }
        Path cow = dir.resolve("cow.json");
        if (Files.exists(cow)) {
            StringBuilder d = new StringBuilder();
            for (JsonNode s : JSON.readTree(cow.toFile()).get("sizes")) {
                d.append(s.get("bytes").asLong() / 1024.0).append(' ').append(Math.max(s.get("firstWriteMs").asDouble(), 1e-3))
                        .append(' ').append(Math.max(s.get("rewriteMs").asDouble(), 1e-3)).append('\n');
            }
            Files.writeString(dir.resolve("cow.dat"), d);
            scripts.add("set terminal png size 900,600\nset output 'cow.png'\nset title 'Overlay copy-on-write: first write vs rewrite'\n"
                    + "set logscale xy\nset xlabel 'file size (KiB)'\nset ylabel 'ms'\nset key top left\n"
                    + "plot 'cow.dat' using 1:2 with linespoints lw 2 title 'first write (copy-up)', "
                    + "'cow.dat' using 1:3 with linespoints lw 2 title 'rewrite'\n");
        }
        List<Result> cps = results.stream().filter(r -> r.name().equals("cpArchive")).toList();
        if (cps.size() > 1) {
            StringBuilder d = new StringBuilder();
            for (Result cp : cps.stream().sorted(Comparator.comparingInt(r -> Integer.parseInt(r.params().get("sizeMiB")))).toList()) {
                Map<String, String> p = Map.of("sizeMiB", cp.params().get("sizeMiB"));
                d.append(p.get("sizeMiB")).append(' ').append(find("vfsPrepare", p).map(Result::mean).orElse(Double.NaN))
                        .append(' ').append(find("overlayPrepareSized", p).map(Result::mean).orElse(Double.NaN))
                        .append(' ').append(cp.mean()).append('\n');
            }
            Files.writeString(dir.resolve("prepare.dat"), d);
            scripts.add("set terminal png size 900,600\nset output 'prepare.png'\nset title 'Rootfs prepare time vs image size'\n"
                    + "set logscale xy\nset xlabel 'image (MiB)'\nset ylabel 'ms'\nset key top left\n"
                    + "plot 'prepare.dat' using 1:2 with linespoints lw 2 title 'vfs', 'prepare.dat' using 1:3 with "
                    + "linespoints lw 2 title 'overlay', 'prepare.dat' using 1:4 with linespoints lw 2 title 'cp -a'\n");
        }
        for (int i = 0; i < scripts.size(); i++) {
            Path script = dir.resolve("plot-" + i + ".gp");
            Files.writeString(script, scripts.get(i));
            try {
                Process p = new ProcessBuilder("gnuplot", script.getFileName().toString()).directory(dir.toFile())
                        .inheritIO().start();
                if (p.waitFor() != 0) {
                    System.err.println("gnuplot failed on " + script);
                }
            } catch (IOException e) {
                System.err.println("no plots: gnuplot is not installed (apt-get install gnuplot-nox)");
                return;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private static String f(double v) {
        if (Double.isNaN(v)) {
            return "-";
        }
        return String.format(Locale.ROOT, Math.abs(v) >= 100 ? "%.0f" : Math.abs(v) >= 10 ? "%.1f" : "%.3g", v);
    }

    private static String pct(double v) {
        return String.format(Locale.ROOT, "%.0f%%", v * 100);
    }
}
