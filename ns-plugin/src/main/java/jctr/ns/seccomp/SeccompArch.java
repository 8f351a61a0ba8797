package jctr.ns.seccomp;

import java.util.Optional;

/**
 * The architectures (ABIs) a seccomp filter on an x86_64 kernel can see. x32 processes report the x86_64
 * audit arch and set bit 30 ({@code __X32_SYSCALL_BIT}) in the syscall number; libseccomp (and so OCI
 * runtimes) treat them as a separate architecture, and so does jctr.
 */
enum SeccompArch {
    X86_64("SCMP_ARCH_X86_64", SeccompArch.AUDIT_ARCH_X86_64),
    X86("SCMP_ARCH_X86", SeccompArch.AUDIT_ARCH_I386),
    X32("SCMP_ARCH_X32", SeccompArch.AUDIT_ARCH_X86_64);

    /** AUDIT_ARCH_X86_64: EM_X86_64 (62) | __AUDIT_ARCH_64BIT | __AUDIT_ARCH_LE. */
    static final int AUDIT_ARCH_X86_64 = 0xC000_003E;
    /** AUDIT_ARCH_I386: EM_386 (3) | __AUDIT_ARCH_LE. */
    static final int AUDIT_ARCH_I386 = 0x4000_0003;
    /** __X32_SYSCALL_BIT: set in the number of every x32 syscall. */
    static final long X32_SYSCALL_BIT = 0x4000_0000L;

    private final String ociName;
    private final int auditArch;

    SeccompArch(String ociName, int auditArch) {
        this.ociName = ociName;
        this.auditArch = auditArch;
    }

    /** The name in OCI configs, e.g. {@code SCMP_ARCH_X86_64}. */
    String ociName() {
        return ociName;
    }

    /** The value of {@code seccomp_data.arch} for this ABI. */
    int auditArch() {
        return auditArch;
    }

    /** The lowest syscall number (unsigned) this ABI can show the filter: x32 numbers carry bit 30. */
    long lowestNumber() {
        return this == X32 ? X32_SYSCALL_BIT : 0;
    }

    /** The highest syscall number (unsigned): x86_64 numbers lack bit 30, the others reach 2^32 - 1. */
    long highestNumber() {
        return this == X86_64 ? X32_SYSCALL_BIT - 1 : 0xFFFF_FFFFL;
    }

    static Optional<SeccompArch> fromOciName(String name) {
        for (SeccompArch a : values()) {
            if (a.ociName.equals(name)) {
                return Optional.of(a);
            }
        }
        return Optional.empty();
    }
}
