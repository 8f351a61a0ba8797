package jctr.kernel.sys;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

import org.junit.jupiter.api.Test;

import jctr.kernel.KernelException.Category;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ErrnoTest {

    @Test
    void namesAndDescriptionsComeFromTheCLibrary() {
        assertEquals("ENOENT", Errno.name(Errno.ENOENT));
        assertEquals("No such file or directory", Errno.describe(Errno.ENOENT));
        assertEquals("EPERM", Errno.name(Errno.EPERM));
        assertEquals("EINVAL", Errno.name(Errno.EINVAL));
        assertEquals("errno 4000", Errno.name(4000));
        assertTrue(Errno.describe(4000).contains("4000"));
    }

    @Test
    void theCategoryTable() {
        assertEquals(Category.NOT_FOUND, Errno.category(Errno.ENOENT));
        assertEquals(Category.ALREADY_EXISTS, Errno.category(Errno.EEXIST));
        assertEquals(Category.PERMISSION_DENIED, Errno.category(Errno.EPERM));
        assertEquals(Category.PERMISSION_DENIED, Errno.category(Errno.EACCES));
        assertEquals(Category.UNSUPPORTED, Errno.category(Errno.ENOSYS));
        assertEquals(Category.INVALID_ARGUMENT, Errno.category(Errno.EINVAL));
        assertEquals(Category.FAILED_PRECONDITION, Errno.category(Errno.EBUSY));
        assertEquals(Category.RESOURCE_EXHAUSTED, Errno.category(Errno.ENOSPC));
    }

    /** Every errno value Linux defines has a symbolic name, a description and a category. */
    @Property(tries = 200)
    void everyErrnoIsDescribed(@ForAll @IntRange(min = 1, max = Errno.MAX) int errno) {
        String name = Errno.name(errno);
        assertNotNull(Errno.category(errno));
        assertFalse(Errno.describe(errno).isBlank());
        SyscallException e = new SyscallException("call", errno, "arg");
        assertEquals(errno, e.errno());
        assertEquals(Errno.category(errno), e.category());
        // glibc leaves a few unassigned numbers (41, 58) without a name.
        if (!name.startsWith("errno ")) {
            assertTrue(name.startsWith("E"), name);
            assertTrue(e.getMessage().startsWith("call(arg): " + name + " ("), e.getMessage());
        }
    }
}
