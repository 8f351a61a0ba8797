package jctr.cgroup.v2;

import java.util.ArrayList;
import java.util.List;

import jctr.kernel.InvalidConfigException;
import jctr.kernel.oci.DeviceRule;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The compiled device program, run in {@link EbpfInterpreter}, agrees with a reference evaluation of the rules. */
class DeviceFilterTest {

    private static final int[] KINDS = {DeviceFilter.ACCESS_MKNOD, DeviceFilter.ACCESS_READ, DeviceFilter.ACCESS_WRITE};

    /** The documented semantics, written out independently: per access kind, the last matching rule decides. */
    static boolean reference(List<DeviceRule> rules, int access, char type, long major, long minor) {
        for (int kind : KINDS) {
            if ((access & kind) == 0) {
                continue;
            }
            char letter = kind == DeviceFilter.ACCESS_MKNOD ? 'm' : kind == DeviceFilter.ACCESS_READ ? 'r' : 'w';
            boolean allowed = false;
            for (DeviceRule r : rules) {
                boolean typeMatches = r.type() == null || r.type().equals("a") || r.type().charAt(0) == type;
                boolean majorMatches = r.major() == null || r.major() == -1 || r.major() == major;
                boolean minorMatches = r.minor() == null || r.minor() == -1 || r.minor() == minor;
                if (typeMatches && majorMatches && minorMatches && r.access().indexOf(letter) >= 0) {
                    allowed = r.allow();
                }
            }
            if (!allowed) {
                return false;
            }
        }
        return true;
    }

    @Property(tries = 500)
    void programAgreesWithReference(@ForAll("ruleLists") List<DeviceRule> rules,
                                    @ForAll("accesses") List<int[]> accesses) {
        byte[] program = DeviceFilter.compile(DeviceFilter.rules(rules));
        for (int[] a : accesses) {
            char type = a[1] == DeviceFilter.TYPE_BLOCK ? 'b' : 'c';
            boolean expected = reference(rules, a[0], type, a[2], a[3]);
            long r0 = EbpfInterpreter.run(program, a[0], a[1], a[2], a[3]);
            assertEquals(expected ? 1 : 0, r0, () -> "rules " + rules + " access " + a[0] + " " + type + " "
                    + a[2] + ":" + a[3]);
        }
    }

    @Property(tries = 200)
    void programHasNoUnreachableCode(@ForAll("ruleLists") List<DeviceRule> rules) {
        byte[] program = DeviceFilter.compile(DeviceFilter.rules(rules));
        boolean[] reached = reachable(program);
        for (int pc = 0; pc < reached.length; pc++) {
            int at = pc;
            assertEquals(true, reached[pc], () -> "instruction " + at + " is unreachable; the verifier refuses that");
        }
    }

    @Test
    void laterDenyTakesAwayWritingFromAnEarlierAllowAll() {
        List<DeviceRule> rules = List.of(new DeviceRule(true, "a", null, null, "rwm"),
                new DeviceRule(false, "c", 1L, 3L, "w"));
        byte[] p = DeviceFilter.compile(DeviceFilter.rules(rules));
        assertEquals(0, EbpfInterpreter.run(p, DeviceFilter.ACCESS_WRITE, DeviceFilter.TYPE_CHAR, 1, 3));
        assertEquals(0, EbpfInterpreter.run(p, DeviceFilter.ACCESS_READ | DeviceFilter.ACCESS_WRITE,
                DeviceFilter.TYPE_CHAR, 1, 3));
        assertEquals(1, EbpfInterpreter.run(p, DeviceFilter.ACCESS_READ, DeviceFilter.TYPE_CHAR, 1, 3));
        assertEquals(1, EbpfInterpreter.run(p, DeviceFilter.ACCESS_WRITE, DeviceFilter.TYPE_CHAR, 1, 5));
        assertEquals(1, EbpfInterpreter.run(p, DeviceFilter.ACCESS_WRITE, DeviceFilter.TYPE_BLOCK, 1, 3));
    }

    @Test
    void invalidRulesNameTheField() {
        assertField("linux.resources.devices[1].type",
                List.of(new DeviceRule(true, "a", null, null, "r"), new DeviceRule(true, "x", null, null, "r")));
        assertField("linux.resources.devices[0].access", List.of(new DeviceRule(true, "c", 1L, 3L, "rwx")));
        assertField("linux.resources.devices[0].access", List.of(new DeviceRule(true, "c", 1L, 3L, "")));
        assertField("linux.resources.devices[0].major", List.of(new DeviceRule(true, "c", -5L, 3L, "r")));
        assertField("linux.resources.devices[0].minor", List.of(new DeviceRule(true, "c", 1L, 1L << 33, "r")));
    }

    private static void assertField(String field, List<DeviceRule> rules) {
        InvalidConfigException e = assertThrows(InvalidConfigException.class, () -> DeviceFilter.rules(rules));
        assertEquals(field, e.field(), e.getMessage());
    }

    /** Forward-only control flow: an instruction is reachable if a reachable one falls or jumps to it. */
    private static boolean[] reachable(byte[] program) {
        int n = program.length / 8;
        boolean[] reached = new boolean[n];
        reached[0] = true;
        java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(program).order(java.nio.ByteOrder.nativeOrder());
        for (int pc = 0; pc < n; pc++) {
            if (!reached[pc]) {
                continue;
            }
            int op = b.get(pc * 8) & 0xff;
            short off = b.getShort(pc * 8 + 2);
            boolean isJump = op == EbpfAssembler.JMP_JA || op == EbpfAssembler.JMP_JEQ_K || op == EbpfAssembler.JMP_JNE_K;
            if (isJump) {
                reached[pc + 1 + off] = true;
            }
            if (op != EbpfAssembler.JMP_JA && op != EbpfAssembler.JMP_EXIT && pc + 1 < n) {
                reached[pc + 1] = true;
            }
        }
        return reached;
    }

    @Provide
    Arbitrary<List<DeviceRule>> ruleLists() {
        Arbitrary<String> type = Arbitraries.of("a", "b", "c").injectNull(0.15);
        Arbitrary<Long> number = Arbitraries.longs().between(0, 4).injectNull(0.4);
        Arbitrary<String> access = Arbitraries.of("r", "w", "m", "rw", "rm", "wm", "rwm", "mwr", "wr");
        Arbitrary<Boolean> allow = Arbitraries.of(true, false);
        return Combinators.combine(allow, type, number, number, access).as(DeviceRule::new)
                .list().ofMinSize(0).ofMaxSize(12);
    }

    @Provide
    Arbitrary<List<int[]>> accesses() {
        Arbitrary<Integer> access = Arbitraries.integers().between(1, 7);
        Arbitrary<Integer> type = Arbitraries.of(DeviceFilter.TYPE_BLOCK, DeviceFilter.TYPE_CHAR);
        Arbitrary<Integer> number = Arbitraries.integers().between(0, 5);
        return Combinators.combine(access, type, number, number).as((a, t, ma, mi) -> new int[] {a, t, ma, mi})
                .list().ofMinSize(20).ofMaxSize(40);
    }

    @Property(tries = 50)
    void largeRuleListsStillCompile(@ForAll @IntRange(min = 100, max = 400) int size) {
        List<DeviceRule> rules = new ArrayList<>();
        for (int i = 0; i < size; i++) {
            rules.add(new DeviceRule(i % 3 != 0, i % 2 == 0 ? "c" : "b", (long) i, (long) (i * 7 % 256), "rwm"));
        }
        byte[] p = DeviceFilter.compile(DeviceFilter.rules(rules));
        assertEquals(reference(rules, DeviceFilter.ACCESS_READ, 'c', 6, 42) ? 1 : 0,
                EbpfInterpreter.run(p, DeviceFilter.ACCESS_READ, DeviceFilter.TYPE_CHAR, 6, 42));
    }
}
