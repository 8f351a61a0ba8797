package jctr.cgroup.v2;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import jctr.kernel.UnsupportedFeatureException;
import jctr.kernel.oci.DeviceRule;
import jctr.kernel.sys.Bpf;
import jctr.kernel.sys.OpenFlags;
import jctr.kernel.sys.PosixFiles;
import jctr.kernel.sys.SyscallException;

import static jctr.cgroup.v2.Checks.invalid;
import static jctr.cgroup.v2.EbpfAssembler.R0;
import static jctr.cgroup.v2.EbpfAssembler.R1;
import static jctr.cgroup.v2.EbpfAssembler.R2;
import static jctr.cgroup.v2.EbpfAssembler.R3;
import static jctr.cgroup.v2.EbpfAssembler.R4;
import static jctr.cgroup.v2.EbpfAssembler.R5;

/**
 * {@code linux.resources.devices} on cgroup v2, which has no devices files: the rules are compiled into an
 * eBPF program of type CGROUP_DEVICE and attached to the cgroup directory with bpf(2).
 *
 * <h2>Semantics</h2>
 * Each requested access kind (mknod, read, write) is decided on its own by the <em>last</em> rule in the
 * list that matches the device (type, major, minor; absent or -1 matches any, type {@code a} matches
 * block and character devices) and names that access kind; no matching rule denies. An access asking for
 * several kinds at once (open O_RDWR is read and write) is allowed only if every kind is allowed. This is
 * the OCI order ("applied in the listed order", later entries overriding earlier ones) evaluated per access
 * kind, so a later {@code deny c 1:3 w} takes away writing /dev/null even after {@code allow a rwm}.
 * An empty list attaches no program (the kernel then allows every device): the runtime supplies the
 * default rules, as runc's callers do.
 *
 * <h2>Program</h2>
 * The kernel passes {@code struct bpf_cgroup_dev_ctx { u32 access_type; u32 major; u32 minor; }} in r1,
 * where {@code access_type} is {@code (access << 16) | device type}. For each access kind the program tests
 * the rules from last to first and jumps to "kind allowed" or "deny" at the first match; r0 = 1 allows.
 */
final class DeviceFilter {

    static final int ACCESS_MKNOD = 1;
    static final int ACCESS_READ = 2;
    static final int ACCESS_WRITE = 4;
    static final int TYPE_BLOCK = 1;
    static final int TYPE_CHAR = 2;
    /** Matches any major or minor. */
    static final long ANY = -1;

    private static final int[] ACCESS_KINDS = {ACCESS_MKNOD, ACCESS_READ, ACCESS_WRITE};
    // The program calls no helper, so the license string only labels it.
    private static final String LICENSE = "Apache-2.0";
    private static final String PROGRAM_NAME = "jctr_devices";

    /**
     * A validated rule.
     *
     * @param type {@code a}, {@code b} or {@code c}
     * @param major the major number or {@link #ANY}
     * @param minor the minor number or {@link #ANY}
     * @param access a combination of the ACCESS_* bits
     */
    record Rule(boolean allow, char type, long major, long minor, int access) {

        /** Whether this rule is about a device of kernel type {@code devType} with these numbers. */
        boolean matches(int devType, long devMajor, long devMinor) {
            return (type == 'a' || typeCode(type) == devType)
                    && (major == ANY || major == devMajor) && (minor == ANY || minor == devMinor);
        }
    }

    private DeviceFilter() {
    }

    /** Validates the OCI rules, naming {@code linux.resources.devices[i].*} on error. */
    static List<Rule> rules(List<DeviceRule> oci) {
        List<Rule> out = new ArrayList<>();
        for (int i = 0; i < oci.size(); i++) {
            DeviceRule r = oci.get(i);
            String f = Checks.RESOURCES + ".devices[" + i + "]";
            char type;
            if (r.type() == null || r.type().equals("a")) {
                type = 'a';
            } else if (r.type().equals("b") || r.type().equals("c")) {
                type = r.type().charAt(0);
            } else {
                throw invalid(f + ".type", "must be a, b or c, got \"" + r.type() + "\"");
            }
            if (r.access() == null || r.access().isEmpty()) {
                throw invalid(f + ".access", "must name at least one of r, w and m");
            }
            int access = 0;
            for (char c : r.access().toCharArray()) {
                access |= switch (c) {
                    case 'r' -> ACCESS_READ;
                    case 'w' -> ACCESS_WRITE;
                    case 'm' -> ACCESS_MKNOD;
                    default -> throw invalid(f + ".access", "must be made of r, w and m, got \"" + r.access() + "\"");
                };
            }
            out.add(new Rule(r.allow(), type, number(f + ".major", r.major()), number(f + ".minor", r.minor()), access));
        }
        return out;
    }

    /** Compiles validated rules into the encoded program. */
    static byte[] compile(List<Rule> rules) {
        EbpfAssembler a = new EbpfAssembler();
        EbpfAssembler.Label deny = new EbpfAssembler.Label();
        a.loadWord(R2, R1, 0);          // r2 = access_type
        a.mov32(R3, R2);
        a.and32(R3, 0xffff);            // r3 = device type
        a.rsh32(R2, 16);                // r2 = requested access bits
        a.loadWord(R4, R1, 4);          // r4 = major
        a.loadWord(R5, R1, 8);          // r5 = minor
        for (int kind : ACCESS_KINDS) {
            EbpfAssembler.Label kindAllowed = new EbpfAssembler.Label();
            a.mov32(R0, R2);
            a.and32(R0, kind);
            a.jumpIfEqual(R0, 0, kindAllowed);   // this kind is not requested
            boolean decided = false;
            for (int i = rules.size() - 1; i >= 0 && !decided; i--) {
                Rule rule = rules.get(i);
                if ((rule.access() & kind) == 0) {
                    continue;
                }
                EbpfAssembler.Label next = new EbpfAssembler.Label();
                if (rule.type() != 'a') {
                    a.jumpIfNotEqual(R3, typeCode(rule.type()), next);
                }
                if (rule.major() != ANY) {
                    a.jumpIfNotEqual(R4, (int) rule.major(), next);
                }
                if (rule.minor() != ANY) {
                    a.jumpIfNotEqual(R5, (int) rule.minor(), next);
                }
                a.jump(rule.allow() ? kindAllowed : deny);
                if (next.used()) {
                    a.bind(next);
                } else {
                    // An unconditional rule decides this kind: earlier rules are unreachable, and the
                    // verifier refuses unreachable instructions.
                    decided = true;
                }
            }
            if (!decided) {
                a.jump(deny);
            }
            a.bind(kindAllowed);
        }
        a.movImm(R0, 1);
        a.exit();
        if (deny.used()) {
            a.bind(deny);
            a.movImm(R0, 0);
            a.exit();
        }
        return a.assemble();
    }

    /**
     * Loads the program for {@code rules} and makes it the cgroup's only device program: the new one is
     * attached before the old ones are detached, so the cgroup is never without a filter. The cgroup
     * keeps the program alive; removing the cgroup releases it.
     */
    static void attach(Path cgroupDir, List<Rule> rules) {
        int prog;
        try {
            prog = Bpf.progLoad(Bpf.PROG_TYPE_CGROUP_DEVICE, compile(rules), LICENSE, PROGRAM_NAME);
        } catch (SyscallException e) {
            throw new UnsupportedFeatureException(Checks.RESOURCES + ".devices: the kernel refused the device "
                    + "eBPF program (" + rules.size() + " rules): " + e.getMessage(), e);
        }
        try {
            int dir = PosixFiles.open(cgroupDir, OpenFlags.O_RDONLY | OpenFlags.O_DIRECTORY | OpenFlags.O_CLOEXEC, 0);
            try {
                int[] old = Bpf.progQuery(dir, Bpf.ATTACH_CGROUP_DEVICE);
                Bpf.progAttach(dir, prog, Bpf.ATTACH_CGROUP_DEVICE, Bpf.F_ALLOW_MULTI);
                for (int id : old) {
                    int oldFd = Bpf.progFdById(id);
                    try {
                        Bpf.progDetach(dir, oldFd, Bpf.ATTACH_CGROUP_DEVICE);
                    } finally {
                        PosixFiles.close(oldFd);
                    }
                }
            } finally {
                PosixFiles.close(dir);
            }
        } finally {
            PosixFiles.close(prog);
        }
    }

    /** The ids of the device programs attached to the cgroup directory itself. */
    static int[] attached(Path cgroupDir) {
        int dir = PosixFiles.open(cgroupDir, OpenFlags.O_RDONLY | OpenFlags.O_DIRECTORY | OpenFlags.O_CLOEXEC, 0);
        try {
            return Bpf.progQuery(dir, Bpf.ATTACH_CGROUP_DEVICE);
        } finally {
            PosixFiles.close(dir);
        }
    }

    static int typeCode(char type) {
        return type == 'b' ? TYPE_BLOCK : TYPE_CHAR;
    }

    private static long number(String field, Long value) {
        if (value == null || value == ANY) {
            return ANY;
        }
        if (value < 0 || value > Integer.MAX_VALUE) {
            throw invalid(field, "must be a device number 0.." + Integer.MAX_VALUE + " (or absent for any), got "
                    + value);
        }
        return value;
    }
}
