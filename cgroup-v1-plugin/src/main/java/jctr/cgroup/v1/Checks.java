package jctr.cgroup.v1;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Pattern;

import jctr.kernel.InvalidConfigException;
import jctr.kernel.UnsupportedFeatureException;

/** Validation of {@code linux.resources} values before anything is written: each failure names the field. */
final class Checks {

    /** A cpuset list: {@code 0-2,4,7}. Whitespace, empty items and open ranges ({@code 0-}) are not allowed. */
    private static final Pattern CPU_LIST = Pattern.compile("\\d+(-\\d+)?(,\\d+(-\\d+)?)*");

    private Checks() {
    }

    static InvalidConfigException invalid(String field, String problem) {
        return new InvalidConfigException("", field, problem);
    }

    /** {@code value} must be in {@code min..max} when set. */
    static void range(String field, Number value, long min, long max) {
        if (value != null && (value.longValue() < min || value.longValue() > max)) {
            throw invalid(field, "must be between " + min + " and " + max + ", got " + value);
        }
    }

    /** A byte count or limit: {@code -1} (unlimited) or not negative. */
    static void limitOrUnlimited(String field, Long value) {
        if (value != null && value < -1) {
            throw invalid(field, "must be -1 (unlimited) or at least 0, got " + value);
        }
    }

    static void notNegative(String field, Number value) {
        if (value != null && value.longValue() < 0) {
            throw invalid(field, "must not be negative, got " + value);
        }
    }

    /** A cpuset list such as {@code 0-3,6}; empty means "not set". */
    static void cpuList(String field, String list) {
        if (list == null || list.isEmpty()) {
            return;
        }
        if (!CPU_LIST.matcher(list).matches()) {
            throw invalid(field, "must be a list of numbers and ranges such as 0-3,6, got \"" + list + "\"");
        }
        for (String item : list.split(",")) {
            int dash = item.indexOf('-');
            if (dash > 0) {
                long from;
                long to;
                try {
                    from = Long.parseLong(item.substring(0, dash));
                    to = Long.parseLong(item.substring(dash + 1));
                } catch (NumberFormatException e) {
                    throw invalid(field, "number too large in \"" + list + "\"");
                }
                if (from > to) {
                    throw invalid(field, "range " + item + " runs backwards in \"" + list + "\"");
                }
            }
        }
    }

    /** A single word the kernel will parse as one token (device and interface names). */
    static void word(String field, String value) {
        if (value == null || value.isEmpty() || !value.chars().allMatch(c -> c > ' ' && c < 127)) {
            throw invalid(field, "must be a non-empty name without spaces, got \"" + value + "\"");
        }
    }

    /**
     * The field needs control file {@code file} in the cgroup directory {@code dir}.
     *
     * @param why what the missing file means for the operator, e.g. {@code swap accounting is off}
     */
    static void requireFile(Path dir, String file, String field, String why) {
        if (!Files.exists(dir.resolve(file))) {
            throw new UnsupportedFeatureException(field + ": " + why + " (no " + file + " in " + dir + ")");
        }
    }
}
