package jctr.kernel.image;

import java.net.http.HttpHeaders;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * One {@code WWW-Authenticate} challenge (RFC 7235): {@code Bearer realm="https://auth/token",
 * service="registry",scope="repository:library/busybox:pull"} or {@code Basic realm="..."}.
 *
 * @param scheme lower-case: {@code bearer} or {@code basic}
 * @param params parameter names in lower case, values unquoted
 */
record AuthChallenge(String scheme, Map<String, String> params) {

    AuthChallenge {
        params = Map.copyOf(params);
    }

    /** The first Bearer challenge among the response's, else the first Basic one. */
    static Optional<AuthChallenge> from(HttpHeaders headers) {
        List<String> values = headers.allValues("WWW-Authenticate");
        Optional<AuthChallenge> basic = Optional.empty();
        for (String v : values) {
            Optional<AuthChallenge> c = parse(v);
            if (c.isPresent() && c.get().scheme().equals("bearer")) {
                return c;
            }
            if (c.isPresent() && c.get().scheme().equals("basic") && basic.isEmpty()) {
                basic = c;
            }
        }
        return basic;
    }

    /** Parses one header value; empty when it is not a challenge jctr understands. */
    static Optional<AuthChallenge> parse(String value) {
        String v = value.trim();
        int sp = v.indexOf(' ');
        String scheme = (sp < 0 ? v : v.substring(0, sp)).toLowerCase(Locale.ROOT);
        if (!scheme.equals("bearer") && !scheme.equals("basic")) {
            return Optional.empty();
        }
        Map<String, String> params = new LinkedHashMap<>();
        int i = sp < 0 ? v.length() : sp + 1;
        while (i < v.length()) {
            while (i < v.length() && (v.charAt(i) == ' ' || v.charAt(i) == ',')) {
                i++;
            }
            int eq = v.indexOf('=', i);
            if (eq < 0) {
                break;
            }
            String key = v.substring(i, eq).trim().toLowerCase(Locale.ROOT);
            i = eq + 1;
            StringBuilder val = new StringBuilder();
            if (i < v.length() && v.charAt(i) == '"') {
                i++;
                while (i < v.length() && v.charAt(i) != '"') {
                    if (v.charAt(i) == '\\' && i + 1 < v.length()) {
                        i++;
                    }
                    val.append(v.charAt(i++));
                }
                i++; // closing quote
            } else {
                while (i < v.length() && v.charAt(i) != ',') {
                    val.append(v.charAt(i++));
                }
            }
            params.put(key, val.toString().trim());
        }
        return Optional.of(new AuthChallenge(scheme, params));
    }
}
