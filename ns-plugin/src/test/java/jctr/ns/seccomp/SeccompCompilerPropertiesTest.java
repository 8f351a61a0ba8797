package jctr.ns.seccomp;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.OptionalLong;
import java.util.TreeSet;

import jctr.kernel.ResourceLimitException;
import jctr.kernel.oci.Capability;
import jctr.kernel.oci.DefaultSeccomp;
import jctr.kernel.oci.Seccomp;
import jctr.kernel.oci.SeccompArg;
import jctr.kernel.oci.SeccompSyscall;
import jctr.ns.seccomp.BpfInterpreter.SeccompData;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;

/**
 * For random profiles and random syscalls, the compiled BPF program run in {@link BpfInterpreter} returns
 * exactly what {@link SeccompReference} says the profile means.
 */
class SeccompCompilerPropertiesTest {

    /** Real syscalls, some only on one ABI (chown32, socketcall on i386; rt_sigaction differs on x32), one fake. */
    private static final List<String> NAMES = List.of("read", "write", "getpid", "uname", "reboot", "socket",
            "personality", "clone", "clone3", "mount", "execve", "arch_prctl", "chown32", "socketcall", "waitpid",
            "rt_sigaction", "preadv2", "mseal", "uretprobe", "map_shadow_stack", "file_setattr", "no_such_syscall");
    private static final List<String> ACTIONS = List.of("SCMP_ACT_KILL", "SCMP_ACT_KILL_PROCESS",
            "SCMP_ACT_KILL_THREAD", "SCMP_ACT_TRAP", "SCMP_ACT_ERRNO", "SCMP_ACT_TRACE", "SCMP_ACT_LOG", "SCMP_ACT_ALLOW");
    private static final List<String> OPS = List.of("SCMP_CMP_NE", "SCMP_CMP_LT", "SCMP_CMP_LE", "SCMP_CMP_EQ",
            "SCMP_CMP_GE", "SCMP_CMP_GT", "SCMP_CMP_MASKED_EQ");
    private static final List<String> ARCHES = List.of("SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32");
    private static final int AUDIT_X86_64 = 0xC000003E;
    private static final int AUDIT_I386 = 0x40000003;

    record Case(Seccomp profile, List<SeccompData> calls) {
    }

    @Property(tries = 250)
    void compiledFilterReturnsWhatTheProfileSays(@ForAll("smallProfiles") Case c) {
        check(c);
    }

    /** Many names and conditions: programs far longer than a conditional jump reaches (255). */
    @Property(tries = 60)
    void largeProfilesWithLongJumpsAgreeToo(@ForAll("largeProfiles") Case c) {
        int length;
        try {
            length = check(c);
        } catch (ResourceLimitException e) {
            Statistics.label("program length").collect("over the kernel's limit");
            return;
        }
        Statistics.label("program length").collect(length > 1024 ? ">1024" : length > 255 ? "256..1024" : "<256");
    }

    /** Docker's profile for random capability sets, probed at every syscall number the profile names and more. */
    @Property(tries = 40)
    void defaultProfileForAnyCapabilitiesAgrees(@ForAll("capabilitySets") List<Capability> caps) {
        EnumSet<Capability> bounding = EnumSet.noneOf(Capability.class);
        bounding.addAll(caps);
        Seccomp profile = DefaultSeccomp.profile(bounding);
        BpfInterpreter program = BpfInterpreter.load(SeccompCompiler.compile(profile));
        long[][] argSets = {{0, 0, 0, 0, 0, 0}, {0x7E020000L, 1, 2, 3, 4, 5}, {38, 0, 0, 0, 0, 0}, {39, 0, 0, 0, 0, 0},
            {40, 0, 0, 0, 0, 0}, {0xffffffffL, 0, 0, 0, 0, 0}, {0x10000000L, 0x7E020000L, 0, 0, 0, 0}, {-1, -1, -1, -1, -1, -1}};
        for (SeccompArch abi : SeccompArch.values()) {
            TreeSet<Long> numbers = new TreeSet<>();
            for (String name : SyscallTable.names(abi)) {
                numbers.add(SyscallTable.number(abi, name).orElseThrow());
            }
            numbers.add(numbers.last() + 1);
            numbers.add(abi.highestNumber());
            for (long nr : numbers) {
                for (long[] args : argSets) {
                    SeccompData d = new SeccompData((int) nr, abi.auditArch(), 0, args);
                    assertEquals(SeccompReference.evaluate(profile, d), program.run(d), () -> abi + " nr " + nr);
                }
            }
        }
    }

    private static int check(Case c) {
        BpfInterpreter program = BpfInterpreter.load(SeccompCompiler.compile(c.profile()));
        for (SeccompData d : c.calls()) {
            int expected = SeccompReference.evaluate(c.profile(), d);
            int actual = program.run(d);
            assertEquals(Integer.toHexString(expected), Integer.toHexString(actual), () -> "nr " + d.nr() + " arch 0x"
                    + Integer.toHexString(d.arch()) + " args " + java.util.Arrays.toString(d.args()));
        }
        return program.length();
    }

    @Provide
    Arbitrary<Case> smallProfiles() {
        return profiles(Arbitraries.of(NAMES).list().ofMinSize(1).ofMaxSize(3), 0, 10, 3)
                .flatMap(p -> calls(p).list().ofSize(60).map(calls -> new Case(p, calls)));
    }

    @Provide
    Arbitrary<Case> largeProfiles() {
        List<String> all = new ArrayList<>(SyscallTable.names(SeccompArch.X86_64));
        all.addAll(SyscallTable.names(SeccompArch.X86));
        return profiles(Arbitraries.of(all).list().ofMinSize(1).ofMaxSize(20), 20, 50, 3)
                .flatMap(p -> calls(p).list().ofSize(150).map(calls -> new Case(p, calls)));
    }

    @Provide
    Arbitrary<List<Capability>> capabilitySets() {
        return Arbitraries.of(Capability.class).list().ofMaxSize(12);
    }

    private static Arbitrary<Seccomp> profiles(Arbitrary<List<String>> names, int minRules, int maxRules, int maxArgs) {
        Arbitrary<SeccompArg> arg = Combinators.combine(Arbitraries.integers().between(0, 5), values(),
                values().injectNull(0.5), Arbitraries.of(OPS)).as(SeccompArg::new);
        Arbitrary<SeccompSyscall> rule = Combinators.combine(names, Arbitraries.of(ACTIONS), errno(),
                arg.list().ofMaxSize(maxArgs)).as((n, action, errno, args) ->
                new SeccompSyscall(n, action, takesErrno(action) ? errno : null, args));
        return Combinators.combine(Arbitraries.of(ACTIONS), errno(), Arbitraries.of(ARCHES).set().ofMaxSize(3),
                rule.list().ofMinSize(minRules).ofMaxSize(maxRules)).as((action, errno, arches, rules) ->
                new Seccomp(action, takesErrno(action) ? errno : null, List.copyOf(arches), List.of(), null, null, rules));
    }

    private static boolean takesErrno(String action) {
        return action.equals("SCMP_ACT_ERRNO") || action.equals("SCMP_ACT_TRACE");
    }

    private static Arbitrary<Integer> errno() {
        return Arbitraries.integers().between(0, 4095).injectNull(0.4);
    }

    /** Condition operands: boundaries of the 32-bit halves, signs, and anything. */
    private static Arbitrary<Long> values() {
        return Arbitraries.oneOf(
                Arbitraries.of(0L, 1L, 2L, 8L, 38L, 40L, 0xffffffffL, 0x1_0000_0000L, 0x1_0000_0001L, -1L,
                        Long.MIN_VALUE, Long.MAX_VALUE, 0x7E020000L),
                Arbitraries.longs().between(0, 100),
                Arbitraries.longs());
    }

    /** Syscalls worth asking about for {@code p}: its names on every ABI, its operands and their neighbours. */
    private static Arbitrary<SeccompData> calls(Seccomp p) {
        List<Long> numbers = new ArrayList<>(List.of(0L, 0x3fffffffL, 0x40000000L, 0xffffffffL, 0x80000000L));
        List<Long> operands = new ArrayList<>(List.of(0L, -1L, 0xffffffffL, 0x1_0000_0000L));
        for (SeccompSyscall r : p.syscalls()) {
            for (String name : r.names()) {
                for (SeccompArch abi : SeccompArch.values()) {
                    OptionalLong n = SyscallTable.number(abi, name);
                    if (n.isPresent()) {
                        numbers.add(n.getAsLong());
                        numbers.add(n.getAsLong() + 1);
                    }
                }
            }
            for (SeccompArg a : r.args()) {
                long v = a.value();
                operands.addAll(List.of(v, v + 1, v - 1, v ^ 0x1_0000_0000L, v + 0x1_0000_0000L));
                if (a.valueTwo() != null) {
                    operands.addAll(List.of(a.valueTwo(), a.valueTwo() | ~v, a.valueTwo() ^ 1));
                }
            }
        }
        Arbitrary<Long> arg = Arbitraries.oneOf(Arbitraries.of(operands), Arbitraries.longs());
        Arbitrary<Integer> nr = Arbitraries.oneOf(Arbitraries.of(numbers).map(Long::intValue), Arbitraries.integers());
        Arbitrary<Integer> arch = Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(6, Arbitraries.just(AUDIT_X86_64)),
                net.jqwik.api.Tuple.of(3, Arbitraries.just(AUDIT_I386)),
                net.jqwik.api.Tuple.of(1, Arbitraries.integers()));
        return Combinators.combine(nr, arch, arg.list().ofSize(6).map(l -> l.stream().mapToLong(Long::longValue).toArray()))
                .as((n, a, args) -> new SeccompData(n, a, 0x7f00_0000_1000L, args));
    }
}
