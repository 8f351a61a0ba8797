package jctr.kernel.oci;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;

class DefaultSeccompTest {

    /** The resolved resource must be exactly the conditional one resolved for Docker's default capabilities. */
    @Test
    void resolvedResourceMatchesConditionalSourceForDefaultCapabilities() throws IOException {
        String expected = OciJson.write(DefaultSeccomp.profile(DefaultSeccomp.DOCKER_DEFAULT_CAPABILITIES)) + "\n";
        if (Boolean.getBoolean("jctr.seccomp.regenerate")) {
            // scripts/seccomp/regenerate-default-profile.sh: rewrite the resource from the conditional source.
            Path file = Path.of(System.getProperty("jctr.project.root"),
                    "kernel-api/src/main/resources/jctr/kernel/oci/default-seccomp.json");
            Files.writeString(file, expected);
        }
        String actual;
        try (InputStream in = DefaultSeccomp.class.getResourceAsStream("default-seccomp.json")) {
            actual = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        assertEquals(expected, actual, "default-seccomp.json is stale: run scripts/seccomp/regenerate-default-profile.sh");
        assertEquals(DefaultSeccomp.profile(DefaultSeccomp.DOCKER_DEFAULT_CAPABILITIES), DefaultSeccomp.profile());
    }

    @Test
    void defaultProfileIsAnAllowlistForTheThreeX86Abis() {
        Seccomp p = DefaultSeccomp.profile();
        assertEquals("SCMP_ACT_ERRNO", p.defaultAction());
        assertEquals(1, p.defaultErrnoRet());
        assertEquals(List.of("SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"), p.architectures());
        assertTrue(names(p, "SCMP_ACT_ALLOW").containsAll(Set.of("read", "write", "execve", "chroot", "arch_prctl")));
        assertFalse(names(p, "SCMP_ACT_ALLOW").contains("reboot"));
        assertFalse(names(p, "SCMP_ACT_ALLOW").contains("mount"));
        assertTrue(SpecValidator.problems(specWith(p), false).isEmpty(), "the default profile passes validation");
    }

    @Test
    void sysAdminUnlocksMountAndNamespacesAndDropsTheClone3Errno() {
        Set<Capability> caps = EnumSet.copyOf(DefaultSeccomp.DOCKER_DEFAULT_CAPABILITIES);
        caps.add(Capability.CAP_SYS_ADMIN);
        Seccomp admin = DefaultSeccomp.profile(caps);
        assertTrue(names(admin, "SCMP_ACT_ALLOW").containsAll(Set.of("mount", "umount2", "unshare", "setns", "clone",
                "clone3", "sethostname")));
        assertFalse(names(admin, "SCMP_ACT_ERRNO").contains("clone3"));
        assertTrue(admin.syscalls().stream().noneMatch(r -> !r.args().isEmpty() && r.names().contains("clone")),
                "the masked clone rule is excluded with CAP_SYS_ADMIN");

        Seccomp plain = DefaultSeccomp.profile();
        assertTrue(names(plain, "SCMP_ACT_ERRNO").contains("clone3"));
        SeccompSyscall clone = plain.syscalls().stream()
                .filter(r -> r.names().equals(List.of("clone"))).findFirst().orElseThrow();
        assertEquals(new SeccompArg(0, 0x7E020000L, null, "SCMP_CMP_MASKED_EQ"), clone.args().getFirst());
    }

    @Test
    void withoutCapabilitiesOnlyTheUnconditionalRulesRemain() {
        Seccomp none = DefaultSeccomp.profile(EnumSet.noneOf(Capability.class));
        assertFalse(names(none, "SCMP_ACT_ALLOW").contains("chroot"));
        assertTrue(names(none, "SCMP_ACT_ALLOW").contains("read"));
        Set<Capability> all = EnumSet.allOf(Capability.class);
        Seccomp every = DefaultSeccomp.profile(all);
        assertTrue(names(every, "SCMP_ACT_ALLOW").containsAll(Set.of("reboot", "chroot", "init_module", "ptrace", "bpf",
                "perf_event_open", "settimeofday", "iopl", "syslog", "open_by_handle_at", "mbind", "acct", "vhangup")));
    }

    private static Set<String> names(Seccomp p, String action) {
        return p.syscalls().stream().filter(r -> r.action().equals(action))
                .flatMap(r -> r.names().stream()).collect(java.util.stream.Collectors.toSet());
    }

    private static Spec specWith(Seccomp seccomp) {
        String json = "{\"ociVersion\":\"1.2.0\",\"root\":{\"path\":\"rootfs\"},\"linux\":{\"seccomp\":"
                + OciJson.write(seccomp) + "}}";
        return OciJson.parse("test", json, Spec.class, false);
    }
}
