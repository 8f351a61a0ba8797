package jctr.ns;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import jctr.kernel.oci.Capabilities;
import jctr.kernel.oci.LinuxSpec;
import jctr.kernel.oci.ProcessSpec;
import jctr.kernel.oci.Rlimit;
import jctr.kernel.oci.Root;
import jctr.kernel.oci.Seccomp;
import jctr.kernel.oci.SeccompSyscall;
import jctr.kernel.oci.Spec;
import jctr.kernel.oci.User;
import jctr.kernel.sys.ExitStatus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What the process may do: masked and read-only paths, capabilities, no_new_privs, sysctls, rlimits, seccomp, user. */
class SecurityIT extends WithContainerHarness {

    private static Map<String, String> status(String output) {
        return output.lines().filter(l -> l.contains(":\t")).collect(java.util.stream.Collectors.toMap(
                l -> l.substring(0, l.indexOf(':')), l -> l.substring(l.indexOf(':') + 1).trim(), (a, b) -> b));
    }

    private static Spec withProcess(Spec spec, java.util.function.UnaryOperator<ProcessSpec> change) {
        return spec.withProcess(change.apply(spec.process()));
    }

    @Test
    void maskedPathsAreUnreadableAndReadonlyPathsReadOnly() {
        var r = h.run(h.spec("/bin/sh", "-c",
                "echo keys=$(wc -c < /proc/keys) timers=$(wc -c < /proc/timer_list); ls /sys/firmware | wc -l;"
                + " (echo 1 > /proc/sys/kernel/domainname) 2>/dev/null && echo sys-writable || echo sys-readonly;"
                + " (echo x > /proc/sysrq-trigger) 2>/dev/null && echo sysrq-writable || echo sysrq-readonly"));
        assertEquals("keys=0 timers=0\n0\nsys-readonly\nsysrq-readonly\n", r.output());
    }

    @Test
    void readOnlyRootFileSystem() {
        Spec spec = h.spec("/bin/sh", "-c", "touch /x 2>/dev/null && echo root-writable || echo root-readonly;"
                + " touch /dev/shm/x && echo shm-writable");
        var r = h.run(spec.withRoot(new Root(spec.root().path(), true)));
        assertEquals("root-readonly\nshm-writable\n", r.output());
    }

    @Test
    void capabilitiesAreExactlyTheConfiguredSets() {
        // CAP_KILL=5, CAP_NET_BIND_SERVICE=10, CAP_AUDIT_WRITE=29 (default caps); bounding adds CAP_CHOWN=0
        Spec spec = withProcess(h.spec("/bin/cat", "/proc/self/status"), p -> new ProcessSpec(p.terminal(), null,
                p.user(), p.args(), p.env(), p.cwd(), new Capabilities(
                        List.of("CAP_CHOWN", "CAP_KILL", "CAP_NET_BIND_SERVICE", "CAP_AUDIT_WRITE"),
                        List.of("CAP_KILL", "CAP_NET_BIND_SERVICE"),
                        List.of("CAP_KILL", "CAP_NET_BIND_SERVICE", "CAP_AUDIT_WRITE"),
                        List.of("CAP_KILL", "CAP_NET_BIND_SERVICE", "CAP_AUDIT_WRITE"),
                        List.of("CAP_KILL")), p.rlimits(), true, null, null, null));
        Map<String, String> st = status(h.run(spec).output());
        assertEquals("0000000020000421", st.get("CapBnd"));
        // root would exec with permitted = inheritable | bounding, but no_new_privs forbids gaining CAP_CHOWN
        assertEquals("0000000020000420", st.get("CapPrm"));
        assertEquals("0000000020000420", st.get("CapEff"));
        assertEquals("0000000020000420", st.get("CapInh"));
        assertEquals("0000000000000020", st.get("CapAmb"));
        assertEquals("1", st.get("NoNewPrivs"));
    }

    @Test
    void aNonRootUserKeepsOnlyAmbientCapabilitiesAcrossExec() {
        Spec spec = withProcess(h.spec("/bin/sh", "-c", "id; cat /proc/self/status"), p -> new ProcessSpec(false, null,
                new User(1000, 1000, 0027, List.of(10L, 20L), null), p.args(), p.env(), "/tmp",
                new Capabilities(List.of("CAP_NET_BIND_SERVICE", "CAP_KILL"), List.of("CAP_NET_BIND_SERVICE"),
                        List.of("CAP_NET_BIND_SERVICE"), List.of("CAP_NET_BIND_SERVICE"), List.of("CAP_NET_BIND_SERVICE")),
                p.rlimits(), false, null, null, null));
        String out = h.run(spec).output();
        assertTrue(out.startsWith("uid=1000 gid=1000 groups=10,20"), out);
        Map<String, String> st = status(out);
        assertEquals("0000000000000420", st.get("CapBnd"));
        assertEquals("0000000000000400", st.get("CapEff"));
        assertEquals("0000000000000400", st.get("CapAmb"));
        assertEquals("0", st.get("NoNewPrivs"));
        assertEquals("0027", st.get("Umask"));
    }

    @Test
    void sysctlsRlimitsAndOomScoreAreApplied() {
        Spec base = withProcess(h.spec("/bin/sh", "-c", "cat /proc/sys/net/ipv4/ip_forward /proc/sys/kernel/msgmax;"
                + " ulimit -n; ulimit -Hn; cat /proc/self/oom_score_adj"), p -> new ProcessSpec(false, null, p.user(),
                p.args(), p.env(), p.cwd(), p.capabilities(), List.of(new Rlimit("RLIMIT_NOFILE", 2048, 512)), true,
                null, 123, null));
        LinuxSpec l = base.linux();
        Spec spec = base.withLinux(new LinuxSpec(l.namespaces(), null, null,
                Map.of("net.ipv4.ip_forward", "1", "kernel.msgmax", "4242"), null, null, null, null, l.maskedPaths(),
                l.readonlyPaths(), null, null, null));
        assertEquals("1\n4242\n512\n2048\n123\n", h.run(spec).output());
    }

    @Test
    void seccompRulesReturnTheirErrnoInside() {
        Spec base = h.spec("/bin/sh", "-c", "mkdir /tmp/d 2>&1; echo rc=$?; chmod 600 /tmp 2>&1; ls -d /tmp");
        LinuxSpec l = base.linux();
        Seccomp profile = new Seccomp("SCMP_ACT_ALLOW", null, List.of("SCMP_ARCH_X86_64"), null, null, null,
                List.of(new SeccompSyscall(List.of("mkdir", "mkdirat"), "SCMP_ACT_ERRNO", null, null),
                        new SeccompSyscall(List.of("chmod", "fchmodat", "fchmodat2"), "SCMP_ACT_ERRNO", 13, null)));
        Spec spec = base.withLinux(l.withSeccomp(profile));
        var r = h.run(spec);
        assertTrue(r.output().contains("Operation not permitted"), r.output());
        assertTrue(r.output().contains("Permission denied"), r.output());
        assertTrue(r.output().contains("rc=1\n"), r.output());
        // the same filter without no_new_privs is installed while CAP_SYS_ADMIN is still held
        var r2 = h.run(withProcess(spec, p -> new ProcessSpec(false, null, p.user(), p.args(), p.env(), p.cwd(),
                p.capabilities(), p.rlimits(), false, null, null, null)));
        assertTrue(r2.output().contains("Operation not permitted"), r2.output());
        assertEquals(ExitStatus.exited(0), r2.status());
    }

    @Test
    void hostnameDomainnameEnvAndCwd() {
        Spec base = withProcess(h.spec("/bin/sh", "-c", "hostname; dnsdomainname 2>/dev/null || cat /proc/sys/kernel/domainname;"
                + " pwd; echo $GREETING"), p -> new ProcessSpec(false, null, p.user(), p.args(),
                List.of("PATH=/bin", "GREETING=hello"), "/var/new/dir", p.capabilities(), p.rlimits(), true, null, null,
                null));
        Spec spec = new Spec(base.ociVersion(), base.process(), base.root(), "box", "example.org", base.mounts(), null,
                Map.of(), base.linux());
        assertEquals("box\nexample.org\n/var/new/dir\nhello\n", h.run(spec).output());
    }
}
