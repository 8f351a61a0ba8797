package jctr.kernel.layer;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.regex.Pattern;

import jctr.kernel.InvalidConfigException;
import jctr.kernel.state.ContainerIds;

/**
 * Layer and container ids as directory names in a storage driver's data directory.
 */
public final class StorageIds {

    /** Layer ids: what the image store uses (an OCI chain id {@code sha256:<hex>}) and similar names. */
    private static final Pattern LAYER_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.:+-]{0,199}");
    /** Container ids up to this length are their own directory name. */
    private static final int DIRECT_NAME_MAX = 200;

    private StorageIds() {
    }

    /**
     * @throws InvalidConfigException unless {@code id} is 1 to 200 letters, digits, {@code _ . : + -},
     *         starting with a letter or digit
     */
    public static String checkLayerId(String id) {
        if (id == null || !LAYER_ID.matcher(id).matches()) {
            throw new InvalidConfigException("", "layer id", "invalid layer id \"" + id
                    + "\": use 1 to 200 letters, digits, '_', '.', ':', '+', '-' starting with a letter or digit");
        }
        return id;
    }

    /** Whether {@code id} is a well-formed layer id (see {@link #checkLayerId}). */
    public static boolean isLayerId(String id) {
        return id != null && LAYER_ID.matcher(id).matches();
    }

    /**
     * The directory name for container {@code id} (checked with {@link ContainerIds#check}): the id
     * itself, or for ids longer than a file name may be, {@code #} and the SHA-256 of the id ({@code #}
     * cannot occur in an id, so the two forms never collide).
     */
    public static String containerDirectory(String id) {
        ContainerIds.check(id);
        if (id.length() <= DIRECT_NAME_MAX) {
            return id;
        }
        try {
            return "#" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(id.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }
}
