package jctr.kernel.image;

import java.util.Objects;
import java.util.regex.Pattern;

import jctr.kernel.InvalidConfigException;

/**
 * An image reference normalized as Docker does: {@code busybox} is
 * {@code docker.io/library/busybox}, {@code user/app:1} is {@code docker.io/user/app:1}, and
 * {@code localhost:5000/busybox@sha256:...} names its registry. The first path component is a registry
 * host when it contains {@code .} or {@code :}, is {@code localhost}, or has upper-case letters.
 *
 * @param domain registry host with optional port; {@code docker.io} for Docker Hub
 * @param path repository path within the registry, e.g. {@code library/busybox}
 * @param tag the tag, or null
 * @param digest the manifest digest, or null; when present it decides what is pulled
 */
public record Reference(String domain, String path, String tag, Digest digest) {

    /** Docker Hub's canonical domain. */
    public static final String DOCKER_HUB = "docker.io";
    /** The tag used when a reference names neither tag nor digest. */
    public static final String DEFAULT_TAG = "latest";

    private static final int NAME_MAX = 255;
    private static final String ALNUM = "[a-z0-9]+";
    private static final String SEPARATOR = "(?:[._]|__|-+)";
    private static final Pattern PATH_COMPONENT = Pattern.compile(ALNUM + "(?:" + SEPARATOR + ALNUM + ")*");
    private static final String DOMAIN_COMPONENT = "(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])";
    private static final Pattern DOMAIN = Pattern.compile("(?:" + DOMAIN_COMPONENT + "(?:\\." + DOMAIN_COMPONENT
            + ")*|\\[[0-9a-fA-F:.]+\\])(?::[0-9]{1,5})?");
    private static final Pattern TAG = Pattern.compile("[\\w][\\w.-]{0,127}");
    private static final Pattern IMAGE_ID = Pattern.compile("[a-f0-9]{64}");

    public Reference {
        Objects.requireNonNull(domain, "domain");
        Objects.requireNonNull(path, "path");
    }

    /**
     * Parses and normalizes a reference, keeping what it names: no tag is added (see {@link #orLatest()}).
     *
     * @throws InvalidConfigException naming the reference and what is wrong with it
     */
    public static Reference parse(String reference) {
        if (reference == null || reference.isEmpty()) {
            throw invalid(reference, "it is empty");
        }
        if (IMAGE_ID.matcher(reference).matches()) {
            throw invalid(reference, "64-character hexadecimal strings are image ids, not repository names");
        }
        String name = reference;
        Digest digest = null;
        int at = reference.indexOf('@');
        if (at >= 0) {
            name = reference.substring(0, at);
            String d = reference.substring(at + 1);
            try {
                digest = Digest.parse("", "", d);
            } catch (InvalidConfigException e) {
                throw invalid(reference, "\"" + d + "\" is not a sha256 or sha512 digest");
            }
        }
        String tag = null;
        int colon = name.lastIndexOf(':');
        if (colon > name.lastIndexOf('/')) {
            tag = name.substring(colon + 1);
            name = name.substring(0, colon);
            if (!TAG.matcher(tag).matches()) {
                throw invalid(reference, "invalid tag \"" + tag + "\": use letters, digits, '_', '.', '-' "
                        + "(up to 128, not starting with '.' or '-')");
            }
        }
        if (name.isEmpty()) {
            throw invalid(reference, "the repository name is empty");
        }
        String domain;
        String path;
        int slash = name.indexOf('/');
        String first = slash < 0 ? name : name.substring(0, slash);
        if (slash >= 0 && (first.contains(".") || first.contains(":") || first.equals("localhost")
                || !first.equals(first.toLowerCase(java.util.Locale.ROOT)))) {
            domain = first;
            path = name.substring(slash + 1);
            if (!DOMAIN.matcher(domain).matches()) {
                throw invalid(reference, "invalid registry host \"" + domain + "\"");
            }
        } else {
            domain = DOCKER_HUB;
            path = name;
        }
        if (domain.equals("index.docker.io")) {
            domain = DOCKER_HUB;
        }
        if (domain.equals(DOCKER_HUB) && !path.contains("/")) {
            path = "library/" + path;
        }
        for (String component : path.split("/", -1)) {
            if (!PATH_COMPONENT.matcher(component).matches()) {
                if (!component.equals(component.toLowerCase(java.util.Locale.ROOT))) {
                    throw invalid(reference, "repository name must be lowercase");
                }
                throw invalid(reference, "invalid repository path component \"" + component
                        + "\": use lower-case letters and digits, separated by '.', '_', '__' or dashes");
            }
        }
        if (domain.length() + 1 + path.length() > NAME_MAX) {
            throw invalid(reference, "the repository name is longer than " + NAME_MAX + " characters");
        }
        return new Reference(domain, path, tag, digest);
    }

    private static InvalidConfigException invalid(String reference, String problem) {
        return new InvalidConfigException("", "reference", "invalid reference \"" + reference + "\": " + problem);
    }

    /** This reference, with tag {@code latest} if it names neither tag nor digest (what pull and run use). */
    public Reference orLatest() {
        return tag == null && digest == null ? withTag(DEFAULT_TAG) : this;
    }

    /** The same repository with another tag and no digest. */
    public Reference withTag(String newTag) {
        return new Reference(domain, path, newTag, null);
    }

    /** The same repository with another digest and no tag. */
    public Reference withDigest(Digest newDigest) {
        return new Reference(domain, path, null, newDigest);
    }

    /** {@code domain/path}, e.g. {@code docker.io/library/busybox}. */
    public String repository() {
        return domain + "/" + path;
    }

    /** The repository as Docker shows it: {@code busybox}, {@code user/app}, {@code localhost:5000/busybox}. */
    public String familiarRepository() {
        if (!domain.equals(DOCKER_HUB)) {
            return repository();
        }
        String rest = path;
        if (rest.startsWith("library/") && rest.indexOf('/', "library/".length()) < 0) {
            return rest.substring("library/".length());
        }
        String first = rest.substring(0, rest.indexOf('/') < 0 ? rest.length() : rest.indexOf('/'));
        // A first component that looks like a host would be read back as one: keep the domain then.
        return rest.contains("/") && (first.contains(".") || first.equals("localhost")) ? repository() : rest;
    }

    /** The whole reference as Docker shows it, e.g. {@code busybox:latest}. */
    public String familiar() {
        return familiarRepository() + suffix();
    }

    private String suffix() {
        return (tag != null ? ":" + tag : "") + (digest != null ? "@" + digest : "");
    }

    /** The fully qualified reference, e.g. {@code docker.io/library/busybox:latest}. */
    @Override
    public String toString() {
        return repository() + suffix();
    }
}
