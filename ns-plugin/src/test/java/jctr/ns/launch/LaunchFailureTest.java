package jctr.ns.launch;

import java.util.List;

import org.junit.jupiter.api.Test;

import jctr.kernel.InvalidConfigException;
import jctr.kernel.KernelException;
import jctr.kernel.NotFoundException;
import jctr.kernel.sys.Errno;
import jctr.kernel.sys.SyscallException;
import jctr.ns.plan.Op;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
    void aMissingOrRemovedCgroupIsNotFoundAndNamed() {
        List<Op> ops = List.of(new Op.CgroupOpen("", 0, "/sys/fs/cgroup/pids/jctr/c1/tasks"), new Op.SyncParent(""),
                new Op.CgroupJoin("", 0, "/sys/fs/cgroup/pids/jctr/c1/tasks"));
        KernelException open = LaunchFailure.of(ops, 0, Errno.ENOENT);
        assertInstanceOf(NotFoundException.class, open);
        assertEquals("cgroup of the container is gone: open the cgroup tasks file /sys/fs/cgroup/pids/jctr/c1/tasks: "
                + "ENOENT (No such file or directory)", open.getMessage());
        KernelException join = LaunchFailure.of(ops, 2, Errno.ENODEV);
        assertInstanceOf(NotFoundException.class, join);
        assertTrue(join.getMessage().contains("join the cgroup /sys/fs/cgroup/pids/jctr/c1"), join.getMessage());
        KernelException refused = LaunchFailure.of(ops, 2, Errno.EACCES);
        assertEquals(Errno.EACCES, assertInstanceOf(SyscallException.class, refused).errno());
        assertTrue(refused.getMessage().contains("/sys/fs/cgroup/pids/jctr/c1/tasks"), refused.getMessage());
    }

    @Test
    void internalStepsAndUnknownIndexesAreSyscallErrors() {
        assertInstanceOf(SyscallException.class, LaunchFailure.of(List.of(new Op.SyncParent("")), 0, Errno.EPERM));
        assertInstanceOf(SyscallException.class, LaunchFailure.of(List.of(), -1, Errno.EPROTO));
    }
}
