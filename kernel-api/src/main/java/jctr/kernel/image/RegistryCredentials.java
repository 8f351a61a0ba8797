package jctr.kernel.image;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;

import jctr.kernel.InvalidConfigException;
import jctr.kernel.oci.OciJson;

/**
 * Where registry credentials come from: given explicitly (a flag), or the {@code auths} section of a Docker
 * client config ({@code ~/.docker/config.json}, or {@code $DOCKER_CONFIG/config.json}), whose entries hold
 * {@code base64(user:password)} keyed by registry host (Docker Hub as {@code https://index.docker.io/v1/}).
 * Credential helpers ({@code credsStore}, {@code credHelpers}) are not run.
 */
public final class RegistryCredentials {

    /** A user name and password (or token) for Basic authentication. */
    public record Credentials(String username, String password) {
        @Override
        public String toString() {
            return "Credentials[" + username + ", ****]"; // never log the secret
        }

        /** The {@code Authorization} header value. */
        String basicHeader() {
            return "Basic " + Base64.getEncoder().encodeToString((username + ":" + password).getBytes(StandardCharsets.UTF_8));
        }
    }

    /** No credentials for any registry. */
    public static final RegistryCredentials NONE = new RegistryCredentials(Map.of());

    private final Map<String, Credentials> byHost;

    private RegistryCredentials(Map<String, Credentials> byHost) {
        this.byHost = Map.copyOf(byHost);
    }

    /** The same credentials for every registry. */
    public static RegistryCredentials fixed(Credentials credentials) {
        return new RegistryCredentials(Map.of("*", credentials));
    }

    /** Parses {@code user:password} (as a command-line flag takes it). */
    public static Credentials parseFlag(String userColonPassword) {
        int colon = userColonPassword.indexOf(':');
        if (colon <= 0) {
            throw new InvalidConfigException("command line", "--creds", "expected USER:PASSWORD");
        }
        return new Credentials(userColonPassword.substring(0, colon), userColonPassword.substring(colon + 1));
    }

    /** The credentials of the Docker client config of this user (missing file: none). */
    public static RegistryCredentials fromDockerConfig(Map<String, String> env) {
        String dir = env.get("DOCKER_CONFIG");
        Path file = dir != null ? Path.of(dir, "config.json") : Path.of(System.getProperty("user.home"), ".docker", "config.json");
        return fromDockerConfig(file);
    }

    /** The credentials in a Docker client config file (missing file: none). */
    public static RegistryCredentials fromDockerConfig(Path file) {
        if (!Files.isRegularFile(file)) {
            return NONE;
        }
        JsonNode root;
        try {
            root = OciJson.mapper().readTree(Files.readAllBytes(file));
        } catch (IOException e) {
            if (e instanceof com.fasterxml.jackson.core.JsonProcessingException) {
                throw new InvalidConfigException(file.toString(), "", "not valid JSON: " + e.getMessage().lines().findFirst().orElse(""));
            }
            throw new UncheckedIOException("reading " + file, e);
        }
        Map<String, Credentials> out = new HashMap<>();
        JsonNode auths = root == null ? null : root.get("auths");
        if (auths != null && auths.isObject()) {
            for (Map.Entry<String, JsonNode> e : auths.properties()) {
                JsonNode auth = e.getValue().get("auth");
                if (auth == null || !auth.isTextual() || auth.asText().isEmpty()) {
                    continue;
                }
                String decoded;
                try {
                    decoded = new String(Base64.getDecoder().decode(auth.asText()), StandardCharsets.UTF_8);
                } catch (IllegalArgumentException ex) {
                    throw new InvalidConfigException(file.toString(), "auths." + e.getKey() + ".auth", "is not base64");
                }
                int colon = decoded.indexOf(':');
                if (colon <= 0) {
                    throw new InvalidConfigException(file.toString(), "auths." + e.getKey() + ".auth",
                            "does not decode to user:password");
                }
                out.put(hostKey(e.getKey()), new Credentials(decoded.substring(0, colon), decoded.substring(colon + 1)));
            }
        }
        return new RegistryCredentials(out);
    }

    /** The credentials for registry {@code domain} (as in a {@link Reference}), if any. */
    public Optional<Credentials> forRegistry(String domain) {
        Credentials c = byHost.get("*");
        if (c != null) {
            return Optional.of(c);
        }
        c = byHost.get(hostKey(domain));
        if (c == null && domain.equals(Reference.DOCKER_HUB)) {
            c = byHost.get("index.docker.io");
            if (c == null) {
                c = byHost.get("registry-1.docker.io");
            }
        }
        return Optional.ofNullable(c);
    }

    /** A config key ({@code https://host:port/v1/}) reduced to {@code host:port}. */
    static String hostKey(String key) {
        String k = key;
        int scheme = k.indexOf("://");
        if (scheme >= 0) {
            k = k.substring(scheme + 3);
        }
        int slash = k.indexOf('/');
        if (slash >= 0) {
            k = k.substring(0, slash);
        }
        return k;
    }
}
