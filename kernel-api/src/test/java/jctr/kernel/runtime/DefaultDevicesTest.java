package jctr.kernel.runtime;

import java.util.List;

import org.junit.jupiter.api.Test;

import jctr.kernel.oci.Device;
import jctr.kernel.oci.DeviceRule;
import jctr.kernel.oci.LinuxResources;
import jctr.kernel.oci.PidsResources;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

class DefaultDevicesTest {

    private static LinuxResources withRules(List<DeviceRule> rules) {
        return new LinuxResources(rules, null, null, new PidsResources(5), null, null, null, null, null);
    }

    @Test
    void theConfigsRulesComeFirstThenTheStandardDevicesThenItsOwnDevices() {
        DeviceRule denyAll = new DeviceRule(false, null, null, null, "rwm");
        List<Device> devices = List.of(new Device("b", "/dev/sda", 8, 0, null, null, null),
                new Device("u", "/dev/x", 4, 64, null, null, null), new Device("p", "/dev/fifo", 0, 0, null, null, null));
        LinuxResources out = DefaultDevices.appendTo(withRules(List.of(denyAll)), devices);
        List<DeviceRule> rules = out.devices();
        assertEquals(denyAll, rules.getFirst());
        assertEquals(new DeviceRule(true, "c", null, null, "m"), rules.get(1));
        assertEquals(new DeviceRule(true, "b", null, null, "m"), rules.get(2));
        assertEquals(new DeviceRule(true, "c", 1L, 3L, "rwm"), rules.get(3), "/dev/null");
        assertEquals(new DeviceRule(true, "c", 136L, null, "rwm"), rules.get(11), "/dev/pts/*");
        assertEquals(new DeviceRule(true, "b", 8L, 0L, "rwm"), rules.get(12));
        assertEquals(new DeviceRule(true, "c", 4L, 64L, "rwm"), rules.get(13));
        assertEquals(14, rules.size(), "no rule for a fifo");
        assertEquals(5, out.pids().limit(), "the other resources are kept");
    }

    @Test
    void noRulesMeansNoRestrictionAndStaysSo() {
        LinuxResources none = withRules(List.of());
        assertSame(none, DefaultDevices.appendTo(none, List.of(new Device("c", "/dev/x", 1, 1, null, null, null))));
    }
}
