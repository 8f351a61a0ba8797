package jctr.ns.plan;

import java.util.Arrays;
import java.util.Objects;

/**
 * A compiled seccomp filter ready for seccomp(2).
 *
 * @param flags SECCOMP_FILTER_FLAG_* bits
 * @param program classic BPF as little-endian {@code struct sock_filter} entries (8 bytes each)
 */
public record SeccompProgram(int flags, byte[] program) {

    public SeccompProgram {
        Objects.requireNonNull(program, "program");
        if (program.length == 0 || program.length % 8 != 0) {
            throw new IllegalArgumentException("a BPF program is a non-empty multiple of 8 bytes, not " + program.length);
        }
        program = program.clone();
    }

    @Override
    public byte[] program() {
        return program.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SeccompProgram s && s.flags == flags && Arrays.equals(s.program, program);
    }

    @Override
    public int hashCode() {
        return 31 * flags + Arrays.hashCode(program);
    }

    @Override
    public String toString() {
        return "SeccompProgram[flags=" + flags + ", " + program.length / 8 + " instructions]";
    }
}
