package jctr.ns.seccomp;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Runs a classic BPF program over a {@code struct seccomp_data} the way the kernel's seccomp does, for
 * tests. {@link #load} checks the program as the kernel would before installing it (seccomp's opcode
 * whitelist, in-range forward jumps, a return at the end, aligned in-bounds loads, no division by a
 * constant zero, no scratch-memory read before a write on some path) and throws
 * {@link IllegalArgumentException} naming the instruction otherwise.
 */
final class BpfInterpreter {

    /**
     * The data a seccomp filter sees.
     *
     * @param nr the syscall number (x32 numbers include bit 30)
     * @param arch the AUDIT_ARCH_* value
     * @param instructionPointer where the syscall was made
     * @param args the six arguments
     */
    record SeccompData(int nr, int arch, long instructionPointer, long[] args) {
        SeccompData {
            if (args.length != 6) {
                throw new IllegalArgumentException("seccomp_data has 6 args");
            }
            args = args.clone();
        }

        /** The 32-bit word at {@code offset}, as BPF_LD|BPF_W|BPF_ABS reads it (little-endian struct). */
        int word(int offset) {
            if (offset == Bpf.OFFSET_NR) {
                return nr;
            }
            if (offset == Bpf.OFFSET_ARCH) {
                return arch;
            }
            long value = offset < Bpf.OFFSET_ARGS ? instructionPointer : args[(offset - Bpf.OFFSET_ARGS) / 8];
            return (offset & 4) == 0 ? (int) value : (int) (value >>> 32);
        }
    }

    private final int[] code;
    private final int[] jt;
    private final int[] jf;
    private final int[] k;

    private BpfInterpreter(int[] code, int[] jt, int[] jf, int[] k) {
        this.code = code;
        this.jt = jt;
        this.jf = jf;
        this.k = k;
    }

    /** The number of instructions. */
    int length() {
        return code.length;
    }

    /** Decodes and checks a program of little-endian {@code struct sock_filter} entries. */
    static BpfInterpreter load(byte[] program) {
        if (program.length == 0 || program.length % Bpf.INSTRUCTION_SIZE != 0) {
            throw new IllegalArgumentException("program length " + program.length + " is not a positive multiple of 8");
        }
        int n = program.length / Bpf.INSTRUCTION_SIZE;
        if (n > Bpf.MAX_INSTRUCTIONS) {
            throw new IllegalArgumentException(n + " instructions, more than " + Bpf.MAX_INSTRUCTIONS);
        }
        ByteBuffer in = ByteBuffer.wrap(program).order(ByteOrder.LITTLE_ENDIAN);
        int[] code = new int[n];
        int[] jt = new int[n];
        int[] jf = new int[n];
        int[] k = new int[n];
        for (int pc = 0; pc < n; pc++) {
            code[pc] = Short.toUnsignedInt(in.getShort());
            jt[pc] = Byte.toUnsignedInt(in.get());
            jf[pc] = Byte.toUnsignedInt(in.get());
            k[pc] = in.getInt();
        }
        BpfInterpreter p = new BpfInterpreter(code, jt, jf, k);
        p.check();
        return p;
    }

    private void check() {
        int n = code.length;
        for (int pc = 0; pc < n; pc++) {
            int c = code[pc];
            switch (c & 0x07) {
                case Bpf.LD -> {
                    if (c == (Bpf.LD | Bpf.W | Bpf.ABS)) {
                        if (Integer.compareUnsigned(k[pc], Bpf.SECCOMP_DATA_SIZE) >= 0 || (k[pc] & 3) != 0) {
                            throw bad(pc, "load outside seccomp_data or unaligned: offset " + k[pc]);
                        }
                    } else if (c == (Bpf.LD | Bpf.W | Bpf.MEM)) {
                        memIndex(pc);
                    } else if (c != (Bpf.LD | Bpf.W | Bpf.LEN) && c != (Bpf.LD | Bpf.IMM)) {
                        throw bad(pc, "load mode not allowed in seccomp");
                    }
                }
                case Bpf.LDX -> {
                    if (c == (Bpf.LDX | Bpf.W | Bpf.MEM)) {
                        memIndex(pc);
                    } else if (c != (Bpf.LDX | Bpf.W | Bpf.LEN) && c != (Bpf.LDX | Bpf.IMM)) {
                        throw bad(pc, "load mode not allowed in seccomp");
                    }
                }
                case Bpf.ST, Bpf.STX -> {
                    if ((c & ~0x07) != 0) {
                        throw bad(pc, "unknown store");
                    }
                    memIndex(pc);
                }
                case Bpf.ALU -> checkAlu(pc, c);
                case Bpf.JMP -> checkJump(pc, c, n);
                case Bpf.RET -> {
                    if (c != (Bpf.RET | Bpf.K) && c != (Bpf.RET | Bpf.A)) {
                        throw bad(pc, "unknown return");
                    }
                }
                case Bpf.MISC -> {
                    if (c != (Bpf.MISC | Bpf.TAX) && c != (Bpf.MISC | Bpf.TXA)) {
                        throw bad(pc, "unknown misc operation");
                    }
                }
                default -> throw new AssertionError();
            }
        }
        if ((code[n - 1] & 0x07) != Bpf.RET) {
            throw bad(n - 1, "the last instruction must be a return");
        }
        checkMemoryInitialized();
    }

    private void checkAlu(int pc, int c) {
        int op = c & 0xf0;
        boolean fromX = (c & Bpf.X) != 0;
        if ((c & ~0xf8) != Bpf.ALU || op > Bpf.XOR) {
            throw bad(pc, "unknown ALU operation");
        }
        if (op == Bpf.NEG) {
            if (fromX) {
                throw bad(pc, "NEG takes no operand");
            }
            return;
        }
        if (!fromX && (op == Bpf.DIV || op == Bpf.MOD) && k[pc] == 0) {
            throw bad(pc, "division by the constant 0");
        }
        if (!fromX && (op == Bpf.LSH || op == Bpf.RSH) && Integer.compareUnsigned(k[pc], 32) >= 0) {
            throw bad(pc, "shift by " + Integer.toUnsignedString(k[pc]));
        }
    }

    private void checkJump(int pc, int c, int n) {
        int op = c & 0xf0;
        if (c == (Bpf.JMP | Bpf.JA)) {
            if (Integer.toUnsignedLong(k[pc]) >= n - pc - 1) {
                throw bad(pc, "jump past the end");
            }
            return;
        }
        if ((c & ~0xf8) != Bpf.JMP || op < Bpf.JEQ || op > Bpf.JSET) {
            throw bad(pc, "unknown jump");
        }
        if (jt[pc] >= n - pc - 1 || jf[pc] >= n - pc - 1) {
            throw bad(pc, "jump past the end");
        }
    }

    private void memIndex(int pc) {
        if (Integer.compareUnsigned(k[pc], Bpf.MEMWORDS) >= 0) {
            throw bad(pc, "scratch memory index " + Integer.toUnsignedString(k[pc]));
        }
    }

    /** Like the kernel's check_load_and_stores: each M[i] read must follow a write to it on every path. */
    private void checkMemoryInitialized() {
        int n = code.length;
        int all = (1 << Bpf.MEMWORDS) - 1;
        int[] valid = new int[n];
        java.util.Arrays.fill(valid, all);
        valid[0] = 0;
        for (int pc = 0; pc < n; pc++) {
            int c = code[pc];
            int state = valid[pc];
            if (c == (Bpf.LD | Bpf.W | Bpf.MEM) || c == (Bpf.LDX | Bpf.W | Bpf.MEM)) {
                if ((state & (1 << k[pc])) == 0) {
                    throw bad(pc, "reads M[" + k[pc] + "] before any write to it");
                }
            } else if (c == Bpf.ST || c == Bpf.STX) {
                state |= 1 << k[pc];
            }
            if ((c & 0x07) == Bpf.JMP) {
                if (c == (Bpf.JMP | Bpf.JA)) {
                    valid[pc + 1 + k[pc]] &= state;
                } else {
                    valid[pc + 1 + jt[pc]] &= state;
                    valid[pc + 1 + jf[pc]] &= state;
                }
            } else if ((c & 0x07) != Bpf.RET && pc + 1 < n) {
                valid[pc + 1] &= state;
            }
        }
    }

    private static IllegalArgumentException bad(int pc, String why) {
        return new IllegalArgumentException("instruction " + pc + ": " + why);
    }

    /** Runs the program over {@code data} and returns the 32-bit SECCOMP_RET_* value. */
    int run(SeccompData data) {
        int a = 0;
        int x = 0;
        int[] mem = new int[Bpf.MEMWORDS];
        int pc = 0;
        while (true) {
            int c = code[pc];
            int kk = k[pc];
            switch (c & 0x07) {
                case Bpf.LD -> a = switch (c) {
                    case Bpf.LD | Bpf.W | Bpf.ABS -> data.word(kk);
                    case Bpf.LD | Bpf.W | Bpf.LEN -> Bpf.SECCOMP_DATA_SIZE;
                    case Bpf.LD | Bpf.W | Bpf.MEM -> mem[kk];
                    default -> kk; // LD | IMM
                };
                case Bpf.LDX -> x = switch (c) {
                    case Bpf.LDX | Bpf.W | Bpf.LEN -> Bpf.SECCOMP_DATA_SIZE;
                    case Bpf.LDX | Bpf.W | Bpf.MEM -> mem[kk];
                    default -> kk; // LDX | IMM
                };
                case Bpf.ST -> mem[kk] = a;
                case Bpf.STX -> mem[kk] = x;
                case Bpf.ALU -> {
                    int v = (c & Bpf.X) != 0 ? x : kk;
                    int op = c & 0xf0;
                    if ((op == Bpf.DIV || op == Bpf.MOD) && v == 0) {
                        return 0; // classic BPF: division by X == 0 ends the program with 0
                    }
                    a = switch (op) {
                        case Bpf.ADD -> a + v;
                        case Bpf.SUB -> a - v;
                        case Bpf.MUL -> a * v;
                        case Bpf.DIV -> Integer.divideUnsigned(a, v);
                        case Bpf.MOD -> Integer.remainderUnsigned(a, v);
                        case Bpf.OR -> a | v;
                        case Bpf.AND -> a & v;
                        case Bpf.XOR -> a ^ v;
                        case Bpf.LSH -> a << v;
                        case Bpf.RSH -> a >>> v;
                        default -> -a; // NEG
                    };
                }
                case Bpf.JMP -> {
                    if (c == (Bpf.JMP | Bpf.JA)) {
                        pc += kk;
                    } else {
                        int v = (c & Bpf.X) != 0 ? x : kk;
                        boolean taken = switch (c & 0xf0) {
                            case Bpf.JEQ -> a == v;
                            case Bpf.JGT -> Integer.compareUnsigned(a, v) > 0;
                            case Bpf.JGE -> Integer.compareUnsigned(a, v) >= 0;
                            default -> (a & v) != 0; // JSET
                        };
                        pc += taken ? jt[pc] : jf[pc];
                    }
                }
                case Bpf.RET -> {
                    return c == (Bpf.RET | Bpf.A) ? a : kk;
                }
                default -> {
                    if (c == (Bpf.MISC | Bpf.TAX)) {
                        x = a;
                    } else {
                        a = x;
                    }
                }
            }
            pc++;
        }
    }
}
