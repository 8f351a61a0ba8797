package jctr.kernel.layer;

import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import jctr.kernel.InvalidConfigException;

/**
 * How {@link LayerUnpacker} treats a layer: size bounds and whether device nodes may be created.
 *
 * @param limits bounds on the archive (see {@link TarLimits})
 * @param allowDeviceNodes whether character and block devices in the layer are created; when false,
 *                         a layer containing one is refused. FIFOs are always allowed.
 */
public record UnpackOptions(TarLimits limits, boolean allowDeviceNodes) {

    /** {@link TarLimits#DEFAULTS}, device nodes allowed (jctr runs as root, as the kernel needs for mknod). */
    public static final UnpackOptions DEFAULTS = new UnpackOptions(TarLimits.DEFAULTS, true);

    /** Driver option keys this record reads (see {@link #fromDriverOptions}). */
    public static final Set<String> OPTION_KEYS = Set.of("maxLayerSize", "maxEntrySize", "maxEntries", "allowDeviceNodes");

    /**
     * Reads the unpack options from a storage driver's options ({@code driverOptions.<driver>} in the
     * engine configuration); missing keys keep their defaults. Sizes are bytes, optionally with a
     * binary suffix {@code k}, {@code m}, {@code g}, {@code t} ({@code 64g}).
     *
     * @param driverKeys the option keys the driver itself reads; any other key but {@link #OPTION_KEYS} is an error
     * @throws InvalidConfigException naming the option if a key is unknown or a value malformed
     */
    public static UnpackOptions fromDriverOptions(String driver, Map<String, String> options, Set<String> driverKeys) {
        Set<String> known = new TreeSet<>(OPTION_KEYS);
        known.addAll(driverKeys);
        for (String key : options.keySet()) {
            if (!known.contains(key)) {
                throw new InvalidConfigException("engine configuration", "driverOptions." + driver + "." + key,
                        "unknown option; the " + driver + " driver knows " + known);
            }
        }
        TarLimits d = TarLimits.DEFAULTS;
        long maxLayer = size(driver, options, "maxLayerSize", d.maxArchiveSize());
        long maxEntry = size(driver, options, "maxEntrySize", d.maxEntrySize());
        long maxEntries = size(driver, options, "maxEntries", d.maxEntries());
        boolean devices = DEFAULTS.allowDeviceNodes();
        String dev = options.get("allowDeviceNodes");
        if (dev != null) {
            if (!dev.equals("true") && !dev.equals("false")) {
                throw new InvalidConfigException("engine configuration", "driverOptions." + driver + ".allowDeviceNodes",
                        "must be true or false, not \"" + dev + "\"");
            }
            devices = Boolean.parseBoolean(dev);
        }
        return new UnpackOptions(new TarLimits(maxEntry, maxLayer, maxEntries), devices);
    }

    private static long size(String driver, Map<String, String> options, String key, long fallback) {
        String value = options.get(key);
        if (value == null) {
            return fallback;
        }
        String v = value.trim().toLowerCase(Locale.ROOT);
        int shift = 0;
        if (!v.isEmpty()) {
            switch (v.charAt(v.length() - 1)) {
                case 'k' -> shift = 10;
                case 'm' -> shift = 20;
                case 'g' -> shift = 30;
                case 't' -> shift = 40;
                default -> shift = -1;
            }
            if (shift >= 0) {
                v = v.substring(0, v.length() - 1);
            } else {
                shift = 0;
            }
        }
        try {
            long n = Long.parseLong(v);
            if (n < 0 || n > (Long.MAX_VALUE >> shift)) {
                throw new NumberFormatException();
            }
            return n << shift;
        } catch (NumberFormatException e) {
            throw new InvalidConfigException("engine configuration", "driverOptions." + driver + "." + key,
                    "must be a non-negative number of bytes, optionally with k, m, g or t, not \"" + value + "\"");
        }
    }
}
