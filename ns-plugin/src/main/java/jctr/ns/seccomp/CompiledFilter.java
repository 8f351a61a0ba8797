package jctr.ns.seccomp;

import java.util.List;

/**
 * A compiled seccomp filter and what the compiler had to say about the profile.
 *
 * @param program little-endian {@code struct sock_filter} entries for seccomp(SECCOMP_SET_MODE_FILTER)
 * @param warnings things the compiler skipped, each naming the profile field (syscall names no listed
 *                 architecture knows, architectures that cannot occur on this host)
 */
public record CompiledFilter(byte[] program, List<String> warnings) {

    public CompiledFilter {
        program = program.clone();
        warnings = List.copyOf(warnings);
    }

    /** A copy of the program bytes. */
    @Override
    public byte[] program() {
        return program.clone();
    }

    /** The number of BPF instructions. */
    public int instructions() {
        return program.length / Bpf.INSTRUCTION_SIZE;
    }
}
