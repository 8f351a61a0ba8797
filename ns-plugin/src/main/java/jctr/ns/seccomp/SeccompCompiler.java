package jctr.ns.seccomp;

import jctr.kernel.UnsupportedFeatureException;
import jctr.kernel.oci.Seccomp;

/**
 * Compiles an OCI seccomp profile to classic BPF. Placeholder with the agreed signatures until the
 * compiler (written in parallel) is merged: it refuses every profile, so a config with
 * {@code linux.seccomp} fails clearly instead of running unfiltered.
 */
public final class SeccompCompiler {

    private SeccompCompiler() {
    }

    /**
     * The profile as a classic BPF program: little-endian {@code struct sock_filter} entries of 8 bytes
     * (u16 code, u8 jt, u8 jf, u32 k).
     */
    public static byte[] compile(Seccomp profile) {
        throw new UnsupportedFeatureException("linux.seccomp: the seccomp compiler is not part of this build yet");
    }

    /** The SECCOMP_FILTER_FLAG_* bits for seccomp(2) from {@code profile.flags}. */
    public static int filterFlags(Seccomp profile) {
        throw new UnsupportedFeatureException("linux.seccomp: the seccomp compiler is not part of this build yet");
    }
}
