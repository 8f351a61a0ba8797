package jctr.cgroup.v2;

import java.nio.file.Path;
import java.time.Duration;

import jctr.kernel.oci.DeviceRule;
import jctr.kernel.spi.CgroupHandle;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The Java-compiled eBPF device program, attached through bpf(2), decides device access in the cgroup. */
class DevicesInGuest {

    private GuestV2 v2;

    @BeforeEach
    void open() {
        v2 = GuestV2.open("devices");
    }

    @AfterEach
    void close() {
        v2.close();
    }

    @Test
    void deniedDevicesCannotBeWrittenOrCreated() {
        String tmp = "/tmp/jctr-dev-" + System.nanoTime();
        CgroupHandle h = v2.create("dev", UnifiedHostIT.devices(
                new DeviceRule(true, "a", null, null, "rwm"),
                new DeviceRule(false, "c", 1L, 3L, "wm")));
        assertEquals(1, DeviceFilter.attached(Path.of(h.cloneIntoDir())).length);
        String out = run(h, "echo x > /dev/null && echo null-write-ok || echo null-write-denied; "
                + "cat /dev/null && echo null-read-ok; echo x > /dev/zero && echo zero-write-ok; "
                + "mknod " + tmp + "-null c 1 3 && echo null-mknod-ok || echo null-mknod-denied; "
                + "mknod " + tmp + "-zero c 1 5 && echo zero-mknod-ok; rm -f " + tmp + "-*");
        assertTrue(out.contains("null-write-denied"), out);
        assertTrue(out.contains("null-read-ok"), out);
        assertTrue(out.contains("zero-write-ok"), out);
        assertTrue(out.contains("null-mknod-denied"), out);
        assertTrue(out.contains("zero-mknod-ok"), out);

        v2.driver.update(h, UnifiedHostIT.devices(new DeviceRule(false, null, null, null, "rwm"),
                new DeviceRule(true, "c", 1L, 3L, "rw")));
        assertEquals(1, DeviceFilter.attached(Path.of(h.cloneIntoDir())).length, "the old program is detached");
        String after = run(h, "echo x > /dev/null && echo null-write-ok; cat /dev/zero > /dev/null "
                + "|| echo zero-read-denied");
        assertTrue(after.contains("null-write-ok"), after);
        assertTrue(after.contains("zero-read-denied"), after);
    }

    private static String run(CgroupHandle h, String script) {
        try (Child c = Child.start(script)) {
            c.moveInto(h).go().waitFor(Duration.ofSeconds(20));
            return c.output();
        }
    }
}
