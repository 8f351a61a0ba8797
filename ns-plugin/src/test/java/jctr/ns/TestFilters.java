package jctr.ns;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import jctr.kernel.oci.Seccomp;
import jctr.kernel.oci.SeccompSyscall;
import jctr.ns.plan.SeccompProgram;

/**
 * A tiny seccomp "compiler" for tests until the real one is merged: it understands only profiles whose
 * default action is SCMP_ACT_ALLOW and whose rules return SCMP_ACT_ERRNO for syscalls named here by
 * their x86_64 number, and emits the classic BPF for exactly that.
 */
final class TestFilters {

    private static final int AUDIT_ARCH_X86_64 = 0xc000003e;
    private static final int SECCOMP_RET_ALLOW = 0x7fff0000;
    private static final int SECCOMP_RET_ERRNO = 0x00050000;
    private static final int EPERM = 1;

    private TestFilters() {
    }

    static SeccompProgram compile(Seccomp profile) {
        if (!"SCMP_ACT_ALLOW".equals(profile.defaultAction())) {
            throw new IllegalArgumentException("test filter: only SCMP_ACT_ALLOW defaults");
        }
        ByteBuffer b = ByteBuffer.allocate(8 * 64).order(ByteOrder.LITTLE_ENDIAN);
        int count = 0;
        for (SeccompSyscall s : profile.syscalls()) {
            count += s.names().size();
        }
        // ld arch; jeq x86_64 ? next : allow
        insn(b, 0x20, 0, 0, 4);
        insn(b, 0x15, 1, 0, AUDIT_ARCH_X86_64);
        insn(b, 0x06, 0, 0, SECCOMP_RET_ALLOW);
        insn(b, 0x20, 0, 0, 0);   // ld nr
        int left = count;
        for (SeccompSyscall s : profile.syscalls()) {
            int ret = SECCOMP_RET_ERRNO | (s.errnoRet() == null ? EPERM : s.errnoRet());
            for (String name : s.names()) {
                left--;
                // jeq nr ? (return errno: next insn) : skip it
                insn(b, 0x15, 0, 1, number(name));
                insn(b, 0x06, 0, 0, ret);
            }
        }
        insn(b, 0x06, 0, 0, SECCOMP_RET_ALLOW);
        byte[] out = new byte[b.position()];
        b.flip().get(out);
        return new SeccompProgram(0, out);
    }

    private static int number(String name) {
        return switch (name) {
            case "mkdir" -> 83;
            case "mkdirat" -> 258;
            case "uname" -> 63;
            default -> throw new IllegalArgumentException("test filter does not know syscall " + name);
        };
    }

    private static void insn(ByteBuffer b, int code, int jt, int jf, int k) {
        b.putShort((short) code).put((byte) jt).put((byte) jf).putInt(k);
    }
}
