package jctr.kernel.image;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Objects;
import java.util.regex.Pattern;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

import jctr.kernel.InvalidConfigException;

/**
 * A content digest as the OCI image spec writes it: {@code sha256:<64 lower-case hex>} (or sha512 with
 * 128 hex digits). Blobs, manifests, configs and layers are named by it; an image's id is its config's
 * digest.
 *
 * @param algorithm {@code sha256} or {@code sha512}
 * @param hex the encoded hash, lower-case hex of the algorithm's length
 */
public record Digest(String algorithm, String hex) {

    private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");
    private static final Pattern SHA512 = Pattern.compile("[0-9a-f]{128}");

    public Digest {
        Objects.requireNonNull(algorithm, "algorithm");
        Objects.requireNonNull(hex, "hex");
        Pattern p = switch (algorithm) {
            case "sha256" -> SHA256;
            case "sha512" -> SHA512;
            default -> throw new IllegalArgumentException("unsupported digest algorithm " + algorithm);
        };
        if (!p.matcher(hex).matches()) {
            throw new IllegalArgumentException("invalid " + algorithm + " hex: " + hex);
        }
    }

    /** Parses {@code algorithm:hex}; the error names {@code value}. */
    @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
    public static Digest parse(String value) {
        return parse("", "digest", value);
    }

    /**
     * Parses {@code algorithm:hex}.
     *
     * @param source the document the value comes from (for the error), may be empty
     * @param field the field the value comes from (for the error)
     * @throws InvalidConfigException if the value is not a sha256 or sha512 digest
     */
    public static Digest parse(String source, String field, String value) {
        if (value == null) {
            throw new InvalidConfigException(source, field, "digest is missing");
        }
        int colon = value.indexOf(':');
        if (colon < 0) {
            throw new InvalidConfigException(source, field, "invalid digest \"" + value + "\": expected sha256:<64 hex digits>");
        }
        String alg = value.substring(0, colon);
        if (!alg.equals("sha256") && !alg.equals("sha512")) {
            throw new InvalidConfigException(source, field, "unsupported digest algorithm in \"" + value
                    + "\": jctr supports sha256 and sha512");
        }
        try {
            return new Digest(alg, value.substring(colon + 1));
        } catch (IllegalArgumentException e) {
            throw new InvalidConfigException(source, field, "invalid digest \"" + value + "\": expected " + alg
                    + ":<" + (alg.equals("sha256") ? 64 : 128) + " lower-case hex digits>");
        }
    }

    /** The sha256 digest of {@code content}. */
    public static Digest sha256(byte[] content) {
        return of("sha256", content);
    }

    /** The digest of {@code content} with {@code algorithm} ({@code sha256} or {@code sha512}). */
    public static Digest of(String algorithm, byte[] content) {
        return new Digest(algorithm, HexFormat.of().formatHex(newMessageDigest(algorithm).digest(content)));
    }

    /** A fresh SHA-256 {@link MessageDigest}. */
    public static MessageDigest newSha256() {
        return newMessageDigest("sha256");
    }

    /** A fresh {@link MessageDigest} for this digest's algorithm. */
    public MessageDigest newMessageDigest() {
        return newMessageDigest(algorithm);
    }

    /** The digest a finished {@link MessageDigest} of {@code algorithm} computed. */
    public static Digest of(String algorithm, MessageDigest md) {
        return new Digest(algorithm, HexFormat.of().formatHex(md.digest()));
    }

    private static MessageDigest newMessageDigest(String algorithm) {
        try {
            return MessageDigest.getInstance(algorithm.equals("sha256") ? "SHA-256" : "SHA-512");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no " + algorithm, e);
        }
    }

    /** The first 12 hex digits, as Docker shows image and layer ids. */
    public String shortHex() {
        return hex.substring(0, 12);
    }

    @JsonValue
    @Override
    public String toString() {
        return algorithm + ":" + hex;
    }
}
