package jctr.ns.seccomp;

import jctr.kernel.InvalidConfigException;
import jctr.kernel.oci.SeccompArg;

/**
 * One argument comparison of a rule, on the full unsigned 64-bit argument.
 *
 * @param index the argument, 0..5
 * @param op the comparison
 * @param value the operand; the mask for MASKED_EQ
 * @param valueTwo the expected masked value for MASKED_EQ, else unused
 */
record ArgCondition(int index, Op op, long value, long valueTwo) {

    /** OCI comparison operators ({@code SCMP_CMP_*}). */
    enum Op {
        NE, LT, LE, EQ, GE, GT, MASKED_EQ
    }

    /** Whether an argument with value {@code arg} satisfies this condition. */
    boolean test(long arg) {
        int c = Long.compareUnsigned(arg, value);
        return switch (op) {
            case NE -> c != 0;
            case LT -> c < 0;
            case LE -> c <= 0;
            case EQ -> c == 0;
            case GE -> c >= 0;
            case GT -> c > 0;
            case MASKED_EQ -> (arg & value) == valueTwo;
        };
    }

    /** Parses an OCI argument condition; {@code field} is its JSON path for errors. */
    static ArgCondition parse(SeccompArg arg, String field) {
        if (arg.index() < 0 || arg.index() > 5) {
            throw new InvalidConfigException("", field + ".index", "must be 0..5 (a syscall has six arguments): "
                    + arg.index());
        }
        if (arg.op() == null) {
            throw new InvalidConfigException("", field + ".op", "is required");
        }
        Op op = switch (arg.op()) {
            case "SCMP_CMP_NE" -> Op.NE;
            case "SCMP_CMP_LT" -> Op.LT;
            case "SCMP_CMP_LE" -> Op.LE;
            case "SCMP_CMP_EQ" -> Op.EQ;
            case "SCMP_CMP_GE" -> Op.GE;
            case "SCMP_CMP_GT" -> Op.GT;
            case "SCMP_CMP_MASKED_EQ" -> Op.MASKED_EQ;
            default -> throw new InvalidConfigException("", field + ".op", "unknown comparison: " + arg.op()
                    + " (expected SCMP_CMP_NE, _LT, _LE, _EQ, _GE, _GT or _MASKED_EQ)");
        };
        return new ArgCondition(arg.index(), op, arg.value(), arg.valueTwo() == null ? 0 : arg.valueTwo());
    }
}
