package jctr.bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Makes the CI gate's baseline from several runs of the quick mode ({@code paired.json} files): each ratio's
 * baseline is its median over the runs, and its tolerance comes from the run-to-run noise measured here:
 * the spread max/min - 1 over the runs, plus 0.10, rounded up to 0.05, and never below {@link #MIN_TOLERANCE}
 * (or the higher floor a ratio has in {@link #MIN_TOLERANCE_BY_RATIO}).
 * A later run fails the gate when a ratio exceeds baseline x (1 + tolerance). The runs' values are kept in the file, so the derivation can be checked.
 *
 * <pre>java -cp ... jctr.bench.Baseline OUT.json RUN1/paired.json RUN2/paired.json ...</pre>
 */
public final class Baseline {

    /**
     * The floor of every tolerance: a handful of runs at one load level under-states the spread CI sees on a
     * shared machine, and a gate that fails on noise gets ignored. The gate is for regressions of 1.5x and more.
     */
    static final double MIN_TOLERANCE = 0.5;

    /**
     * Ratios whose floor is higher, by what they are there to catch. Overlay prepare over {@code cp -a} is about
     * 1 ms over 700 ms: a tenth of a millisecond of jitter moves it by tens of percent (five quick runs spread by
     * 6.7x), while the regression it guards against, overlay copying the image, would put it near 1. A limit
     * of 20x the baseline (about 2% of a copy) still catches that by a factor of 50.
     */
    static final Map<String, Double> MIN_TOLERANCE_BY_RATIO = Map.of("prepare.overlay/cp.100MiB", 20.0);

    private Baseline() {
    }

    public static void main(String[] args) throws Exception {
        ObjectMapper json = new ObjectMapper();
        Map<String, List<Double>> values = new LinkedHashMap<>();
        for (int i = 1; i < args.length; i++) {
            JsonNode ratios = json.readTree(Path.of(args[i]).toFile()).get("ratios");
            for (var e : ratios.properties()) {
                values.computeIfAbsent(e.getKey(), k -> new ArrayList<>()).add(e.getValue().asDouble());
            }
        }
        ObjectNode out = json.createObjectNode();
        ObjectNode base = out.putObject("ratios");
        ObjectNode tolerance = out.putObject("tolerance");
        ObjectNode noise = out.putObject("noise");
        out.put("derivation", "baseline = median of the quick runs under noise; tolerance = "
                + "max/min over the runs - 1, plus 0.10, rounded up to 0.05, at least " + MIN_TOLERANCE
                + " (" + MIN_TOLERANCE_BY_RATIO + " for these)");
        for (var e : values.entrySet()) {
            double[] v = e.getValue().stream().mapToDouble(Double::doubleValue).toArray();
            double min = Arrays.stream(v).min().orElseThrow();
            double max = Arrays.stream(v).max().orElseThrow();
            double floor = MIN_TOLERANCE_BY_RATIO.getOrDefault(e.getKey(), MIN_TOLERANCE);
            double tol = Math.max(floor, Math.ceil((max / min - 1 + 0.10) * 20) / 20);
            base.put(e.getKey(), PairedRatios.median(v));
            tolerance.put(e.getKey(), tol);
            var runs = noise.putArray(e.getKey());
            Arrays.stream(v).forEach(runs::add);
            System.out.printf(Locale.ROOT, "%-28s baseline %.4g  runs %s  spread max/min %.2f  tolerance +%.0f%%%n",
                    e.getKey(), PairedRatios.median(v), Arrays.toString(v), max / min, tol * 100);
        }
        json.writerWithDefaultPrettyPrinter().writeValue(Path.of(args[0]).toFile(), out);
    }
}
