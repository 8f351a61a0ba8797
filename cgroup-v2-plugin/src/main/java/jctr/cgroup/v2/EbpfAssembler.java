package jctr.cgroup.v2;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * Builds eBPF programs from the few instructions the device filter needs, with forward jumps to labels.
 * Each instruction encodes as the kernel's {@code struct bpf_insn}: opcode (8 bits), destination and source
 * register (4 bits each, destination in the low nibble), a signed 16-bit offset and a signed 32-bit
 * immediate, in the host's byte order.
 */
final class EbpfAssembler {

    static final int R0 = 0;
    static final int R1 = 1;
    static final int R2 = 2;
    static final int R3 = 3;
    static final int R4 = 4;
    static final int R5 = 5;

    // opcode = operation | source | class (see the kernel's Documentation/bpf/instruction-set.rst)
    static final int LDX_MEM_W = 0x61;   // BPF_LDX | BPF_MEM | BPF_W: dst = *(u32 *)(src + off)
    static final int ALU32_MOV_X = 0xbc; // BPF_ALU | BPF_MOV | BPF_X: dst = (u32) src
    static final int ALU32_AND_K = 0x54; // BPF_ALU | BPF_AND | BPF_K: dst = (u32) dst & imm
    static final int ALU32_RSH_K = 0x74; // BPF_ALU | BPF_RSH | BPF_K: dst = (u32) dst >> imm
    static final int ALU64_MOV_K = 0xb7; // BPF_ALU64 | BPF_MOV | BPF_K: dst = imm
    static final int JMP_JA = 0x05;      // BPF_JMP | BPF_JA: pc += off
    static final int JMP_JEQ_K = 0x15;   // BPF_JMP | BPF_JEQ | BPF_K: if dst == imm, pc += off
    static final int JMP_JNE_K = 0x55;   // BPF_JMP | BPF_JNE | BPF_K: if dst != imm, pc += off
    static final int JMP_EXIT = 0x95;    // BPF_JMP | BPF_EXIT: return r0

    static final int INSN_SIZE = 8;

    /** A jump target; bound to the position of the next instruction emitted after {@link #bind}. */
    static final class Label {
        private int position = -1;
        private boolean used;

        boolean used() {
            return used;
        }
    }

    private record Insn(int code, int dst, int src, Label target, int off, int imm) {
    }

    private final List<Insn> program = new ArrayList<>();

    void loadWord(int dst, int src, int off) {
        emit(LDX_MEM_W, dst, src, null, off, 0);
    }

    void mov32(int dst, int src) {
        emit(ALU32_MOV_X, dst, src, null, 0, 0);
    }

    void and32(int dst, int imm) {
        emit(ALU32_AND_K, dst, 0, null, 0, imm);
    }

    void rsh32(int dst, int imm) {
        emit(ALU32_RSH_K, dst, 0, null, 0, imm);
    }

    void movImm(int dst, int imm) {
        emit(ALU64_MOV_K, dst, 0, null, 0, imm);
    }

    void jumpIfEqual(int dst, int imm, Label target) {
        emit(JMP_JEQ_K, dst, 0, target, 0, imm);
    }

    void jumpIfNotEqual(int dst, int imm, Label target) {
        emit(JMP_JNE_K, dst, 0, target, 0, imm);
    }

    void jump(Label target) {
        emit(JMP_JA, 0, 0, target, 0, 0);
    }

    void exit() {
        emit(JMP_EXIT, 0, 0, null, 0, 0);
    }

    void bind(Label label) {
        if (label.position >= 0) {
            throw new IllegalStateException("label bound twice");
        }
        label.position = program.size();
    }

    /** The number of instructions emitted so far. */
    int size() {
        return program.size();
    }

    /** Resolves the labels and encodes the program. Every jump must go forward to a bound label. */
    byte[] assemble() {
        ByteBuffer out = ByteBuffer.allocate(program.size() * INSN_SIZE).order(ByteOrder.nativeOrder());
        for (int pc = 0; pc < program.size(); pc++) {
            Insn insn = program.get(pc);
            int off = insn.off();
            if (insn.target() != null) {
                if (insn.target().position < 0) {
                    throw new IllegalStateException("jump at " + pc + " to an unbound label");
                }
                off = insn.target().position - (pc + 1);
                if (off < 0 || off > Short.MAX_VALUE) {
                    throw new IllegalStateException("jump at " + pc + " out of range: " + off);
                }
            }
            out.put((byte) insn.code());
            out.put((byte) ((insn.src() << 4) | insn.dst()));
            out.putShort((short) off);
            out.putInt(insn.imm());
        }
        return out.array();
    }

    private void emit(int code, int dst, int src, Label target, int off, int imm) {
        if (target != null) {
            target.used = true;
        }
        program.add(new Insn(code, dst, src, target, off, imm));
    }
}
