package jctr.mgmt.engine;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import jctr.kernel.InvalidConfigException;

/** Sizes as Docker writes them: {@code 1024}, {@code 10k}, {@code 64m}, {@code 2g}, {@code 1.5GB} (binary units). */
public final class Sizes {

    private static final Pattern SIZE = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*([kmgtp]?)i?b?", Pattern.CASE_INSENSITIVE);

    private Sizes() {
    }

    /** Bytes for {@code text}; a malformed size is an error naming {@code field}. */
    public static long parse(String text, String field) {
        Matcher m = SIZE.matcher(text.trim());
        if (!m.matches()) {
            throw new InvalidConfigException("", field, "invalid size: '" + text + "'");
        }
        double n = Double.parseDouble(m.group(1));
        int shift = switch (m.group(2).toLowerCase(Locale.ROOT)) {
            case "k" -> 10;
            case "m" -> 20;
            case "g" -> 30;
            case "t" -> 40;
            case "p" -> 50;
            default -> 0;
        };
        return (long) (n * (1L << shift));
    }
}
