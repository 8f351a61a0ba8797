package jctr.kernel.oci;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;

/** A seccomp rule: the action for the named syscalls when all argument conditions hold. */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record SeccompSyscall(List<String> names, String action, Integer errnoRet, List<SeccompArg> args) {
    public SeccompSyscall {
        names = OciCollections.list(names);
        args = OciCollections.list(args);
    }
}
