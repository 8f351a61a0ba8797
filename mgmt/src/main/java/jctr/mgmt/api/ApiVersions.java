package jctr.mgmt.api;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The Docker Engine API versions jctr answers, and the {@code /v1.NN} path prefix clients put on every
 * request. The docker CLI uses min(its own version, the {@code Api-Version} that {@code /_ping} advertises).
 */
public final class ApiVersions {

    /** The newest version served (docker CLI 28.2.2 speaks 1.50). */
    public static final String CURRENT = "1.50";
    /** The oldest version accepted. */
    public static final String MINIMUM = "1.24";

    private static final Pattern PREFIX = Pattern.compile("^/v(\\d+)\\.(\\d+)(/.*)$");

    private ApiVersions() {
    }

    /**
     * A request path split into its version (null when the path has no prefix) and the path without it.
     */
    public record Split(String version, String path) {
    }

    /** Splits {@code /v1.50/containers/json?all=1} into {@code 1.50} and {@code /containers/json?all=1}. */
    public static Split split(String uri) {
        Matcher m = PREFIX.matcher(uri);
        if (!m.matches()) {
            return new Split(null, uri);
        }
        return new Split(m.group(1) + "." + m.group(2), m.group(3));
    }

    /**
     * Why {@code version} is not served, or null if it is.
     */
    public static String problem(String version) {
        if (compare(version, MINIMUM) < 0) {
            return "client version " + version + " is too old. Minimum supported API version is " + MINIMUM
                    + ", please upgrade your client to a newer version";
        }
        if (compare(version, CURRENT) > 0) {
            return "client version " + version + " is too new. Maximum supported API version is " + CURRENT;
        }
        return null;
    }

    /** Compares two {@code major.minor} versions numerically. */
    public static int compare(String a, String b) {
        String[] x = a.split("\\.");
        String[] y = b.split("\\.");
        int c = Integer.compare(Integer.parseInt(x[0]), Integer.parseInt(y[0]));
        return c != 0 ? c : Integer.compare(Integer.parseInt(x[1]), Integer.parseInt(y[1]));
    }
}
