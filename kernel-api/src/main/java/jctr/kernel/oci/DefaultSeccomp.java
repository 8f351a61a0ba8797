package jctr.kernel.oci;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * jctr's default seccomp profile: Docker's default profile for x86_64 (an allowlist; everything else
 * fails with EPERM), in OCI {@code linux.seccomp} form.
 *
 * <p>Docker's profile has rules that apply only when the container holds (or lacks) a capability in its
 * bounding set: CAP_SYS_ADMIN allows mount, unshare, setns, clone with namespace flags, ...; without it,
 * clone3 fails with ENOSYS so that libcs fall back to clone. {@link #profile(Set)} resolves those rules
 * for a given bounding set, as Docker does, so {@code --cap-add} and {@code --privileged} get the
 * syscalls their capabilities are for. {@link #profile()} is the profile for Docker's default
 * capability set ({@link #DOCKER_DEFAULT_CAPABILITIES}).
 *
 * <p>Both come from resources in this package: {@code default-seccomp-conditional.json} (Docker's profile
 * reduced to x86_64, with the capability conditions kept as {@code includes.caps}/{@code excludes.caps})
 * and {@code default-seccomp.json} (that one resolved for the default capabilities). docs/seccomp.md
 * tells how they were produced.
 */
public final class DefaultSeccomp {

    /** The capabilities Docker grants a container by default. */
    public static final Set<Capability> DOCKER_DEFAULT_CAPABILITIES = Collections.unmodifiableSet(EnumSet.of(
            Capability.CAP_CHOWN, Capability.CAP_DAC_OVERRIDE, Capability.CAP_FSETID, Capability.CAP_FOWNER,
            Capability.CAP_MKNOD, Capability.CAP_NET_RAW, Capability.CAP_SETGID, Capability.CAP_SETUID,
            Capability.CAP_SETFCAP, Capability.CAP_SETPCAP, Capability.CAP_NET_BIND_SERVICE,
            Capability.CAP_SYS_CHROOT, Capability.CAP_KILL, Capability.CAP_AUDIT_WRITE));

    private static final String RESOLVED = "default-seccomp.json";
    private static final String CONDITIONAL = "default-seccomp-conditional.json";

    /** Each resource is read once, on first use (holder idiom). */
    private static final class Resolved {
        static final Seccomp PROFILE = OciJson.read(RESOLVED, open(RESOLVED), Seccomp.class, true).value();
    }

    private static final class Conditional {
        static final JsonNode TREE = readTree(CONDITIONAL);
    }

    private DefaultSeccomp() {
    }

    /** The default profile for a container with Docker's default capabilities. */
    public static Seccomp profile() {
        return Resolved.PROFILE;
    }

    /**
     * The default profile for a container whose bounding set is {@code bounding}: a rule with
     * {@code includes.caps} applies only when every listed capability is in the set, a rule with
     * {@code excludes.caps} only when none is (Docker's semantics).
     */
    public static Seccomp profile(Set<Capability> bounding) {
        JsonNode root = Conditional.TREE;
        List<SeccompSyscall> rules = new ArrayList<>();
        JsonNode syscalls = root.path("syscalls");
        for (int i = 0; i < syscalls.size(); i++) {
            ObjectNode rule = ((ObjectNode) syscalls.get(i)).deepCopy();
            JsonNode includes = rule.remove("includes");
            JsonNode excludes = rule.remove("excludes");
            if (includes != null && !allGranted(includes.path("caps"), bounding)) {
                continue;
            }
            if (excludes != null && anyGranted(excludes.path("caps"), bounding)) {
                continue;
            }
            rules.add(convert(rule, SeccompSyscall.class, CONDITIONAL + ": syscalls[" + i + "]"));
        }
        ObjectNode top = ((ObjectNode) root).deepCopy();
        top.remove("syscalls");
        Seccomp base = convert(top, Seccomp.class, CONDITIONAL);
        return new Seccomp(base.defaultAction(), base.defaultErrnoRet(), base.architectures(), base.flags(),
                base.listenerPath(), base.listenerMetadata(), rules);
    }

    private static boolean allGranted(JsonNode caps, Set<Capability> bounding) {
        for (JsonNode c : caps) {
            if (!bounding.contains(capability(c))) {
                return false;
            }
        }
        return true;
    }

    private static boolean anyGranted(JsonNode caps, Set<Capability> bounding) {
        for (JsonNode c : caps) {
            if (bounding.contains(capability(c))) {
                return true;
            }
        }
        return false;
    }

    private static Capability capability(JsonNode name) {
        return Capability.parse(name.asText()).orElseThrow(() -> new IllegalStateException(
                CONDITIONAL + " names an unknown capability: " + name.asText()));
    }

    private static <T> T convert(JsonNode node, Class<T> type, String where) {
        try {
            return OciJson.mapper().treeToValue(node, type);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(where + " is not a valid " + type.getSimpleName(), e);
        }
    }

    private static JsonNode readTree(String resource) {
        try (InputStream in = open(resource)) {
            return OciJson.mapper().readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException("reading resource " + resource, e);
        }
    }

    private static InputStream open(String resource) {
        InputStream in = DefaultSeccomp.class.getResourceAsStream(resource);
        if (in == null) {
            throw new IllegalStateException("resource jctr/kernel/oci/" + resource + " is missing from kernel-api");
        }
        return in;
    }
}
