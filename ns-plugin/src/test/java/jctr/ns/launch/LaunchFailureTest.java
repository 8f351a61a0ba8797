package jctr.ns.launch;

import java.util.List;

import org.junit.jupiter.api.Test;

import jctr.kernel.InvalidConfigException;
import jctr.kernel.KernelException;
import jctr.kernel.sys.Errno;
import jctr.kernel.sys.SyscallException;
import jctr.ns.plan.Op;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

class LaunchFailureTest {

    @Test
    void aFailedMountNamesItsConfigField() {
        List<Op> ops = List.of(new Op.SyncParent(""), new Op.Mount("mounts[3]", "/data", "/mnt", "", 4096, "", 0, 0,
                Op.TargetKind.LIKE_SOURCE, List.of()));
        KernelException e = LaunchFailure.of(ops, 1, Errno.ENOENT);
        InvalidConfigException ice = assertInstanceOf(InvalidConfigException.class, e);
        assertEquals("mounts[3]", ice.field());
        assertEquals("mounts[3]: mount /data on /mnt: ENOENT (No such file or directory)", e.getMessage());
        assertEquals(Errno.ENOENT, assertInstanceOf(SyscallException.class, e.getCause()).errno());
    }

    @Test
    void aMissingProgramSaysWhereItWasLookedFor() {
        KernelException e = LaunchFailure.of(List.of(new Op.ResolveExec("process.args[0]", "nope", "/usr/bin:/bin")),
                0, Errno.ENOENT);
        assertEquals("process.args[0]: executable \"nope\" not found in the container's PATH /usr/bin:/bin: "
                + "ENOENT (No such file or directory)", e.getMessage());
    }

    @Test
    void internalStepsAndUnknownIndexesAreSyscallErrors() {
        assertInstanceOf(SyscallException.class, LaunchFailure.of(List.of(new Op.SyncParent("")), 0, Errno.EPERM));
        assertInstanceOf(SyscallException.class, LaunchFailure.of(List.of(), -1, Errno.EPROTO));
    }
}
