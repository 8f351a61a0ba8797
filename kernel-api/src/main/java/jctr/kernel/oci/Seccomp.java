package jctr.kernel.oci;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * A seccomp profile: a default action and per-syscall rules, compiled to classic BPF by the isolation driver.
 *
 * @param defaultAction {@code SCMP_ACT_ALLOW}, {@code SCMP_ACT_ERRNO}, {@code SCMP_ACT_KILL}, ...
 * @param defaultErrnoRet errno for a default ERRNO action (null = EPERM)
 * @param architectures {@code SCMP_ARCH_X86_64} and the like
 * @param flags seccomp(2) filter flags such as {@code SECCOMP_FILTER_FLAG_LOG}
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record Seccomp(
        String defaultAction,
        Integer defaultErrnoRet,
        List<String> architectures,
        List<String> flags,
        String listenerPath,
        String listenerMetadata,
        List<SeccompSyscall> syscalls) {

    public Seccomp {
        architectures = OciCollections.list(architectures);
        flags = OciCollections.list(flags);
        syscalls = OciCollections.list(syscalls);
    }
}
