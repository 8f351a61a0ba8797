package jctr.cgroup.v2;

import java.util.Optional;

import jctr.kernel.InvalidConfigException;
import jctr.kernel.UnsupportedFeatureException;

/** Shared validation helpers for the controllers: errors that name the OCI field. */
final class Checks {

    static final String RESOURCES = "linux.resources";

    private Checks() {
    }

    static InvalidConfigException invalid(String field, String problem) {
        return new InvalidConfigException("", field, problem);
    }

    static UnsupportedFeatureException unsupported(String field, String why) {
        return new UnsupportedFeatureException(field + ": " + why);
    }

    /** A limit that may be -1 (unlimited): "max" for -1, the number when positive, empty for 0 (unset, as runc). */
    static Optional<String> limit(String field, Long value) {
        if (value == null || value == 0) {
            return Optional.empty();
        }
        if (value == -1) {
            return Optional.of("max");
        }
        if (value < 0) {
            throw invalid(field, "must be -1 (unlimited) or a positive number, got " + value);
        }
        return Optional.of(Long.toString(value));
    }

    /** Parses a cgroup v2 limit value: {@code max} is -1. Empty or unparsable text is empty. */
    static Optional<Long> parseLimit(String text) {
        String t = text.trim();
        if (t.equals("max")) {
            return Optional.of(-1L);
        }
        try {
            return Optional.of(Long.parseLong(t));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }
}
