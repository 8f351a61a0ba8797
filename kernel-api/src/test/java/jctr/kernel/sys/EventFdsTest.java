package jctr.kernel.sys;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

class EventFdsTest {

    @Test
    void writesAddUpAndAReadResetsTheCounter() {
        int fd = EventFds.create(2, EventFds.EFD_CLOEXEC | EventFds.EFD_NONBLOCK);
        try {
            EventFds.write(fd, 3);
            assertEquals(5, EventFds.read(fd));
            SyscallException e = assertThrows(SyscallException.class, () -> EventFds.read(fd));
            assertTrue(e.is(Errno.EAGAIN), e.getMessage());
        } finally {
            PosixFiles.close(fd);
        }
    }

    @Test
    void aWriteWakesABlockedReader() throws Exception {
        int fd = EventFds.create(0, EventFds.EFD_CLOEXEC);
        try {
            CompletableFuture<Long> read = CompletableFuture.supplyAsync(() -> EventFds.read(fd));
            Thread.sleep(50);
            EventFds.write(fd, 7);
            assertEquals(7, read.get(5, TimeUnit.SECONDS));
        } finally {
            PosixFiles.close(fd);
        }
    }

    @Test
    void aBadDescriptorIsReportedWithTheCall() {
        SyscallException e = assertThrows(SyscallException.class, () -> EventFds.write(-1, 1));
        assertEquals("eventfd_write", e.call());
        assertTrue(e.is(Errno.EBADF));
    }
}
