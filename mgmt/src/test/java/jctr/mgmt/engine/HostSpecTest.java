package jctr.mgmt.engine;

import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;

import jctr.kernel.InvalidConfigException;
import jctr.kernel.UnsupportedFeatureException;
import jctr.kernel.oci.Capability;
import jctr.kernel.oci.LinuxResources;
import jctr.kernel.oci.Seccomp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Docker's host config rules: validation at create, and the linux.resources and capabilities they give. */
class HostSpecTest {

    static HostConfig host(Map<String, Object> fields) {
        return DockerJson.mapper().convertValue(fields, HostConfig.class);
    }

    @Test
    void cpusBecomeAQuotaOverDockersPeriod() {
        LinuxResources r = HostSpec.resources(host(Map.of("NanoCpus", 1_500_000_000L)), LinuxResources.EMPTY);
        assertEquals(100_000L, r.cpu().period());
        assertEquals(150_000L, r.cpu().quota());
    }

    @Test
    void memorySharesCpusetPidsAndBlkioAreMapped() {
        LinuxResources r = HostSpec.resources(host(Map.of("Memory", 536870912L, "MemorySwap", 1073741824L,
                "CpuShares", 512, "CpusetCpus", "0", "PidsLimit", 50, "BlkioWeight", 300)), LinuxResources.EMPTY);
        assertEquals(536870912L, r.memory().limit());
        assertEquals(1073741824L, r.memory().swap());
        assertEquals(512L, r.cpu().shares());
        assertEquals("0", r.cpu().cpus());
        assertEquals(50L, r.pids().limit());
        assertEquals(300, r.blockIO().weight());
    }

    @Test
    void nothingAskedLeavesResourcesAlone() {
        LinuxResources r = HostSpec.resources(host(Map.of()), LinuxResources.EMPTY);
        assertNull(r.memory());
        assertNull(r.cpu());
        assertNull(r.pids());
    }

    @Test
    void badValuesAreRefusedWithTheirField() {
        InvalidConfigException e = assertThrows(InvalidConfigException.class,
                () -> HostSpec.validate(host(Map.of("Memory", -5))));
        assertEquals("HostConfig.Memory", e.field());
        assertThrows(InvalidConfigException.class, () -> HostSpec.validate(host(Map.of("Memory", 1024))));
        assertThrows(InvalidConfigException.class, () -> HostSpec.validate(host(Map.of("MemorySwap", 1_000_000_000L))));
        assertThrows(InvalidConfigException.class, () -> HostSpec.validate(host(Map.of("BlkioWeight", 5))));
        assertThrows(InvalidConfigException.class, () -> HostSpec.validate(host(Map.of("CapAdd", List.of("NOPE")))));
        assertThrows(InvalidConfigException.class, () -> HostSpec.validate(host(Map.of(
                "RestartPolicy", Map.of("Name", "always"), "AutoRemove", true))));
        assertThrows(InvalidConfigException.class, () -> HostSpec.validate(host(Map.of(
                "SecurityOpt", List.of("seccomp={not json")))));
    }

    @Test
    void portPublishingIsRefusedNotIgnored() {
        UnsupportedFeatureException e = assertThrows(UnsupportedFeatureException.class, () -> HostSpec.validate(host(
                Map.of("PortBindings", Map.of("80/tcp", List.of(Map.of("HostIp", "", "HostPort", "8080")))))));
        assertTrue(e.getMessage().contains("port publishing"), e.getMessage());
        HostSpec.validate(host(Map.of("PortBindings", Map.of())));
        assertThrows(UnsupportedFeatureException.class, () -> HostSpec.validate(host(Map.of("NetworkMode", "mynet"))));
        HostSpec.validate(host(Map.of("NetworkMode", "host")));
        HostSpec.validate(host(Map.of("NetworkMode", "default")));
    }

    @Test
    void capabilitiesStartFromDockersDefaultSet() {
        Set<Capability> caps = HostSpec.capabilities(host(Map.of("CapAdd", List.of("NET_ADMIN"), "CapDrop", List.of("CHOWN"))));
        assertTrue(caps.contains(Capability.CAP_NET_ADMIN));
        assertFalse(caps.contains(Capability.CAP_CHOWN));
        assertTrue(caps.contains(Capability.CAP_KILL));
        assertEquals(Set.of(Capability.CAP_KILL), HostSpec.capabilities(host(Map.of("CapDrop", List.of("ALL"),
                "CapAdd", List.of("kill")))));
    }

    @Test
    void aDockerSeccompProfileBecomesAnOciProfile() {
        Seccomp s = HostSpec.parseSeccomp("""
                {"defaultAction": "SCMP_ACT_ALLOW",
                 "archMap": [{"architecture": "SCMP_ARCH_X86_64", "subArchitectures": ["SCMP_ARCH_X86"]}],
                 "syscalls": [{"names": ["mkdir"], "action": "SCMP_ACT_ERRNO", "comment": "no dirs"},
                              {"names": ["mount"], "action": "SCMP_ACT_ALLOW", "includes": {"caps": ["CAP_SYS_ADMIN"]}}]}
                """);
        assertEquals("SCMP_ACT_ALLOW", s.defaultAction());
        assertEquals(List.of("SCMP_ARCH_X86_64", "SCMP_ARCH_X86"), s.architectures());
        assertEquals(1, s.syscalls().size());
        assertEquals(List.of("mkdir"), s.syscalls().getFirst().names());
    }
}
