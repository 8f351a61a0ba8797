package jctr.kernel.state;

import java.util.regex.Pattern;

import jctr.kernel.InvalidConfigException;

/** Container id syntax: what runc accepts, and safe as a single path component. */
public final class ContainerIds {

    private static final Pattern ID = Pattern.compile("[A-Za-z0-9_+.-]{1,1024}");

    private ContainerIds() {
    }

    /**
     * @throws InvalidConfigException if {@code id} is empty, too long, {@code .}/{@code ..}, or has
     *         characters other than letters, digits, {@code _ + . -}
     */
    public static String check(String id) {
        if (id == null || !ID.matcher(id).matches() || id.equals(".") || id.equals("..")) {
            throw new InvalidConfigException("", "container id", "invalid container id \"" + id
                    + "\": use letters, digits, '_', '+', '.', '-' (1 to 1024 characters)");
        }
        return id;
    }
}
