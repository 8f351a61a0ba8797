/**
 * Seccomp for containers: {@link jctr.ns.seccomp.SeccompCompiler} compiles an OCI {@code linux.seccomp}
 * profile to the classic BPF program the native launcher installs with seccomp(2), using syscall tables
 * generated from the kernel headers. The semantics, the measured sizes and the behaviours that differ from
 * runc on libseccomp are in docs/seccomp.md.
 */
package jctr.ns.seccomp;
