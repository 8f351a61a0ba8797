package jctr.ns.seccomp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;

import jctr.kernel.InvalidConfigException;
import jctr.kernel.ResourceLimitException;
import jctr.kernel.UnsupportedFeatureException;
import jctr.kernel.oci.Capability;
import jctr.kernel.oci.DefaultSeccomp;
import jctr.kernel.oci.Seccomp;
import jctr.kernel.oci.SeccompArg;
import jctr.kernel.oci.SeccompSyscall;
import jctr.kernel.sys.Seccomps;
import jctr.ns.seccomp.BpfInterpreter.SeccompData;

class SeccompCompilerTest {

    private static final int X86_64 = SeccompArch.AUDIT_ARCH_X86_64;
    private static final int I386 = SeccompArch.AUDIT_ARCH_I386;
    private static final int ALLOW = Bpf.RET_ALLOW;
    private static final int EPERM = Bpf.RET_ERRNO | 1;
    private static final int ENOSYS = Bpf.RET_ERRNO | 38;
    private static final int KILL_THREAD = Bpf.RET_KILL_THREAD;
    private static final long CLONE_NEWUSER = 0x1000_0000L;
    private static final long CLONE_NEWNS = 0x0002_0000L;

    private static final BpfInterpreter DEFAULT = BpfInterpreter.load(SeccompCompiler.compile(DefaultSeccomp.profile()));

    @Test
    void defaultProfileBlocksWhatDockerBlocks() {
        assertEquals(ALLOW, call(DEFAULT, X86_64, "read"));
        assertEquals(ALLOW, call(DEFAULT, X86_64, "getpid"));
        assertEquals(ALLOW, call(DEFAULT, X86_64, "chroot"), "CAP_SYS_CHROOT is a Docker default capability");
        assertEquals(EPERM, call(DEFAULT, X86_64, "reboot"));
        assertEquals(EPERM, call(DEFAULT, X86_64, "mount"));
        assertEquals(EPERM, call(DEFAULT, X86_64, "unshare"));
        assertEquals(EPERM, call(DEFAULT, X86_64, "kexec_load"));
        assertEquals(EPERM, call(DEFAULT, X86_64, "open_by_handle_at"));
        assertEquals(ENOSYS, call(DEFAULT, X86_64, "clone3"), "clone3 gets ENOSYS so that libcs fall back to clone");
        assertEquals(ALLOW, call(DEFAULT, X86_64, "clone", 0x11L /* SIGCHLD | CLONE_VM-less fork */));
        assertEquals(EPERM, call(DEFAULT, X86_64, "clone", CLONE_NEWUSER | 0x11L));
        assertEquals(EPERM, call(DEFAULT, X86_64, "clone", CLONE_NEWNS));
        assertEquals(ALLOW, call(DEFAULT, X86_64, "personality", 0xffffffffL), "personality(0xffffffff) queries");
        assertEquals(ALLOW, call(DEFAULT, X86_64, "personality", 0x20008L));
        assertEquals(EPERM, call(DEFAULT, X86_64, "personality", 0x0040000L), "ADDR_NO_RANDOMIZE is refused");
        assertEquals(ALLOW, call(DEFAULT, X86_64, "socket", 2L), "AF_INET");
        assertEquals(ALLOW, call(DEFAULT, X86_64, "socket", 16L), "AF_NETLINK");
        assertEquals(EPERM, call(DEFAULT, X86_64, "socket", 38L), "AF_ALG (CVE-2026-31431)");
        assertEquals(ALLOW, call(DEFAULT, X86_64, "socket", 39L));
        assertEquals(EPERM, call(DEFAULT, X86_64, "socket", 40L), "AF_VSOCK");
        assertEquals(ALLOW, call(DEFAULT, X86_64, "socket", 41L));
        assertEquals(EPERM, call(DEFAULT, X86_64, "personality", 0x1_ffff_ffffL), "the high word counts");
    }

    @Test
    void defaultProfileCoversTheOtherX86Abis() {
        assertEquals(ALLOW, call(DEFAULT, I386, "chown32"));
        assertEquals(ALLOW, call(DEFAULT, I386, "socketcall"));
        assertEquals(EPERM, call(DEFAULT, I386, "reboot"));
        assertEquals(ALLOW, call(DEFAULT, I386, "personality", 0xffffffffL));
        assertEquals(ALLOW, run(DEFAULT, X86_64, SyscallTable.number(SeccompArch.X32, "rt_sigaction").orElseThrow()));
        assertEquals(EPERM, run(DEFAULT, X86_64, SyscallTable.number(SeccompArch.X32, "reboot").orElseThrow()));
        assertEquals(KILL_THREAD, run(DEFAULT, 0xC00000B7 /* AUDIT_ARCH_AARCH64 */, 63), "foreign arch: bad arch action");
    }

    @Test
    void syscallsNewerThanTheProfileGetEnosysSoProgramsFallBack() {
        long highest = 0;
        for (SeccompSyscall rule : DefaultSeccomp.profile().syscalls()) {
            for (String name : rule.names()) {
                highest = Math.max(highest, SyscallTable.number(SeccompArch.X86_64, name).orElse(0));
            }
        }
        assertEquals(ENOSYS, run(DEFAULT, X86_64, highest + 1));
        assertEquals(ENOSYS, run(DEFAULT, X86_64, 0x3fff_ffffL));
        assertEquals(EPERM, run(DEFAULT, X86_64, 180 /* nfsservctl: unimplemented, inside the table */));
        // With an allowing default, unknown numbers pass through to the kernel's own ENOSYS.
        Seccomp allowAll = new Seccomp("SCMP_ACT_ALLOW", null, List.of(), List.of(), null, null,
                List.of(rule(List.of("uname"), "SCMP_ACT_ERRNO", null)));
        BpfInterpreter p = BpfInterpreter.load(SeccompCompiler.compile(allowAll));
        assertEquals(ALLOW, run(p, X86_64, 1000));
        assertEquals(EPERM, call(p, X86_64, "uname"));
    }

    @Test
    void capabilitiesUnlockTheirSyscalls() {
        Set<Capability> caps = EnumSet.copyOf(DefaultSeccomp.DOCKER_DEFAULT_CAPABILITIES);
        caps.add(Capability.CAP_SYS_ADMIN);
        caps.add(Capability.CAP_SYS_BOOT);
        BpfInterpreter admin = BpfInterpreter.load(SeccompCompiler.compile(DefaultSeccomp.profile(caps)));
        assertEquals(ALLOW, call(admin, X86_64, "mount"));
        assertEquals(ALLOW, call(admin, X86_64, "reboot"));
        assertEquals(ALLOW, call(admin, X86_64, "clone", CLONE_NEWUSER | CLONE_NEWNS));
        assertEquals(ALLOW, call(admin, X86_64, "clone3"));
        assertEquals(ALLOW, call(admin, X86_64, "unshare"));
    }

    @Test
    void defaultProfileSize() {
        CompiledFilter f = SeccompCompiler.compileDetailed(DefaultSeccomp.profile());
        Set<Capability> all = EnumSet.allOf(Capability.class);
        CompiledFilter privileged = SeccompCompiler.compileDetailed(DefaultSeccomp.profile(all));
        System.out.println("default seccomp profile: " + f.instructions() + " BPF instructions ("
                + privileged.instructions() + " with every capability)");
        assertTrue(f.instructions() < 1000, f.instructions() + " instructions");
        // Docker's profile names syscalls of other ABIs and of other CPUs: those that no x86 ABI knows are reported.
        assertTrue(f.warnings().stream().anyMatch(w -> w.contains("\"riscv_hwprobe\"")), f.warnings().toString());
        assertTrue(f.warnings().stream().noneMatch(w -> w.contains("\"chown32\"")), "chown32 exists on i386");
    }

    @Test
    void theMostRestrictiveMatchingRuleWinsAndOrderBreaksTies() {
        Seccomp p = new Seccomp("SCMP_ACT_ALLOW", null, List.of(), List.of(), null, null, List.of(
                rule(List.of("write"), "SCMP_ACT_ERRNO", 5, arg(0, 1, null, "SCMP_CMP_EQ")),
                rule(List.of("write"), "SCMP_ACT_KILL_PROCESS", null, arg(0, 2, null, "SCMP_CMP_GE")),
                rule(List.of("write"), "SCMP_ACT_ERRNO", 7, arg(0, 1, null, "SCMP_CMP_LE"))));
        BpfInterpreter f = BpfInterpreter.load(SeccompCompiler.compile(p));
        assertEquals(Bpf.RET_ERRNO | 5, call(f, X86_64, "write", 1L), "both ERRNO rules match: the first wins");
        assertEquals(Bpf.RET_ERRNO | 7, call(f, X86_64, "write", 0L));
        assertEquals(Bpf.RET_KILL_PROCESS, call(f, X86_64, "write", 2L));
    }

    @Test
    void conditionsOfOneRuleAreAndedOnFull64BitArguments() {
        Seccomp p = new Seccomp("SCMP_ACT_ERRNO", 13, List.of(), List.of(), null, null, List.of(
                rule(List.of("openat"), "SCMP_ACT_ALLOW", null, arg(1, 0x1_0000_0000L, null, "SCMP_CMP_GE"),
                        arg(1, 0x2_0000_0000L, null, "SCMP_CMP_LT"), arg(2, 0xF0, 0x30L, "SCMP_CMP_MASKED_EQ"))));
        BpfInterpreter f = BpfInterpreter.load(SeccompCompiler.compile(p));
        long nr = SyscallTable.number(SeccompArch.X86_64, "openat").orElseThrow();
        assertEquals(ALLOW, f.run(data(X86_64, nr, 0, 0x1_0000_0000L, 0x37)));
        assertEquals(ALLOW, f.run(data(X86_64, nr, 0, 0x1_ffff_ffffL, 0x3f)));
        assertEquals(Bpf.RET_ERRNO | 13, f.run(data(X86_64, nr, 0, 0x2_0000_0000L, 0x37)));
        assertEquals(Bpf.RET_ERRNO | 13, f.run(data(X86_64, nr, 0, 0xffff_ffffL, 0x37)));
        assertEquals(Bpf.RET_ERRNO | 13, f.run(data(X86_64, nr, 0, 0x1_0000_0000L, 0x47)));
    }

    @Test
    void x32IsFilteredOnlyWhenListed() {
        Seccomp p = new Seccomp("SCMP_ACT_ALLOW", null, List.of(), List.of(), null, null, List.of());
        BpfInterpreter onlyNative = BpfInterpreter.load(SeccompCompiler.compile(p));
        assertEquals(ALLOW, run(onlyNative, X86_64, 0));
        assertEquals(KILL_THREAD, run(onlyNative, X86_64, 0x4000_0000L), "x32 without SCMP_ARCH_X32: bad arch");
        assertEquals(KILL_THREAD, run(onlyNative, I386, 3), "i386 without SCMP_ARCH_X86: bad arch");
    }

    @Test
    void badInputIsNamedByItsField() {
        InvalidConfigException e = assertThrows(InvalidConfigException.class, () -> SeccompCompiler.compile(
                profile("SCMP_ACT_ALLOW", rule(List.of("read"), "SCMP_ACT_ERRNO", null, arg(7, 1, null, "SCMP_CMP_EQ")))));
        assertEquals("linux.seccomp.syscalls[0].args[0].index", e.field());
        e = assertThrows(InvalidConfigException.class, () -> SeccompCompiler.compile(
                profile("SCMP_ACT_ALLOW", rule(List.of("read"), "SCMP_ACT_ERRNO", null, arg(0, 1, null, "SCMP_CMP_SAME")))));
        assertEquals("linux.seccomp.syscalls[0].args[0].op", e.field());
        e = assertThrows(InvalidConfigException.class, () -> SeccompCompiler.compile(profile("SCMP_ACT_BLOCK")));
        assertEquals("linux.seccomp.defaultAction", e.field());
        e = assertThrows(InvalidConfigException.class, () -> SeccompCompiler.compile(
                profile("SCMP_ACT_ERRNO", rule(List.of("read"), "SCMP_ACT_ALLOW", 5))));
        assertEquals("linux.seccomp.syscalls[0].errnoRet", e.field(), "errnoRet with ALLOW must fail (OCI spec)");
        e = assertThrows(InvalidConfigException.class, () -> SeccompCompiler.compile(
                new Seccomp("SCMP_ACT_ALLOW", 3, List.of(), List.of(), null, null, List.of())));
        assertEquals("linux.seccomp.defaultErrnoRet", e.field());
        e = assertThrows(InvalidConfigException.class, () -> SeccompCompiler.compile(
                profile("SCMP_ACT_ALLOW", rule(List.of("read"), "SCMP_ACT_ERRNO", 70000))));
        assertEquals("linux.seccomp.syscalls[0].errnoRet", e.field());
        e = assertThrows(InvalidConfigException.class, () -> SeccompCompiler.compile(
                profile("SCMP_ACT_ALLOW", rule(List.of(), "SCMP_ACT_ERRNO", null))));
        assertEquals("linux.seccomp.syscalls[0].names", e.field());
        e = assertThrows(InvalidConfigException.class, () -> SeccompCompiler.compile(
                new Seccomp("SCMP_ACT_ALLOW", null, List.of("x86_64"), List.of(), null, null, List.of())));
        assertEquals("linux.seccomp.architectures[0]", e.field());
        assertThrows(UnsupportedFeatureException.class, () -> SeccompCompiler.compile(
                profile("SCMP_ACT_ALLOW", rule(List.of("read"), "SCMP_ACT_NOTIFY", null))));
    }

    @Test
    void skippedNamesAndForeignArchitecturesAreReported() {
        CompiledFilter f = SeccompCompiler.compileDetailed(new Seccomp("SCMP_ACT_ALLOW", null,
                List.of("SCMP_ARCH_AARCH64"), List.of(), null, null, List.of(rule(List.of("read", "frobnicate"),
                "SCMP_ACT_ERRNO", null))));
        assertEquals(List.of("linux.seccomp.architectures[0]: SCMP_ARCH_AARCH64 cannot occur on an x86_64 host: skipped",
                "linux.seccomp.syscalls[0].names[1]: syscall \"frobnicate\" is unknown on [SCMP_ARCH_X86_64]: skipped"),
                f.warnings());
        assertEquals(EPERM, call(BpfInterpreter.load(f.program()), X86_64, "read"));
    }

    @Test
    void aProfileBeyondTheKernelLimitIsRefusedClearly() {
        List<SeccompSyscall> rules = new ArrayList<>();
        for (int i = 0; i < 1100; i++) {
            rules.add(rule(List.of("ioctl"), "SCMP_ACT_ALLOW", null, arg(1, i, null, "SCMP_CMP_EQ")));
        }
        ResourceLimitException e = assertThrows(ResourceLimitException.class, () -> SeccompCompiler.compile(
                new Seccomp("SCMP_ACT_ERRNO", null, List.of(), List.of(), null, null, rules)));
        assertTrue(e.getMessage().contains("4096"), e.getMessage());
    }

    @Test
    void filterFlags() {
        assertEquals(0, SeccompCompiler.filterFlags(DefaultSeccomp.profile()));
        assertEquals(Seccomps.FILTER_FLAG_TSYNC | Seccomps.FILTER_FLAG_LOG | Seccomps.FILTER_FLAG_SPEC_ALLOW,
                SeccompCompiler.filterFlags(flags("SECCOMP_FILTER_FLAG_LOG", "SECCOMP_FILTER_FLAG_TSYNC",
                        "SECCOMP_FILTER_FLAG_SPEC_ALLOW")));
        InvalidConfigException e = assertThrows(InvalidConfigException.class,
                () -> SeccompCompiler.filterFlags(flags("SECCOMP_FILTER_FLAG_LOG", "SECCOMP_FILTER_FLAG_FAST")));
        assertEquals("linux.seccomp.flags[1]", e.field());
        assertThrows(UnsupportedFeatureException.class,
                () -> SeccompCompiler.filterFlags(flags("SECCOMP_FILTER_FLAG_NEW_LISTENER")));
    }

    private static Seccomp flags(String... flags) {
        return new Seccomp("SCMP_ACT_ALLOW", null, List.of(), List.of(flags), null, null, List.of());
    }

    private static Seccomp profile(String defaultAction, SeccompSyscall... rules) {
        return new Seccomp(defaultAction, null, List.of(), List.of(), null, null, List.of(rules));
    }

    private static SeccompSyscall rule(List<String> names, String action, Integer errnoRet, SeccompArg... args) {
        return new SeccompSyscall(names, action, errnoRet, List.of(args));
    }

    private static SeccompArg arg(int index, long value, Long valueTwo, String op) {
        return new SeccompArg(index, value, valueTwo, op);
    }

    private static int call(BpfInterpreter p, int arch, String name, long... args) {
        SeccompArch abi = arch == I386 ? SeccompArch.X86 : SeccompArch.X86_64;
        return p.run(data(arch, SyscallTable.number(abi, name).orElseThrow(), args));
    }

    private static int run(BpfInterpreter p, int arch, long nr) {
        return p.run(data(arch, nr));
    }

    private static SeccompData data(int arch, long nr, long... args) {
        return new SeccompData((int) nr, arch, 0, java.util.Arrays.copyOf(args, 6));
    }
}
