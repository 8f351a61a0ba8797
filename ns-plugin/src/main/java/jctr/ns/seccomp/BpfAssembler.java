package jctr.ns.seccomp;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Builds a classic BPF program with symbolic jump targets. Classic BPF jumps only forward, and a
 * conditional jump reaches at most 255 instructions: {@link #assemble()} inserts an unconditional
 * {@code ja} (32-bit offset) right after any conditional jump whose target is farther, and repeats until
 * every jump fits, since each insertion can push other jumps out of range.
 */
final class BpfAssembler {

    /** A jump target: bound to the next instruction emitted, or made an alias of another label. */
    static final class Label {
        private Insn target;
        private Label alias;

        private Insn resolve() {
            Label l = this;
            while (l.alias != null) {
                l = l.alias;
            }
            if (l.target == null) {
                throw new IllegalStateException("jump to a label that was never bound");
            }
            return l.target;
        }
    }

    private static final class Insn {
        final int code;
        final int k;
        Label jt;
        Label jf;

        Insn(int code, int k, Label jt, Label jf) {
            this.code = code;
            this.k = k;
            this.jt = jt;
            this.jf = jf;
        }

        boolean conditional() {
            return jf != null;
        }
    }

    private static final int MAX_SHORT_JUMP = 255;

    private final List<Insn> program = new ArrayList<>();
    private final List<Label> pending = new ArrayList<>();

    /** Binds {@code label} to the next instruction emitted. */
    void bind(Label label) {
        if (label.target != null || label.alias != null) {
            throw new IllegalStateException("label bound twice");
        }
        pending.add(label);
    }

    /** Makes {@code label} jump wherever {@code target} does (for a target that needs no code of its own). */
    static void alias(Label label, Label target) {
        if (label.target != null || label.alias != null) {
            throw new IllegalStateException("label bound twice");
        }
        label.alias = target;
    }

    /** {@code A = seccomp_data[offset]} (32-bit word). */
    void load(int offset) {
        emit(Bpf.LD | Bpf.W | Bpf.ABS, offset, null, null);
    }

    /** {@code A &= k}. */
    void and(int k) {
        emit(Bpf.ALU | Bpf.AND | Bpf.K, k, null, null);
    }

    /** {@code if (A <op> k) goto ifTrue else goto ifFalse}, op one of JEQ, JGT, JGE, JSET (unsigned). */
    void jump(int op, int k, Label ifTrue, Label ifFalse) {
        emit(Bpf.JMP | op | Bpf.K, k, ifTrue, ifFalse);
    }

    /** {@code goto target}. */
    void jumpAlways(Label target) {
        emit(Bpf.JMP | Bpf.JA, 0, target, null);
    }

    /** {@code return k}. */
    void ret(int k) {
        emit(Bpf.RET | Bpf.K, k, null, null);
    }

    private void emit(int code, int k, Label jt, Label jf) {
        Insn insn = new Insn(code, k, jt, jf);
        for (Label l : pending) {
            l.target = insn;
        }
        pending.clear();
        program.add(insn);
    }

    /**
     * The program as little-endian {@code struct sock_filter} entries, including the trampolines for long
     * conditional jumps.
     */
    byte[] assemble() {
        if (!pending.isEmpty()) {
            throw new IllegalStateException("label bound after the last instruction");
        }
        while (insertTrampolines()) {
            // each pass fixes the jumps it found too long; positions moved, so look again
        }
        Map<Insn, Integer> pos = positions();
        ByteBuffer out = ByteBuffer.allocate(program.size() * Bpf.INSTRUCTION_SIZE).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < program.size(); i++) {
            Insn insn = program.get(i);
            int jt = 0;
            int jf = 0;
            int k = insn.k;
            if (insn.conditional()) {
                jt = offset(pos, i, insn.jt);
                jf = offset(pos, i, insn.jf);
            } else if (insn.jt != null) {
                k = offset(pos, i, insn.jt);
            }
            out.putShort((short) insn.code).put((byte) jt).put((byte) jf).putInt(k);
        }
        return out.array();
    }

    /**
     * One pass: gives every conditional jump that is too long a trampoline. Walks backwards so that an
     * insertion never moves the instructions still to be looked at; offsets measured before an insertion
     * can only have grown, so the caller repeats until a pass changes nothing.
     */
    private boolean insertTrampolines() {
        Map<Insn, Integer> pos = positions();
        boolean changed = false;
        for (int i = program.size() - 1; i >= 0; i--) {
            Insn insn = program.get(i);
            if (!insn.conditional()) {
                continue;
            }
            boolean farTrue = offset(pos, i, insn.jt) > MAX_SHORT_JUMP;
            boolean farFalse = offset(pos, i, insn.jf) > MAX_SHORT_JUMP;
            // The new ja instructions sit right after the conditional jump, which never falls through
            // into them: only the branches redirected here reach them.
            if (farFalse) {
                insn.jf = trampoline(i + 1, insn.jf);
            }
            if (farTrue) {
                insn.jt = trampoline(i + 1, insn.jt);
            }
            changed |= farTrue || farFalse;
        }
        return changed;
    }

    private Label trampoline(int index, Label target) {
        Insn ja = new Insn(Bpf.JMP | Bpf.JA, 0, target, null);
        program.add(index, ja);
        Label label = new Label();
        label.target = ja;
        return label;
    }

    private Map<Insn, Integer> positions() {
        Map<Insn, Integer> pos = new IdentityHashMap<>();
        for (int i = 0; i < program.size(); i++) {
            pos.put(program.get(i), i);
        }
        return pos;
    }

    private static int offset(Map<Insn, Integer> pos, int from, Label to) {
        int off = pos.get(to.resolve()) - from - 1;
        if (off < 0) {
            throw new IllegalStateException("backward jump at instruction " + from + ": classic BPF jumps only forward");
        }
        return off;
    }
}
