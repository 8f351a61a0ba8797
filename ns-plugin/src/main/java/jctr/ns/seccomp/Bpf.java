package jctr.ns.seccomp;

/**
 * Classic BPF as seccomp runs it: opcode parts (linux/filter.h, linux/bpf_common.h), the layout of
 * {@code struct seccomp_data}, and the SECCOMP_RET_* return values (linux/seccomp.h).
 */
final class Bpf {

    // Instruction classes.
    static final int LD = 0x00;
    static final int LDX = 0x01;
    static final int ST = 0x02;
    static final int STX = 0x03;
    static final int ALU = 0x04;
    static final int JMP = 0x05;
    static final int RET = 0x06;
    static final int MISC = 0x07;

    // Load sizes and modes.
    static final int W = 0x00;
    static final int H = 0x08;
    static final int B = 0x10;
    static final int IMM = 0x00;
    static final int ABS = 0x20;
    static final int IND = 0x40;
    static final int MEM = 0x60;
    static final int LEN = 0x80;
    static final int MSH = 0xa0;

    // ALU operations.
    static final int ADD = 0x00;
    static final int SUB = 0x10;
    static final int MUL = 0x20;
    static final int DIV = 0x30;
    static final int OR = 0x40;
    static final int AND = 0x50;
    static final int LSH = 0x60;
    static final int RSH = 0x70;
    static final int NEG = 0x80;
    static final int MOD = 0x90;
    static final int XOR = 0xa0;

    // Jump operations.
    static final int JA = 0x00;
    static final int JEQ = 0x10;
    static final int JGT = 0x20;
    static final int JGE = 0x30;
    static final int JSET = 0x40;

    // Operand sources: the constant k or the index register X; RET can also return A.
    static final int K = 0x00;
    static final int X = 0x08;
    static final int A = 0x10;

    // MISC operations.
    static final int TAX = 0x00;
    static final int TXA = 0x80;

    /** Scratch memory words M[0..15]. */
    static final int MEMWORDS = 16;
    /** BPF_MAXINSNS: the kernel refuses longer programs. */
    static final int MAX_INSTRUCTIONS = 4096;
    /** sizeof(struct sock_filter). */
    static final int INSTRUCTION_SIZE = 8;

    // struct seccomp_data { int nr; __u32 arch; __u64 instruction_pointer; __u64 args[6]; } (little-endian)
    static final int OFFSET_NR = 0;
    static final int OFFSET_ARCH = 4;
    static final int OFFSET_IP = 8;
    static final int OFFSET_ARGS = 16;
    static final int SECCOMP_DATA_SIZE = 64;

    // SECCOMP_RET_* actions; the low 16 bits carry data (an errno, a tracer message).
    static final int RET_KILL_PROCESS = 0x8000_0000;
    static final int RET_KILL_THREAD = 0x0000_0000;
    static final int RET_TRAP = 0x0003_0000;
    static final int RET_ERRNO = 0x0005_0000;
    static final int RET_USER_NOTIF = 0x7fc0_0000;
    static final int RET_TRACE = 0x7ff0_0000;
    static final int RET_LOG = 0x7ffc_0000;
    static final int RET_ALLOW = 0x7fff_0000;
    static final int RET_DATA = 0x0000_ffff;

    private Bpf() {
    }

    /** Offset in seccomp_data of the low 32 bits of argument {@code index}. */
    static int argLow(int index) {
        return OFFSET_ARGS + 8 * index;
    }

    /** Offset in seccomp_data of the high 32 bits of argument {@code index}. */
    static int argHigh(int index) {
        return OFFSET_ARGS + 8 * index + 4;
    }
}
