package jctr.ns.seccomp;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeMap;

import jctr.kernel.InvalidConfigException;
import jctr.kernel.ResourceLimitException;
import jctr.kernel.UnsupportedFeatureException;
import jctr.kernel.oci.Seccomp;
import jctr.kernel.oci.SeccompSyscall;
import jctr.kernel.sys.Seccomps;
import jctr.ns.seccomp.BpfAssembler.Label;

/**
 * Compiles an OCI seccomp profile ({@code linux.seccomp}) to a classic BPF program for
 * seccomp(SECCOMP_SET_MODE_FILTER), in Java, with the semantics of runc on libseccomp except where noted.
 *
 * <h2>What the program does</h2>
 * <ol>
 *   <li><b>Architecture.</b> {@code seccomp_data.arch} picks the ABI: x86_64, i386 (SCMP_ARCH_X86) or x32
 *       (the x86_64 audit arch with bit 30 set in the syscall number). The native x86_64 and the
 *       architectures the profile lists are filtered (libseccomp always includes the native one); any other
 *       ABI gets libseccomp's "bad arch" action, KILL_THREAD, which runc keeps. Listed architectures of other CPUs cannot occur on an
 *       x86_64 host and are skipped with a warning.</li>
 *   <li><b>Syscall number.</b> A binary search over the syscall numbers the profile names, with runs of
 *       numbers that share an outcome merged into one range (libseccomp's binary tree, which runc turns
 *       on for long profiles, does the same job): about log2(ranges) comparisons per syscall.</li>
 *   <li><b>Rules.</b> A syscall's rules are tried in order of action precedence (KILL_PROCESS, KILL_THREAD,
 *       TRAP, ERRNO, TRACE, LOG, ALLOW: when several rules match, the most restrictive action wins, as in
 *       libseccomp), rules with equal actions in profile order. A rule matches when all its argument
 *       conditions hold (AND); the conditions compare the full unsigned 64-bit argument, two 32-bit
 *       words at a time. No matching rule: the default action.</li>
 *   <li><b>Like runc:</b> rules whose action equals the default action are dropped (they cannot change the
 *       outcome in libseccomp either); syscall names an architecture does not know are skipped for it
 *       (warning when no listed architecture knows them); and when the default action blocks the call
 *       (not ALLOW, LOG or TRACE), syscall numbers above the highest one the profile names for that
 *       architecture return ENOSYS instead, so that programs fall back from syscalls newer than the
 *       profile as they do on an older kernel.</li>
 * </ol>
 *
 * <h2>Deliberate differences</h2>
 * Two conditions on the same argument in one rule are ANDed (runc splits them into separate ORed rules).
 * SCMP_ACT_NOTIFY and the listener flags are refused: jctr has no seccomp agent yet.
 *
 * <p>Syscall numbers come from tables generated from the kernel headers ({@code x86-syscalls.tsv}), so the
 * compiler runs only on x86_64 hosts.
 */
public final class SeccompCompiler {

    private static final System.Logger LOG = System.getLogger(SeccompCompiler.class.getName());
    private static final String FIELD = "linux.seccomp";

    private SeccompCompiler() {
    }

    /**
     * The BPF program for {@code profile}: little-endian {@code struct sock_filter} entries (8 bytes each:
     * u16 code, u8 jt, u8 jf, u32 k), ready for seccomp(SECCOMP_SET_MODE_FILTER).
     *
     * @throws InvalidConfigException naming the field ({@code linux.seccomp.syscalls[2].args[0].op}) of an
     *         invalid action, errnoRet, architecture or argument condition
     * @throws UnsupportedFeatureException for SCMP_ACT_NOTIFY, or on a host that is not x86_64
     * @throws ResourceLimitException when the program exceeds the kernel's 4096 instructions
     */
    public static byte[] compile(Seccomp profile) {
        CompiledFilter filter = compileDetailed(profile);
        for (String w : filter.warnings()) {
            LOG.log(System.Logger.Level.DEBUG, "seccomp: {0}", w);
        }
        return filter.program();
    }

    /** Like {@link #compile} and also returns the warnings (skipped names and architectures). */
    public static CompiledFilter compileDetailed(Seccomp profile) {
        String hostArch = System.getProperty("os.arch");
        if (!hostArch.equals("amd64") && !hostArch.equals("x86_64")) {
            throw new UnsupportedFeatureException("seccomp: jctr has syscall tables for x86_64 hosts only, this is "
                    + hostArch);
        }
        List<String> warnings = new ArrayList<>();
        SeccompAction defaultAction = SeccompAction.parse(profile.defaultAction(), profile.defaultErrnoRet(),
                FIELD + ".defaultAction", FIELD + ".defaultErrnoRet");
        Set<SeccompArch> arches = architectures(profile, warnings);
        List<Rule> rules = rules(profile, arches, warnings);
        byte[] program = new Generator(defaultAction, arches, rules).generate();
        int count = program.length / Bpf.INSTRUCTION_SIZE;
        if (count > Bpf.MAX_INSTRUCTIONS) {
            throw new ResourceLimitException(FIELD + ": the profile compiles to " + count
                    + " BPF instructions, more than the kernel's limit of " + Bpf.MAX_INSTRUCTIONS
                    + " (use fewer argument conditions or fewer architectures)");
        }
        return new CompiledFilter(program, warnings);
    }

    /**
     * The seccomp(2) flag bits for {@code profile.flags()}: SECCOMP_FILTER_FLAG_TSYNC, _LOG and _SPEC_ALLOW.
     *
     * @throws InvalidConfigException naming {@code linux.seccomp.flags[i]} for an unknown flag
     * @throws UnsupportedFeatureException for the user-notification flags (NEW_LISTENER, TSYNC_ESRCH,
     *         WAIT_KILLABLE_RECV)
     */
    public static int filterFlags(Seccomp profile) {
        int bits = 0;
        for (int i = 0; i < profile.flags().size(); i++) {
            String flag = profile.flags().get(i);
            String field = FIELD + ".flags[" + i + "]";
            bits |= switch (flag) {
                case "SECCOMP_FILTER_FLAG_TSYNC" -> Seccomps.FILTER_FLAG_TSYNC;
                case "SECCOMP_FILTER_FLAG_LOG" -> Seccomps.FILTER_FLAG_LOG;
                case "SECCOMP_FILTER_FLAG_SPEC_ALLOW" -> Seccomps.FILTER_FLAG_SPEC_ALLOW;
                case "SECCOMP_FILTER_FLAG_NEW_LISTENER", "SECCOMP_FILTER_FLAG_TSYNC_ESRCH",
                     "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV" -> throw new UnsupportedFeatureException(field + ": "
                        + flag + " belongs to seccomp user notification, which jctr does not support yet");
                default -> throw new InvalidConfigException("", field, "unknown seccomp flag: " + flag
                        + " (expected SECCOMP_FILTER_FLAG_TSYNC, SECCOMP_FILTER_FLAG_LOG or SECCOMP_FILTER_FLAG_SPEC_ALLOW)");
            };
        }
        return bits;
    }

    /** A parsed rule of the profile. */
    private record Rule(SeccompAction action, List<ArgCondition> conditions, List<String> names) {
    }

    private static Set<SeccompArch> architectures(Seccomp profile, List<String> warnings) {
        // libseccomp filters start with the native arch and runc only adds the listed ones: x86_64 is always in.
        Set<SeccompArch> arches = EnumSet.of(SeccompArch.X86_64);
        for (int i = 0; i < profile.architectures().size(); i++) {
            String name = profile.architectures().get(i);
            String field = FIELD + ".architectures[" + i + "]";
            if (name == null || !name.startsWith("SCMP_ARCH_")) {
                throw new InvalidConfigException("", field, "unknown architecture: " + name);
            }
            SeccompArch.fromOciName(name).ifPresentOrElse(arches::add, () -> warnings.add(field + ": " + name
                    + " cannot occur on an x86_64 host: skipped"));
        }
        return arches;
    }

    private static List<Rule> rules(Seccomp profile, Set<SeccompArch> arches, List<String> warnings) {
        List<Rule> rules = new ArrayList<>();
        for (int i = 0; i < profile.syscalls().size(); i++) {
            SeccompSyscall s = profile.syscalls().get(i);
            String field = FIELD + ".syscalls[" + i + "]";
            if (s.names().isEmpty()) {
                throw new InvalidConfigException("", field + ".names", "must name at least one syscall");
            }
            SeccompAction action = SeccompAction.parse(s.action(), s.errnoRet(), field + ".action", field + ".errnoRet");
            List<ArgCondition> conditions = new ArrayList<>();
            for (int j = 0; j < s.args().size(); j++) {
                conditions.add(ArgCondition.parse(s.args().get(j), field + ".args[" + j + "]"));
            }
            for (int j = 0; j < s.names().size(); j++) {
                String name = s.names().get(j);
                if (arches.stream().noneMatch(a -> SyscallTable.number(a, name).isPresent())) {
                    warnings.add(field + ".names[" + j + "]: syscall \"" + name + "\" is unknown on "
                            + arches.stream().map(SeccompArch::ociName).toList() + ": skipped");
                }
            }
            rules.add(new Rule(action, List.copyOf(conditions), s.names()));
        }
        return rules;
    }

    /** What happens to a syscall number: return at once, or try alternatives in order. */
    private sealed interface Outcome permits Ret, Chain {
    }

    private record Ret(int value) implements Outcome {
    }

    /** Alternatives tried in order; the last may be unconditional, else {@code fallback} is returned. */
    private record Chain(List<Alternative> alternatives, int fallback) implements Outcome {
    }

    private record Alternative(List<ArgCondition> conditions, int ret) {
    }

    /** A range of syscall numbers, from {@code start} to the next segment's start, with one outcome. */
    private record Segment(long start, Outcome outcome) {
    }

    /** Emits the program: an arch dispatch, then per audit arch a number tree and the rule chains. */
    private static final class Generator {
        private final SeccompAction defaultAction;
        private final Set<SeccompArch> arches;
        private final List<Rule> rules;
        private final BpfAssembler asm = new BpfAssembler();
        /** Handlers of the current section: each outcome's code is emitted once and shared. */
        private final Map<Outcome, Label> handlers = new LinkedHashMap<>();
        private final Deque<Map.Entry<Outcome, Label>> unemitted = new ArrayDeque<>();

        Generator(SeccompAction defaultAction, Set<SeccompArch> arches, List<Rule> rules) {
            this.defaultAction = defaultAction;
            this.arches = arches;
            this.rules = rules;
        }

        byte[] generate() {
            boolean i386 = arches.contains(SeccompArch.X86);
            boolean x32 = arches.contains(SeccompArch.X32);
            Label sect64 = new Label();
            Label sect32 = new Label();
            Label badArch = new Label();
            asm.load(Bpf.OFFSET_ARCH);
            if (i386) {
                Label next = new Label();
                asm.jump(Bpf.JEQ, SeccompArch.AUDIT_ARCH_X86_64, sect64, next);
                asm.bind(next);
                asm.jump(Bpf.JEQ, SeccompArch.AUDIT_ARCH_I386, sect32, badArch);
            } else {
                asm.jump(Bpf.JEQ, SeccompArch.AUDIT_ARCH_X86_64, sect64, badArch);
            }
            asm.bind(badArch);
            asm.ret(SeccompAction.KILL_THREAD.ret());

            asm.bind(sect64);
            asm.load(Bpf.OFFSET_NR);
            // x32 syscalls come with the x86_64 audit arch and bit 30 set in the number.
            Label native64 = new Label();
            Label x32Entry = new Label();
            Label high = x32 ? x32Entry : handler(new Ret(SeccompAction.KILL_THREAD.ret()));
            asm.jump(Bpf.JGE, (int) SeccompArch.X32_SYSCALL_BIT, high, native64);
            tree(SeccompArch.X86_64, native64, false);
            if (x32) {
                tree(SeccompArch.X32, x32Entry, false);
            }
            emitHandlers();

            if (i386) {
                asm.bind(sect32);
                asm.load(Bpf.OFFSET_NR);
                tree(SeccompArch.X86, new Label(), true);
                emitHandlers();
            }
            return asm.assemble();
        }

        /** Dispatches on the syscall number (in A) for one ABI, starting at {@code entry}. */
        private void tree(SeccompArch arch, Label entry, boolean fallsThrough) {
            List<Segment> segments = segments(arch);
            if (segments.size() == 1) {
                Label only = handler(segments.getFirst().outcome());
                if (fallsThrough) {
                    asm.bind(entry);
                    asm.jumpAlways(only);
                } else {
                    BpfAssembler.alias(entry, only);
                }
                return;
            }
            node(segments, 0, segments.size() - 1, entry);
        }

        /** A balanced binary search over segments l..r (at least two): one {@code jge} per inner node. */
        private void node(List<Segment> segments, int l, int r, Label self) {
            asm.bind(self);
            int mid = (l + r + 1) / 2;
            Label left = l == mid - 1 ? handler(segments.get(l).outcome()) : new Label();
            Label right = mid == r ? handler(segments.get(r).outcome()) : new Label();
            asm.jump(Bpf.JGE, (int) segments.get(mid).start(), right, left);
            if (l < mid - 1) {
                node(segments, l, mid - 1, left);
            }
            if (mid < r) {
                node(segments, mid, r, right);
            }
        }

        /** The number line of {@code arch} cut into ranges with one outcome each, neighbours merged. */
        private List<Segment> segments(SeccompArch arch) {
            TreeMap<Long, List<Rule>> byNumber = new TreeMap<>();
            long highestNamed = -1;
            for (Rule rule : rules) {
                for (String name : rule.names()) {
                    OptionalLong nr = SyscallTable.number(arch, name);
                    if (nr.isEmpty()) {
                        continue;
                    }
                    highestNamed = Math.max(highestNamed, nr.getAsLong());
                    List<Rule> forNumber = byNumber.computeIfAbsent(nr.getAsLong(), k -> new ArrayList<>());
                    if (!rule.action().equals(defaultAction) && !forNumber.contains(rule)) {
                        forNumber.add(rule);
                    }
                }
            }
            // Above the highest named syscall, a blocking default becomes ENOSYS (runc's behaviour).
            long enosysFrom = defaultAction.lets() || highestNamed < 0 ? Long.MAX_VALUE : highestNamed + 1;
            List<Segment> out = new ArrayList<>();
            long cursor = arch.lowestNumber();
            for (Map.Entry<Long, List<Rule>> e : byNumber.entrySet()) {
                long nr = e.getKey();
                if (cursor < nr) {
                    gap(out, cursor, enosysFrom);
                }
                add(out, nr, outcome(e.getValue()));
                cursor = nr + 1;
            }
            if (cursor <= arch.highestNumber()) {
                gap(out, cursor, enosysFrom);
            }
            return out;
        }

        /** A range with no rules starting at {@code start}: the default, ENOSYS from {@code enosysFrom} on. */
        private void gap(List<Segment> out, long start, long enosysFrom) {
            // No gap straddles enosysFrom: every named number is a key of the tree, so the numbers above the
            // highest one form the last gap, which starts exactly at enosysFrom.
            add(out, start, new Ret(start < enosysFrom ? defaultAction.ret() : SeccompAction.ERRNO_ENOSYS.ret()));
        }

        private static void add(List<Segment> out, long start, Outcome outcome) {
            if (!out.isEmpty() && out.getLast().outcome().equals(outcome)) {
                return;
            }
            out.add(new Segment(start, outcome));
        }

        private Outcome outcome(List<Rule> forNumber) {
            if (forNumber.isEmpty()) {
                return new Ret(defaultAction.ret());
            }
            List<Rule> ordered = new ArrayList<>(forNumber);
            ordered.sort(Comparator.comparing(r -> r.action().kind())); // stable: ties keep profile order
            List<Alternative> alternatives = new ArrayList<>();
            for (Rule r : ordered) {
                alternatives.add(new Alternative(r.conditions(), r.action().ret()));
                if (r.conditions().isEmpty()) {
                    break; // nothing after an unconditional rule can be reached
                }
            }
            if (alternatives.getFirst().conditions().isEmpty()) {
                return new Ret(alternatives.getFirst().ret());
            }
            return new Chain(List.copyOf(alternatives), defaultAction.ret());
        }

        private Label handler(Outcome outcome) {
            Label label = handlers.get(outcome);
            if (label == null) {
                label = new Label();
                handlers.put(outcome, label);
                unemitted.add(Map.entry(outcome, label));
            }
            return label;
        }

        /**
         * Emits every handler the current section referenced: the rule chains first, then the returns, since
         * chains jump to returns and classic BPF jumps only forward.
         */
        private void emitHandlers() {
            List<Map.Entry<Outcome, Label>> returns = new ArrayList<>();
            while (!unemitted.isEmpty()) {
                Map.Entry<Outcome, Label> next = unemitted.poll();
                if (next.getKey() instanceof Chain c) {
                    chain(c, next.getValue());
                } else {
                    returns.add(next);
                }
            }
            for (Map.Entry<Outcome, Label> r : returns) {
                asm.bind(r.getValue());
                asm.ret(((Ret) r.getKey()).value());
            }
            handlers.clear();
        }

        private void chain(Chain c, Label entry) {
            Label pendingFail = entry;
            List<Alternative> alts = c.alternatives();
            for (int i = 0; i < alts.size(); i++) {
                Alternative alt = alts.get(i);
                Label pass = handler(new Ret(alt.ret()));
                if (alt.conditions().isEmpty()) {
                    BpfAssembler.alias(pendingFail, pass);
                    return;
                }
                asm.bind(pendingFail);
                Label fail = i == alts.size() - 1 ? handler(new Ret(c.fallback())) : new Label();
                List<ArgCondition> conds = alt.conditions();
                for (int j = 0; j < conds.size(); j++) {
                    Label ok = j == conds.size() - 1 ? pass : new Label();
                    condition(conds.get(j), ok, fail);
                    if (j < conds.size() - 1) {
                        asm.bind(ok);
                    }
                }
                pendingFail = fail;
            }
        }

        /**
         * Jumps to {@code pass} when the 64-bit argument satisfies {@code c}, else to {@code fail}. The BPF
         * machine is 32-bit: compare the high words first, and the low words only when the high ones are
         * equal.
         */
        private void condition(ArgCondition c, Label pass, Label fail) {
            int hi = (int) (c.value() >>> 32);
            int lo = (int) c.value();
            Label low = new Label();
            switch (c.op()) {
                case EQ -> {
                    asm.load(Bpf.argHigh(c.index()));
                    asm.jump(Bpf.JEQ, hi, low, fail);
                    asm.bind(low);
                    asm.load(Bpf.argLow(c.index()));
                    asm.jump(Bpf.JEQ, lo, pass, fail);
                }
                case NE -> {
                    asm.load(Bpf.argHigh(c.index()));
                    asm.jump(Bpf.JEQ, hi, low, pass);
                    asm.bind(low);
                    asm.load(Bpf.argLow(c.index()));
                    asm.jump(Bpf.JEQ, lo, fail, pass);
                }
                case GT, GE -> ordered(c, hi, lo, pass, fail, low, c.op() == ArgCondition.Op.GT ? Bpf.JGT : Bpf.JGE);
                // arg < v is !(arg >= v), arg <= v is !(arg > v): swap the targets.
                case LT, LE -> ordered(c, hi, lo, fail, pass, low, c.op() == ArgCondition.Op.LE ? Bpf.JGT : Bpf.JGE);
                case MASKED_EQ -> {
                    int maskHi = (int) (c.value() >>> 32);
                    int wantHi = (int) (c.valueTwo() >>> 32);
                    if (maskHi == 0 && wantHi != 0) {
                        asm.jumpAlways(fail); // (arg & mask) can never have the wanted high bits
                        return;
                    }
                    if (maskHi != 0) {
                        asm.load(Bpf.argHigh(c.index()));
                        asm.and(maskHi);
                        asm.jump(Bpf.JEQ, wantHi, low, fail);
                        asm.bind(low);
                    }
                    asm.load(Bpf.argLow(c.index()));
                    asm.and((int) c.value());
                    asm.jump(Bpf.JEQ, (int) c.valueTwo(), pass, fail);
                }
            }
        }

        /** {@code arg > v} (lowOp JGT) or {@code arg >= v} (JGE) to {@code yes}, else {@code no}. */
        private void ordered(ArgCondition c, int hi, int lo, Label yes, Label no, Label low, int lowOp) {
            asm.load(Bpf.argHigh(c.index()));
            if (hi == 0) {
                // arg.hi > 0 decides; otherwise arg.hi == 0 == v.hi and the low words decide.
                asm.jump(Bpf.JGT, 0, yes, low);
            } else {
                Label equal = new Label();
                asm.jump(Bpf.JGT, hi, yes, equal);
                asm.bind(equal);
                asm.jump(Bpf.JEQ, hi, low, no);
            }
            asm.bind(low);
            asm.load(Bpf.argLow(c.index()));
            asm.jump(lowOp, lo, yes, no);
        }
    }
}
