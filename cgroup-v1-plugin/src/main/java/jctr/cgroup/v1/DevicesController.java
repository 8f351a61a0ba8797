package jctr.cgroup.v1;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import jctr.kernel.oci.DeviceRule;
import jctr.kernel.oci.LinuxResources;

/**
 * {@code devices}: access to device nodes. When the config has rules, the cgroup is first reset to deny
 * everything ({@code a} to devices.deny), then each rule is written in order to devices.allow or
 * devices.deny, so later rules refine earlier ones exactly as the kernel's list semantics have it. The
 * runtime, not this driver, adds the usual allow-list (null, zero, tty, ...).
 */
final class DevicesController implements Controller {

    static final String FIELD = "linux.resources.devices";

    @Override
    public String name() {
        return "devices";
    }

    @Override
    public Optional<String> requestedField(LinuxResources resources) {
        return resources.devices().isEmpty() ? Optional.empty() : Optional.of(FIELD);
    }

    @Override
    public void validate(LinuxResources resources) {
        List<DeviceRule> rules = resources.devices();
        for (int i = 0; i < rules.size(); i++) {
            DeviceRule r = rules.get(i);
            String f = FIELD + "[" + i + "]";
            if (r.type() != null && !List.of("a", "b", "c").contains(r.type())) {
                throw Checks.invalid(f + ".type", "must be a, b or c, got \"" + r.type() + "\"");
            }
            if (r.access() != null && !r.access().matches("[rwm]*")) {
                throw Checks.invalid(f + ".access", "must be made of r, w and m, got \"" + r.access() + "\"");
            }
            Checks.notNegative(f + ".major", r.major());
            Checks.notNegative(f + ".minor", r.minor());
        }
    }

    @Override
    public void apply(Path dir, LinuxResources resources) {
        List<DeviceRule> rules = resources.devices();
        if (rules.isEmpty()) {
            return;
        }
        CgroupFiles.write(dir.resolve("devices.deny"), "a", FIELD);
        for (int i = 0; i < rules.size(); i++) {
            DeviceRule r = rules.get(i);
            for (String entry : entries(r)) {
                CgroupFiles.write(dir.resolve(r.allow() ? "devices.allow" : "devices.deny"), entry, FIELD + "[" + i + "]");
            }
        }
    }

    /**
     * The lines one rule becomes. The kernel's {@code a} means every device with every access, so a rule for
     * all devices with less than {@code rwm} is written as the same rule for {@code c} and {@code b}.
     */
    static List<String> entries(DeviceRule r) {
        String access = r.access() == null || r.access().isEmpty() ? "rwm" : normalize(r.access());
        String type = r.type() == null ? "a" : r.type();
        String major = r.major() == null ? "*" : Long.toString(r.major());
        String minor = r.minor() == null ? "*" : Long.toString(r.minor());
        if (type.equals("a")) {
            if (access.equals("rwm") && r.major() == null && r.minor() == null) {
                return List.of("a");
            }
            List<String> both = new ArrayList<>();
            both.add("c " + major + ":" + minor + " " + access);
            both.add("b " + major + ":" + minor + " " + access);
            return both;
        }
        return List.of(type + " " + major + ":" + minor + " " + access);
    }

    /** Access letters once each, in rwm order (the kernel accepts any order; this keeps entries stable). */
    private static String normalize(String access) {
        StringBuilder sb = new StringBuilder();
        for (char c : new char[] {'r', 'w', 'm'}) {
            if (access.indexOf(c) >= 0) {
                sb.append(c);
            }
        }
        return sb.toString();
    }

}
