package jctr.ns.seccomp;

import java.util.HashSet;
import java.util.OptionalLong;
import java.util.Set;

import jctr.kernel.oci.Seccomp;
import jctr.kernel.oci.SeccompArg;
import jctr.kernel.oci.SeccompSyscall;

/**
 * The straightforward meaning of an OCI seccomp profile, written independently of the compiler (only the
 * syscall name table is shared): what the filter must return for one syscall. The semantics are those
 * documented on {@link SeccompCompiler}.
 */
final class SeccompReference {

    private static final int AUDIT_X86_64 = 0xC000003E;
    private static final int AUDIT_I386 = 0x40000003;
    private static final int KILL_THREAD = 0;
    private static final int ERRNO_ENOSYS = 0x0005_0000 | 38;

    private SeccompReference() {
    }

    static int evaluate(Seccomp profile, BpfInterpreter.SeccompData data) {
        Set<String> listed = new HashSet<>(profile.architectures());
        listed.add("SCMP_ARCH_X86_64");
        long nr = Integer.toUnsignedLong(data.nr());
        SeccompArch abi;
        if (data.arch() == AUDIT_X86_64) {
            abi = nr >= 0x4000_0000L ? SeccompArch.X32 : SeccompArch.X86_64;
        } else if (data.arch() == AUDIT_I386) {
            abi = SeccompArch.X86;
        } else {
            return KILL_THREAD;
        }
        if (!listed.contains(abi.ociName())) {
            return KILL_THREAD;
        }
        int defaultRet = action(profile.defaultAction(), profile.defaultErrnoRet());
        long highestNamed = -1;
        Integer best = null;
        for (SeccompSyscall rule : profile.syscalls()) {
            boolean names = false;
            for (String name : rule.names()) {
                OptionalLong n = SyscallTable.number(abi, name);
                if (n.isPresent()) {
                    highestNamed = Math.max(highestNamed, n.getAsLong());
                    names |= n.getAsLong() == nr;
                }
            }
            int ret = action(rule.action(), rule.errnoRet());
            if (!names || ret == defaultRet || !rule.args().stream().allMatch(a -> holds(a, data.args()[a.index()]))) {
                continue;
            }
            // The kernel orders actions by their signed value: KILL_PROCESS < KILL_THREAD < ... < ALLOW.
            if (best == null || (ret & 0xffff_0000) < (best & 0xffff_0000)) {
                best = ret;
            }
        }
        if (best != null) {
            return best;
        }
        boolean blocks = !(profile.defaultAction().equals("SCMP_ACT_ALLOW") || profile.defaultAction().equals("SCMP_ACT_LOG")
                || profile.defaultAction().equals("SCMP_ACT_TRACE"));
        if (blocks && highestNamed >= 0 && nr > highestNamed) {
            return ERRNO_ENOSYS;
        }
        return defaultRet;
    }

    private static boolean holds(SeccompArg a, long arg) {
        long v = a.value();
        return switch (a.op()) {
            case "SCMP_CMP_NE" -> arg != v;
            case "SCMP_CMP_EQ" -> arg == v;
            case "SCMP_CMP_LT" -> Long.compareUnsigned(arg, v) < 0;
            case "SCMP_CMP_LE" -> Long.compareUnsigned(arg, v) <= 0;
            case "SCMP_CMP_GT" -> Long.compareUnsigned(arg, v) > 0;
            case "SCMP_CMP_GE" -> Long.compareUnsigned(arg, v) >= 0;
            case "SCMP_CMP_MASKED_EQ" -> (arg & v) == (a.valueTwo() == null ? 0 : a.valueTwo());
            default -> throw new IllegalArgumentException(a.op());
        };
    }

    private static int action(String name, Integer errnoRet) {
        int errno = errnoRet == null ? 1 : errnoRet;
        return switch (name) {
            case "SCMP_ACT_KILL_PROCESS" -> 0x8000_0000;
            case "SCMP_ACT_KILL", "SCMP_ACT_KILL_THREAD" -> 0;
            case "SCMP_ACT_TRAP" -> 0x0003_0000;
            case "SCMP_ACT_ERRNO" -> 0x0005_0000 | errno;
            case "SCMP_ACT_TRACE" -> 0x7ff0_0000 | errno;
            case "SCMP_ACT_LOG" -> 0x7ffc_0000;
            case "SCMP_ACT_ALLOW" -> 0x7fff_0000;
            default -> throw new IllegalArgumentException(name);
        };
    }
}
