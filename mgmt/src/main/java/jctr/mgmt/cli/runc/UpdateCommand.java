package jctr.mgmt.cli.runc;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import jctr.kernel.InvalidConfigException;
import jctr.kernel.oci.BlockIoResources;
import jctr.kernel.oci.CpuResources;
import jctr.kernel.oci.LinuxResources;
import jctr.kernel.oci.MemoryResources;
import jctr.kernel.oci.OciJson;
import jctr.kernel.oci.PidsResources;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code update}: changes a live container's resource limits, from flags or from an OCI
 * {@code linux.resources} document ({@code -r FILE}, {@code -} for stdin; flags are then ignored, as in runc).
 */
@Command(name = "update", description = "Change the resource limits of a running container")
final class UpdateCommand extends RuncSubcommand {

    private static final Pattern SIZE = Pattern.compile("([0-9]+)\\s*([kmgtp]?)(i?b)?", Pattern.CASE_INSENSITIVE);

    @Option(names = {"-r", "--resources"}, paramLabel = "FILE", description = "linux.resources JSON file, or - for stdin")
    String resourcesFile;

    @Option(names = "--memory", paramLabel = "BYTES", description = "Memory limit (k, m, g suffixes allowed)")
    String memory;

    @Option(names = "--memory-reservation", paramLabel = "BYTES", description = "Memory soft limit")
    String memoryReservation;

    @Option(names = "--memory-swap", paramLabel = "BYTES", description = "Memory + swap limit; -1 for unlimited swap")
    String memorySwap;

    @Option(names = "--cpu-period", paramLabel = "USECS", description = "CFS period")
    Long cpuPeriod;

    @Option(names = "--cpu-quota", paramLabel = "USECS", description = "CFS quota per period; -1 for none")
    Long cpuQuota;

    @Option(names = {"--cpu-share", "--cpu-shares"}, paramLabel = "N", description = "CPU shares (relative weight)")
    Long cpuShares;

    @Option(names = "--cpu-rt-period", paramLabel = "USECS", description = "Realtime period")
    Long cpuRtPeriod;

    @Option(names = "--cpu-rt-runtime", paramLabel = "USECS", description = "Realtime runtime per period")
    Long cpuRtRuntime;

    @Option(names = "--cpuset-cpus", paramLabel = "LIST", description = "CPUs to use, e.g. 0-2,4")
    String cpusetCpus;

    @Option(names = "--cpuset-mems", paramLabel = "LIST", description = "Memory nodes to use")
    String cpusetMems;

    @Option(names = "--pids-limit", paramLabel = "N", description = "Maximum number of tasks")
    Long pidsLimit;

    @Option(names = "--blkio-weight", paramLabel = "N", description = "Block I/O weight (10..1000)")
    Integer blkioWeight;

    @Parameters(index = "0", paramLabel = "ID")
    String id;

    @Override
    public Integer call() {
        runtime().update(id, resources());
        return 0;
    }

    LinuxResources resources() {
        if (resourcesFile != null) {
            return readResources();
        }
        MemoryResources mem = memory == null && memoryReservation == null && memorySwap == null ? null
                : new MemoryResources(bytes("--memory", memory), bytes("--memory-reservation", memoryReservation),
                        bytes("--memory-swap", memorySwap), null, null, null, null, null, null);
        CpuResources cpu = cpuPeriod == null && cpuQuota == null && cpuShares == null && cpuRtPeriod == null
                && cpuRtRuntime == null && cpusetCpus == null && cpusetMems == null ? null
                : new CpuResources(cpuShares, cpuQuota, null, cpuPeriod, cpuRtRuntime, cpuRtPeriod, cpusetCpus,
                        cpusetMems, null);
        PidsResources pids = pidsLimit == null ? null : new PidsResources(pidsLimit);
        BlockIoResources blkio = blkioWeight == null ? null
                : new BlockIoResources(blkioWeight, null, null, null, null, null, null);
        return new LinuxResources(null, mem, cpu, pids, blkio, null, null, null, null);
    }

    private LinuxResources readResources() {
        String source = resourcesFile.equals("-") ? "stdin" : resourcesFile;
        try (InputStream in = resourcesFile.equals("-") ? System.in : Files.newInputStream(Path.of(resourcesFile))) {
            OciJson.Parsed<LinuxResources> parsed = OciJson.read(source, in, LinuxResources.class, false);
            parsed.warnings().forEach(w -> log().warn(source + ": " + w));
            return parsed.value();
        } catch (IOException e) {
            throw new UncheckedIOException("reading " + source, e);
        }
    }

    /** A byte count as runc reads it: digits with an optional binary k/m/g/t/p suffix, or -1. */
    static Long bytes(String flag, String text) {
        if (text == null) {
            return null;
        }
        if (text.trim().equals("-1")) {
            return -1L;
        }
        Matcher m = SIZE.matcher(text.trim());
        if (!m.matches()) {
            throw new InvalidConfigException("", flag, "not a size in bytes (e.g. 268435456, 256m, 1g): " + text);
        }
        int shift = switch (m.group(2).toLowerCase(Locale.ROOT)) {
            case "k" -> 10;
            case "m" -> 20;
            case "g" -> 30;
            case "t" -> 40;
            case "p" -> 50;
            default -> 0;
        };
        try {
            long value = Long.parseLong(m.group(1));
            if (value > Long.MAX_VALUE >> shift) {
                throw new NumberFormatException();
            }
            return value << shift;
        } catch (NumberFormatException e) {
            throw new InvalidConfigException("", flag, "too large: " + text);
        }
    }
}
