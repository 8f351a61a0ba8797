package jctr.kernel.image;

import java.util.List;
import java.util.Locale;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

import jctr.kernel.InvalidConfigException;

/**
 * The platform a manifest is built for, as an image index entry describes it.
 *
 * @param architecture GOARCH style: {@code amd64}, {@code arm64}, {@code arm}, ...
 * @param os GOOS style: {@code linux}, {@code windows}
 * @param osVersion e.g. a Windows build number; unused on Linux
 * @param osFeatures required OS features
 * @param variant CPU variant: {@code v7} for arm, {@code v8} for arm64, {@code v2}..{@code v4} for amd64
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record Platform(String architecture, String os,
                       @JsonProperty("os.version") String osVersion,
                       @JsonProperty("os.features") List<String> osFeatures,
                       String variant) {

    /** The platform jctr runs images for: linux/amd64. */
    public static final Platform LINUX_AMD64 = new Platform("amd64", "linux", null, null, null);

    public Platform {
        osFeatures = ImageCollections.list(osFeatures);
    }

    /**
     * Parses {@code os/arch[/variant]} (as {@code --platform} takes it); {@code x86_64} and {@code aarch64}
     * are accepted for amd64 and arm64.
     *
     * @throws InvalidConfigException naming the value
     */
    public static Platform parse(String value) {
        String[] parts = value == null ? new String[0] : value.toLowerCase(Locale.ROOT).split("/", -1);
        if (parts.length < 2 || parts.length > 3 || parts[0].isEmpty() || parts[1].isEmpty()
                || (parts.length == 3 && parts[2].isEmpty())) {
            throw new InvalidConfigException("", "platform", "invalid platform \"" + value
                    + "\": expected os/architecture[/variant], e.g. linux/amd64");
        }
        return new Platform(normalizeArch(parts[1]), parts[0], null, null, parts.length == 3 ? parts[2] : null);
    }

    /** The architecture name the image spec uses for {@code arch}. */
    static String normalizeArch(String arch) {
        String a = arch == null ? "" : arch.toLowerCase(Locale.ROOT);
        return switch (a) {
            case "x86_64", "x86-64" -> "amd64";
            case "aarch64" -> "arm64";
            case "armhf", "armel" -> "arm";
            case "i386", "i686", "x86" -> "386";
            default -> a;
        };
    }

    /** The variant implied when none is written: arm64 is v8, arm is v7; none elsewhere. */
    String effectiveVariant() {
        if (variant != null && !variant.isEmpty()) {
            return variant;
        }
        return switch (normalizeArch(architecture)) {
            case "arm64" -> "v8";
            case "arm" -> "v7";
            default -> "";
        };
    }

    /** {@code os/arch[/variant]}, as Docker prints platforms. */
    @Override
    public String toString() {
        String s = (os == null ? "?" : os) + "/" + (architecture == null ? "?" : architecture);
        return variant == null || variant.isEmpty() ? s : s + "/" + variant;
    }
}
