package jctr.cgroup.v2;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * A test-only eBPF interpreter for the instructions the device filter emits, checking what the kernel's
 * verifier would refuse on the way: unknown opcodes, backward or out-of-range jumps, reads of unset
 * registers, context reads other than aligned u32 fields, falling off the end.
 */
final class EbpfInterpreter {

    private static final int CTX = 1;
    private static final long CTX_POINTER = 0xC7C7_0000L;

    private EbpfInterpreter() {
    }

    /**
     * Runs a CGROUP_DEVICE program on {@code struct bpf_cgroup_dev_ctx} and returns r0.
     *
     * @param access ACCESS_* bits
     * @param type TYPE_BLOCK or TYPE_CHAR
     */
    static long run(byte[] program, int access, int type, int major, int minor) {
        int[] ctx = {(access << 16) | type, major, minor};
        ByteBuffer code = ByteBuffer.wrap(program).order(ByteOrder.nativeOrder());
        int count = program.length / 8;
        long[] reg = new long[11];
        boolean[] set = new boolean[11];
        reg[CTX] = CTX_POINTER;
        set[CTX] = true;
        int pc = 0;
        int steps = 0;
        while (true) {
            if (pc < 0 || pc >= count) {
                throw new AssertionError("pc " + pc + " outside the program of " + count + " instructions");
            }
            if (++steps > count) {
                throw new AssertionError("more steps than instructions: a loop");
            }
            int op = code.get(pc * 8) & 0xff;
            int regs = code.get(pc * 8 + 1) & 0xff;
            int dst = regs & 0xf;
            int src = regs >> 4;
            short off = code.getShort(pc * 8 + 2);
            int imm = code.getInt(pc * 8 + 4);
            pc++;
            switch (op) {
                case EbpfAssembler.LDX_MEM_W -> {
                    require(set, src);
                    if (reg[src] != CTX_POINTER || off < 0 || off > 8 || off % 4 != 0) {
                        throw new AssertionError("bad load at " + (pc - 1) + ": r" + src + "+" + off);
                    }
                    reg[dst] = ctx[off / 4] & 0xffffffffL;
                    set[dst] = true;
                }
                case EbpfAssembler.ALU32_MOV_X -> {
                    require(set, src);
                    reg[dst] = reg[src] & 0xffffffffL;
                    set[dst] = true;
                }
                case EbpfAssembler.ALU32_AND_K -> {
                    require(set, dst);
                    reg[dst] = (reg[dst] & imm) & 0xffffffffL;
                }
                case EbpfAssembler.ALU32_RSH_K -> {
                    require(set, dst);
                    reg[dst] = ((reg[dst] & 0xffffffffL) >>> (imm & 31)) & 0xffffffffL;
                }
                case EbpfAssembler.ALU64_MOV_K -> {
                    reg[dst] = imm;
                    set[dst] = true;
                }
                case EbpfAssembler.JMP_JA -> pc = jump(pc, off, count);
                case EbpfAssembler.JMP_JEQ_K -> {
                    require(set, dst);
                    if (reg[dst] == (long) imm) {
                        pc = jump(pc, off, count);
                    }
                }
                case EbpfAssembler.JMP_JNE_K -> {
                    require(set, dst);
                    if (reg[dst] != (long) imm) {
                        pc = jump(pc, off, count);
                    }
                }
                case EbpfAssembler.JMP_EXIT -> {
                    require(set, 0);
                    return reg[0];
                }
                default -> throw new AssertionError("unknown opcode 0x" + Integer.toHexString(op) + " at " + (pc - 1));
            }
        }
    }

    private static int jump(int pc, short off, int count) {
        if (off < 0) {
            throw new AssertionError("backward jump");
        }
        int target = pc + off;
        if (target >= count) {
            throw new AssertionError("jump past the end");
        }
        return target;
    }

    private static void require(boolean[] set, int r) {
        if (!set[r]) {
            throw new AssertionError("read of unset register r" + r);
        }
    }
}
