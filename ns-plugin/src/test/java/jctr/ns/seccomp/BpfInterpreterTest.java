package jctr.ns.seccomp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import org.junit.jupiter.api.Test;

import jctr.ns.seccomp.BpfInterpreter.SeccompData;

class BpfInterpreterTest {

    private static final SeccompData DATA = new SeccompData(39, 0xC000003E, 0x1122_3344_5566_7788L,
            new long[] {0x0000_0001_0000_0002L, 3, 4, 5, 6, -1});

    @Test
    void loadsEveryWordOfSeccompData() {
        assertEquals(39, run(ld(0), retA()));
        assertEquals(0xC000003E, run(ld(4), retA()));
        assertEquals(0x5566_7788, run(ld(8), retA()));
        assertEquals(0x1122_3344, run(ld(12), retA()));
        assertEquals(2, run(ld(16), retA()));
        assertEquals(1, run(ld(20), retA()));
        assertEquals(-1, run(ld(60), retA()));
        assertEquals(64, run(insn(Bpf.LD | Bpf.W | Bpf.LEN, 0, 0, 0), retA()));
    }

    @Test
    void aluOperationsAreUnsigned32Bit() {
        assertEquals(7, run(imm(5), alu(Bpf.ADD, 2), retA()));
        assertEquals(-3, run(imm(5), alu(Bpf.SUB, 8), retA()));
        assertEquals(0x7fff_ffff, run(imm(-1), alu(Bpf.RSH, 1), retA()), "logical shift");
        assertEquals(0x7fff_ffff, run(imm(-1), alu(Bpf.DIV, 2), retA()), "unsigned division");
        assertEquals(1, run(imm(-1), alu(Bpf.MOD, 2), retA()));
        assertEquals(20, run(imm(5), alu(Bpf.LSH, 2), retA()));
        assertEquals(0xf0, run(imm(0xff), alu(Bpf.AND, 0xf0), retA()));
        assertEquals(0xff, run(imm(0x0f), alu(Bpf.OR, 0xf0), retA()));
        assertEquals(0xf0, run(imm(0xff), alu(Bpf.XOR, 0x0f), retA()));
        assertEquals(35, run(imm(5), alu(Bpf.MUL, 7), retA()));
        assertEquals(-5, run(imm(5), insn(Bpf.ALU | Bpf.NEG, 0, 0, 0), retA()));
    }

    @Test
    void registersMemoryAndDivisionByZeroX() {
        assertEquals(9, run(imm(9), insn(Bpf.MISC | Bpf.TAX, 0, 0, 0), imm(1), insn(Bpf.MISC | Bpf.TXA, 0, 0, 0), retA()));
        assertEquals(4, run(imm(4), insn(Bpf.ST, 0, 0, 3), imm(0), insn(Bpf.LD | Bpf.W | Bpf.MEM, 0, 0, 3), retA()));
        assertEquals(6, run(insn(Bpf.LDX | Bpf.IMM, 0, 0, 6), insn(Bpf.STX, 0, 0, 15),
                insn(Bpf.LDX | Bpf.W | Bpf.MEM, 0, 0, 15), insn(Bpf.MISC | Bpf.TXA, 0, 0, 0), retA()));
        assertEquals(0, run(imm(8), insn(Bpf.LDX | Bpf.IMM, 0, 0, 0), insn(Bpf.ALU | Bpf.DIV | Bpf.X, 0, 0, 0), ret(77)),
                "classic BPF returns 0 when dividing by X == 0");
    }

    @Test
    void jumpsCompareUnsigned() {
        assertEquals(1, run(imm(-1), jmp(Bpf.JGT, 5, 0, 1), ret(1), ret(2)), "0xffffffff > 5 unsigned");
        assertEquals(2, run(imm(4), jmp(Bpf.JGE, 5, 0, 1), ret(1), ret(2)));
        assertEquals(1, run(imm(5), jmp(Bpf.JEQ, 5, 0, 1), ret(1), ret(2)));
        assertEquals(1, run(imm(6), jmp(Bpf.JSET, 2, 0, 1), ret(1), ret(2)));
        assertEquals(3, run(insn(Bpf.JMP | Bpf.JA, 0, 0, 2), ret(1), ret(2), ret(3)));
        assertEquals(1, run(imm(7), insn(Bpf.LDX | Bpf.IMM, 0, 0, 7), insn(Bpf.JMP | Bpf.JEQ | Bpf.X, 0, 1, 0), ret(1),
                ret(2)));
    }

    @Test
    void refusesWhatTheKernelRefuses() {
        assertRefused(new byte[0]);
        assertRefused(new byte[12]);
        assertRefused(program(imm(1)), "the last instruction must be a return");
        assertRefused(program(ld(62), retA()), "unaligned");
        assertRefused(program(ld(64), retA()), "outside seccomp_data");
        assertRefused(program(insn(Bpf.LD | Bpf.B | Bpf.ABS, 0, 0, 0), retA()), "byte loads");
        assertRefused(program(insn(Bpf.LD | Bpf.W | Bpf.IND, 0, 0, 0), retA()), "indirect loads");
        assertRefused(program(imm(1), alu(Bpf.DIV, 0), retA()), "division by constant 0");
        assertRefused(program(imm(1), alu(Bpf.LSH, 32), retA()), "shift by 32");
        assertRefused(program(jmp(Bpf.JEQ, 0, 1, 0), ret(0)), "jump past the end");
        assertRefused(program(insn(Bpf.JMP | Bpf.JA, 0, 0, 1), ret(0)), "jump past the end");
        assertRefused(program(insn(Bpf.LD | Bpf.W | Bpf.MEM, 0, 0, 0), retA()), "uninitialized memory");
        assertRefused(program(imm(0), jmp(Bpf.JEQ, 0, 0, 1), insn(Bpf.ST, 0, 0, 2), insn(Bpf.LD | Bpf.W | Bpf.MEM, 0, 0, 2),
                retA()), "memory written on one path only");
        assertRefused(program(insn(Bpf.ST, 0, 0, 16), ret(0)), "memory index out of range");
        assertRefused(new byte[8 * 4097]);
    }

    private static void assertRefused(byte[] program, String... why) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> BpfInterpreter.load(program));
        assertTrue(e.getMessage() != null, String.join(",", why));
    }

    private static int run(long... insns) {
        return BpfInterpreter.load(program(insns)).run(DATA);
    }

    private static byte[] program(long... insns) {
        ByteBuffer b = ByteBuffer.allocate(insns.length * 8).order(ByteOrder.LITTLE_ENDIAN);
        for (long i : insns) {
            b.putLong(i);
        }
        return b.array();
    }

    /** One little-endian sock_filter packed in a long: code, jt, jf in the low 32 bits, k in the high. */
    private static long insn(int code, int jt, int jf, int k) {
        return (code & 0xffffL) | (jt & 0xffL) << 16 | (jf & 0xffL) << 24 | (k & 0xffff_ffffL) << 32;
    }

    private static long ld(int offset) {
        return insn(Bpf.LD | Bpf.W | Bpf.ABS, 0, 0, offset);
    }

    private static long imm(int k) {
        return insn(Bpf.LD | Bpf.IMM, 0, 0, k);
    }

    private static long alu(int op, int k) {
        return insn(Bpf.ALU | op | Bpf.K, 0, 0, k);
    }

    private static long jmp(int op, int k, int jt, int jf) {
        return insn(Bpf.JMP | op | Bpf.K, jt, jf, k);
    }

    private static long ret(int k) {
        return insn(Bpf.RET | Bpf.K, 0, 0, k);
    }

    private static long retA() {
        return insn(Bpf.RET | Bpf.A, 0, 0, 0);
    }
}
