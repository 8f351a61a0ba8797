package jctr.kernel.oci;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

import jctr.kernel.InvalidConfigException;

/**
 * Semantic checks of an OCI config that hold for every isolation driver: required fields, known names
 * (namespace types, capabilities, rlimits, seccomp actions), absolute paths, and combinations the
 * kernel would refuse later with a less helpful error (a hostname without a UTS namespace, id mappings
 * without a user namespace). Each problem names the JSON path of the field.
 */
public final class SpecValidator {

    private static final Pattern OCI_VERSION = Pattern.compile("^1\\.\\d+\\.\\d+(-[0-9A-Za-z.-]+)?(\\+[0-9A-Za-z.-]+)?$");
    private static final Set<String> PROPAGATIONS = Set.of("shared", "slave", "private", "unbindable",
            "rshared", "rslave", "rprivate", "runbindable");
    private static final Set<String> SECCOMP_ACTIONS = Set.of("SCMP_ACT_KILL", "SCMP_ACT_KILL_PROCESS",
            "SCMP_ACT_KILL_THREAD", "SCMP_ACT_TRAP", "SCMP_ACT_ERRNO", "SCMP_ACT_TRACE", "SCMP_ACT_ALLOW",
            "SCMP_ACT_LOG", "SCMP_ACT_NOTIFY");
    private static final Set<String> SECCOMP_OPS = Set.of("SCMP_CMP_NE", "SCMP_CMP_LT", "SCMP_CMP_LE",
            "SCMP_CMP_EQ", "SCMP_CMP_GE", "SCMP_CMP_GT", "SCMP_CMP_MASKED_EQ");
    private static final Set<String> SECCOMP_ARCHES = Set.of("SCMP_ARCH_X86", "SCMP_ARCH_X86_64", "SCMP_ARCH_X32",
            "SCMP_ARCH_ARM", "SCMP_ARCH_AARCH64", "SCMP_ARCH_MIPS", "SCMP_ARCH_MIPS64", "SCMP_ARCH_MIPS64N32",
            "SCMP_ARCH_MIPSEL", "SCMP_ARCH_MIPSEL64", "SCMP_ARCH_MIPSEL64N32", "SCMP_ARCH_PPC", "SCMP_ARCH_PPC64",
            "SCMP_ARCH_PPC64LE", "SCMP_ARCH_S390", "SCMP_ARCH_S390X", "SCMP_ARCH_PARISC", "SCMP_ARCH_PARISC64",
            "SCMP_ARCH_RISCV64");

    private SpecValidator() {
    }

    /**
     * Checks {@code spec}; throws on the first problem found.
     *
     * @param source names the document in the error, e.g. the config.json path
     * @param requireProcess whether a {@code process} is required (create/run: yes; a template: no)
     * @throws InvalidConfigException naming the field and the problem
     */
    public static void validate(Spec spec, String source, boolean requireProcess) {
        List<String[]> problems = problems(spec, requireProcess);
        if (!problems.isEmpty()) {
            String[] first = problems.getFirst();
            throw new InvalidConfigException(source, first[0], first[1]);
        }
    }

    /** Every problem as {field, message}, in document order; empty when the spec is valid. */
    public static List<String[]> problems(Spec spec, boolean requireProcess) {
        List<String[]> out = new ArrayList<>();
        if (spec.ociVersion() == null || spec.ociVersion().isEmpty()) {
            out.add(new String[] {"ociVersion", "is required"});
        } else if (!OCI_VERSION.matcher(spec.ociVersion()).matches()) {
            out.add(new String[] {"ociVersion", "\"" + spec.ociVersion() + "\" is not a 1.x semantic version"});
        }
        if (spec.root() == null || spec.root().path() == null || spec.root().path().isEmpty()) {
            out.add(new String[] {"root.path", "is required"});
        }
        if (spec.process() != null) {
            checkProcess(spec.process(), out);
        } else if (requireProcess) {
            out.add(new String[] {"process", "is required to create a container"});
        }
        LinuxSpec linux = spec.linuxOrEmpty();
        Set<NamespaceType> created = checkNamespaces(linux, out);
        // A uts namespace of its own, new or joined by path: without one the name would be the runtime's.
        boolean uts = linux.namespaces().stream().anyMatch(n -> "uts".equals(n.type()));
        if (spec.hostname() != null && !spec.hostname().isEmpty() && !uts) {
            out.add(new String[] {"hostname", "setting a hostname needs a uts namespace in linux.namespaces "
                    + "(new, or joined by path); without one it would rename the host"});
        }
        if (spec.domainname() != null && !spec.domainname().isEmpty() && !uts) {
            out.add(new String[] {"domainname", "setting a domainname needs a uts namespace in linux.namespaces "
                    + "(new, or joined by path); without one it would rename the host"});
        }
        for (int i = 0; i < spec.mounts().size(); i++) {
            Mount m = spec.mounts().get(i);
            if (m.destination() == null || m.destination().isEmpty()) {
                out.add(new String[] {"mounts[" + i + "].destination", "is required"});
            }
        }
        if (spec.hooks() != null) {
            checkHooks(spec.hooks(), out);
        }
        checkLinux(linux, created, out);
        return out;
    }

    private static void checkProcess(ProcessSpec p, List<String[]> out) {
        if (p.args().isEmpty() || p.args().getFirst().isEmpty()) {
            out.add(new String[] {"process.args", "must name the program to run"});
        }
        if (p.cwd() == null || p.cwd().isEmpty()) {
            out.add(new String[] {"process.cwd", "is required"});
        } else if (!p.cwd().startsWith("/")) {
            out.add(new String[] {"process.cwd", "must be an absolute path: " + p.cwd()});
        }
        for (int i = 0; i < p.env().size(); i++) {
            if (p.env().get(i).indexOf('=') <= 0) {
                out.add(new String[] {"process.env[" + i + "]", "must be KEY=value: " + p.env().get(i)});
            }
        }
        Capabilities caps = p.capabilities();
        if (caps != null) {
            checkCaps("bounding", caps.bounding(), out);
            checkCaps("effective", caps.effective(), out);
            checkCaps("inheritable", caps.inheritable(), out);
            checkCaps("permitted", caps.permitted(), out);
            checkCaps("ambient", caps.ambient(), out);
        }
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < p.rlimits().size(); i++) {
            Rlimit r = p.rlimits().get(i);
            String f = "process.rlimits[" + i + "]";
            if (r.type() == null || RlimitType.parse(r.type()).isEmpty()) {
                out.add(new String[] {f + ".type", "unknown rlimit type: " + r.type()});
            } else if (!seen.add(r.type())) {
                out.add(new String[] {f + ".type", "duplicate rlimit type: " + r.type()});
            }
            if (Long.compareUnsigned(r.soft(), r.hard()) > 0) {
                out.add(new String[] {f, "soft limit " + Long.toUnsignedString(r.soft()) + " exceeds hard limit "
                        + Long.toUnsignedString(r.hard())});
            }
        }
        if (p.oomScoreAdj() != null && (p.oomScoreAdj() < -1000 || p.oomScoreAdj() > 1000)) {
            out.add(new String[] {"process.oomScoreAdj", "must be within -1000..1000: " + p.oomScoreAdj()});
        }
    }

    private static void checkCaps(String set, List<String> names, List<String[]> out) {
        for (int i = 0; i < names.size(); i++) {
            String n = names.get(i);
            if (!n.startsWith("CAP_") || Capability.parse(n).isEmpty()) {
                out.add(new String[] {"process.capabilities." + set + "[" + i + "]", "unknown capability: " + n});
            }
        }
    }

    private static Set<NamespaceType> checkNamespaces(LinuxSpec linux, List<String[]> out) {
        Set<NamespaceType> all = new HashSet<>();
        Set<NamespaceType> created = new HashSet<>();
        for (int i = 0; i < linux.namespaces().size(); i++) {
            Namespace ns = linux.namespaces().get(i);
            String f = "linux.namespaces[" + i + "]";
            var type = ns.type() == null ? java.util.Optional.<NamespaceType>empty() : NamespaceType.fromSpecName(ns.type());
            if (type.isEmpty()) {
                out.add(new String[] {f + ".type", "unknown namespace type: " + ns.type()
                        + " (expected pid, network, mount, ipc, uts, user, cgroup or time)"});
                continue;
            }
            if (!all.add(type.get())) {
                out.add(new String[] {f + ".type", "duplicate namespace type: " + ns.type()});
            }
            if (ns.path() == null || ns.path().isEmpty()) {
                created.add(type.get());
            } else if (!ns.path().startsWith("/")) {
                out.add(new String[] {f + ".path", "must be an absolute path: " + ns.path()});
            }
        }
        return created;
    }

    private static void checkHooks(Hooks hooks, List<String[]> out) {
        checkHookList("prestart", hooks.prestart(), out);
        checkHookList("createRuntime", hooks.createRuntime(), out);
        checkHookList("createContainer", hooks.createContainer(), out);
        checkHookList("startContainer", hooks.startContainer(), out);
        checkHookList("poststart", hooks.poststart(), out);
        checkHookList("poststop", hooks.poststop(), out);
    }

    private static void checkHookList(String name, List<Hook> list, List<String[]> out) {
        for (int i = 0; i < list.size(); i++) {
            Hook h = list.get(i);
            String f = "hooks." + name + "[" + i + "]";
            if (h.path() == null || !h.path().startsWith("/")) {
                out.add(new String[] {f + ".path", "must be an absolute path: " + h.path()});
            }
            if (h.timeout() != null && h.timeout() <= 0) {
                out.add(new String[] {f + ".timeout", "must be positive: " + h.timeout()});
            }
        }
    }

    private static void checkLinux(LinuxSpec linux, Set<NamespaceType> created, List<String[]> out) {
        boolean userNs = linux.namespaces().stream().anyMatch(n -> "user".equals(n.type()));
        if (!userNs && (!linux.uidMappings().isEmpty() || !linux.gidMappings().isEmpty())) {
            out.add(new String[] {linux.uidMappings().isEmpty() ? "linux.gidMappings" : "linux.uidMappings",
                "id mappings need a user namespace in linux.namespaces"});
        }
        if (created.contains(NamespaceType.USER) && (linux.uidMappings().isEmpty() || linux.gidMappings().isEmpty())) {
            out.add(new String[] {linux.uidMappings().isEmpty() ? "linux.uidMappings" : "linux.gidMappings",
                "a new user namespace needs uidMappings and gidMappings"});
        }
        checkMappings("linux.uidMappings", linux.uidMappings(), out);
        checkMappings("linux.gidMappings", linux.gidMappings(), out);
        if (!linux.timeOffsets().isEmpty() && !created.contains(NamespaceType.TIME)) {
            out.add(new String[] {"linux.timeOffsets", "time offsets need a new time namespace in linux.namespaces"});
        }
        for (String clock : linux.timeOffsets().keySet()) {
            if (!clock.equals("monotonic") && !clock.equals("boottime")) {
                out.add(new String[] {"linux.timeOffsets." + clock, "unknown clock (expected monotonic or boottime)"});
            }
        }
        for (String key : linux.sysctl().keySet()) {
            if (key.startsWith("net.") && !created.contains(NamespaceType.NETWORK)) {
                out.add(new String[] {"linux.sysctl." + key, "net.* sysctls need a new network namespace"});
            }
        }
        if (linux.rootfsPropagation() != null && !linux.rootfsPropagation().isEmpty()
                && !PROPAGATIONS.contains(linux.rootfsPropagation())) {
            out.add(new String[] {"linux.rootfsPropagation", "unknown propagation: " + linux.rootfsPropagation()});
        }
        checkAbsolute("linux.maskedPaths", linux.maskedPaths(), out);
        checkAbsolute("linux.readonlyPaths", linux.readonlyPaths(), out);
        for (int i = 0; i < linux.devices().size(); i++) {
            Device d = linux.devices().get(i);
            String f = "linux.devices[" + i + "]";
            if (d.type() == null || !Set.of("c", "b", "u", "p").contains(d.type())) {
                out.add(new String[] {f + ".type", "must be c, b, u or p: " + d.type()});
            }
            if (d.path() == null || !d.path().startsWith("/")) {
                out.add(new String[] {f + ".path", "must be an absolute path: " + d.path()});
            }
        }
        LinuxResources res = linux.resourcesOrEmpty();
        for (int i = 0; i < res.devices().size(); i++) {
            DeviceRule r = res.devices().get(i);
            String f = "linux.resources.devices[" + i + "]";
            if (r.type() != null && !Set.of("a", "c", "b").contains(r.type())) {
                out.add(new String[] {f + ".type", "must be a, c or b: " + r.type()});
            }
            if (r.access() != null && !r.access().matches("[rwm]*")) {
                out.add(new String[] {f + ".access", "must be made of r, w and m: " + r.access()});
            }
        }
        if (linux.seccomp() != null) {
            checkSeccomp(linux.seccomp(), out);
        }
    }

    private static void checkMappings(String field, List<IdMapping> maps, List<String[]> out) {
        for (int i = 0; i < maps.size(); i++) {
            if (maps.get(i).size() <= 0) {
                out.add(new String[] {field + "[" + i + "].size", "must be positive"});
            }
        }
    }

    private static void checkAbsolute(String field, List<String> paths, List<String[]> out) {
        for (int i = 0; i < paths.size(); i++) {
            if (!paths.get(i).startsWith("/")) {
                out.add(new String[] {field + "[" + i + "]", "must be an absolute path: " + paths.get(i)});
            }
        }
    }

    private static void checkSeccomp(Seccomp s, List<String[]> out) {
        if (s.defaultAction() == null || !SECCOMP_ACTIONS.contains(s.defaultAction())) {
            out.add(new String[] {"linux.seccomp.defaultAction", "unknown seccomp action: " + s.defaultAction()});
        }
        for (int i = 0; i < s.architectures().size(); i++) {
            if (!SECCOMP_ARCHES.contains(s.architectures().get(i))) {
                out.add(new String[] {"linux.seccomp.architectures[" + i + "]",
                    "unknown architecture: " + s.architectures().get(i)});
            }
        }
        for (int i = 0; i < s.syscalls().size(); i++) {
            SeccompSyscall sc = s.syscalls().get(i);
            String f = "linux.seccomp.syscalls[" + i + "]";
            if (sc.names().isEmpty()) {
                out.add(new String[] {f + ".names", "must name at least one syscall"});
            }
            if (sc.action() == null || !SECCOMP_ACTIONS.contains(sc.action())) {
                out.add(new String[] {f + ".action", "unknown seccomp action: " + sc.action()});
            }
            for (int j = 0; j < sc.args().size(); j++) {
                SeccompArg a = sc.args().get(j);
                if (a.index() < 0 || a.index() > 5) {
                    out.add(new String[] {f + ".args[" + j + "].index", "must be 0..5: " + a.index()});
                }
                if (a.op() == null || !SECCOMP_OPS.contains(a.op())) {
                    out.add(new String[] {f + ".args[" + j + "].op", "unknown comparison: " + a.op()});
                }
            }
        }
    }
}
