package jctr.ns.plan;

import java.util.List;

import org.junit.jupiter.api.Test;

import jctr.kernel.InvalidConfigException;
import jctr.kernel.UnsupportedFeatureException;

import static jctr.kernel.sys.MountFlags.MS_BIND;
import static jctr.kernel.sys.MountFlags.MS_NOATIME;
import static jctr.kernel.sys.MountFlags.MS_NOSUID;
import static jctr.kernel.sys.MountFlags.MS_RDONLY;
import static jctr.kernel.sys.MountFlags.MS_REC;
import static jctr.kernel.sys.MountFlags.MS_SHARED;
import static jctr.kernel.sys.MountFlags.MS_SLAVE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MountOptionsTest {

    @Test
    void flagsApplyLeftToRightAndTheRestIsData() {
        MountOptions o = MountOptions.parse(List.of("ro", "nosuid", "mode=755", "rw", "noatime", "atime", "noatime",
                "size=1m", "defaults"), "m");
        assertEquals(MS_NOSUID | MS_NOATIME, o.flags());
        assertEquals("mode=755,size=1m", o.data());
        assertEquals(0, o.propagation());
    }

    @Test
    void bindAndPropagation() {
        MountOptions o = MountOptions.parse(List.of("rbind", "ro", "rslave", "shared"), "m");
        assertTrue(o.bind());
        assertTrue(o.readOnly());
        assertEquals(MS_BIND | MS_REC | MS_RDONLY, o.flags());
        assertEquals(MS_SLAVE | MS_REC | MS_SHARED, o.propagation());
    }

    @Test
    void unsupportedAndEmptyOptionsNameTheirPosition() {
        var u = assertThrows(UnsupportedFeatureException.class, () -> MountOptions.parse(List.of("ro", "rro"), "mounts[4].options"));
        assertTrue(u.getMessage().startsWith("mounts[4].options[1]: \"rro\""), u.getMessage());
        var e = assertThrows(InvalidConfigException.class, () -> MountOptions.parse(List.of(""), "mounts[0].options"));
        assertEquals("mounts[0].options[0]", e.field());
    }
}
