package jctr.kernel.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import jctr.kernel.InvalidConfigException;
import jctr.kernel.oci.Namespace;
import jctr.kernel.oci.OciJson;
import jctr.kernel.oci.Spec;
import jctr.kernel.oci.SpecValidator;

/** Docker's rules for Entrypoint/Cmd, Env, WorkingDir and User, and its defaults. */
class RuntimeSpecsTest {

    @TempDir
    Path rootfs;

    @BeforeEach
    void etc() throws IOException {
        Files.createDirectories(rootfs.resolve("etc"));
        Files.writeString(rootfs.resolve("etc/passwd"), """
                root:x:0:0:root:/root:/bin/sh
                # a comment
                daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin
                alice:x:1000:1000:Alice:/home/alice:/bin/sh
                nobody:x:65534:65534:nobody:/nonexistent:/bin/false
                """);
        Files.writeString(rootfs.resolve("etc/group"), """
                root:x:0:
                daemon:x:1:
                wheel:x:10:alice,bob
                audio:x:29:alice
                alice:x:1000:
                nogroup:x:65534:
                """);
    }

    private static ImageConfig image(String entrypoint, String cmd, String user, String workdir, String... env) {
        return new ImageConfig("2024-01-01T00:00:00Z", null, "amd64", "linux", null,
                new ImageConfig.ContainerConfig(user, null, List.of(env), split(entrypoint), split(cmd), null, workdir,
                        null, null), new ImageConfig.RootFs("layers", List.of()), null);
    }

    private static List<String> split(String s) {
        return s == null ? null : s.isEmpty() ? List.of() : Arrays.asList(s.split(" "));
    }

    private Spec spec(ImageConfig c, RuntimeSpecs.Overrides o) {
        return RuntimeSpecs.fromImage(c, rootfs.toString(), o);
    }

    @ParameterizedTest(name = "image [{0}]+[{1}], run --entrypoint [{2}] cmd [{3}] -> {4}")
    @CsvSource(nullValues = "null", value = {
        // image Entrypoint, image Cmd, given entrypoint, given cmd, resulting args
        "null,          sh,          null,       null,         sh",
        "null,          sh,          null,       echo hi,      echo hi",
        "/entry.sh,     serve,       null,       null,         /entry.sh serve",
        "/entry.sh,     serve,       null,       debug,        /entry.sh debug",
        "/entry.sh,     serve,       /bin/sh,    null,         /bin/sh",
        "/entry.sh,     serve,       /bin/sh,    -c id,        /bin/sh -c id",
        "/entry.sh -x,  null,        null,       null,         /entry.sh -x",
        "/entry.sh,     serve,       '',         ls /,         ls /",
    })
    void entrypointAndCmdFollowDocker(String ep, String cmd, String givenEp, String givenCmd, String expected) {
        Spec s = spec(image(ep, cmd, null, null), new RuntimeSpecs.Overrides(split(givenEp), split(givenCmd), null, null,
                null, null, false, false));
        assertEquals(split(expected), s.process().args());
    }

    @Test
    void noCommandIsAClearError() {
        var e = assertThrows(InvalidConfigException.class, () -> spec(image(null, null, null, null), RuntimeSpecs.Overrides.NONE));
        assertTrue(e.getMessage().contains("no command specified"), e.getMessage());
        var e2 = assertThrows(InvalidConfigException.class, () -> spec(image("/e", "x", null, null),
                new RuntimeSpecs.Overrides(List.of(), null, null, null, null, null, false, false)));
        assertTrue(e2.getMessage().contains("no command specified"));
    }

    @Test
    void envIsMergedByKeyWithDockerDefaults() {
        Spec s = spec(image(null, "sh", null, null, "A=1", "B=2"), new RuntimeSpecs.Overrides(null, null,
                List.of("B=3", "C=4=x"), null, null, "box", true, false));
        assertEquals(List.of("A=1", "B=3", "C=4=x", "PATH=" + RuntimeSpecs.DEFAULT_PATH, "HOSTNAME=box", "TERM=xterm",
                "HOME=/root"), s.process().env());
        Spec keepsPath = spec(image(null, "sh", null, null, "PATH=/opt/bin"), RuntimeSpecs.Overrides.NONE);
        assertEquals(List.of("PATH=/opt/bin", "HOME=/root"), keepsPath.process().env());
        var bad = assertThrows(InvalidConfigException.class, () -> spec(image(null, "sh", null, null),
                new RuntimeSpecs.Overrides(null, null, List.of("NOVALUE"), null, null, null, false, false)));
        assertEquals("env[0]: must be KEY=value: NOVALUE", bad.getMessage());
    }

    @Test
    void workingDirDefaultsToRootAndMustBeAbsolute() {
        assertEquals("/", spec(image(null, "sh", null, ""), RuntimeSpecs.Overrides.NONE).process().cwd());
        assertEquals("/srv", spec(image(null, "sh", null, "/srv"), RuntimeSpecs.Overrides.NONE).process().cwd());
        assertEquals("/tmp", spec(image(null, "sh", null, "/srv"),
                new RuntimeSpecs.Overrides(null, null, null, "/tmp", null, null, false, false)).process().cwd());
        assertThrows(InvalidConfigException.class, () -> spec(image(null, "sh", null, null),
                new RuntimeSpecs.Overrides(null, null, null, "rel", null, null, false, false)));
    }

    @ParameterizedTest(name = "User \"{0}\" -> {1}:{2} groups [{3}] home {4}")
    @CsvSource(nullValues = "null", value = {
        "'',             0,     0,     '',      /root",
        "root,           0,     0,     '',      /root",
        "alice,          1000,  1000,  10 29,   /home/alice",
        "1000,           1000,  1000,  10 29,   /home/alice",
        "alice:wheel,    1000,  10,    '',      /home/alice",
        "alice:29,       1000,  29,    '',      /home/alice",
        "nobody,         65534, 65534, '',      /nonexistent",
        "4242,           4242,  0,     '',      /",
        "4242:4343,      4242,  4343,  '',      /",
        "daemon:nogroup, 1,     65534, '',      /usr/sbin",
    })
    void usersResolveAgainstTheRootfs(String user, long uid, long gid, String groups, String home) {
        Spec s = spec(image(null, "sh", user, null), RuntimeSpecs.Overrides.NONE);
        assertEquals(uid, s.process().user().uid());
        assertEquals(gid, s.process().user().gid());
        List<Long> expectedGroups = groups.isEmpty() ? List.of()
                : Arrays.stream(groups.split(" ")).map(Long::parseLong).toList();
        assertEquals(expectedGroups, s.process().user().additionalGids());
        assertTrue(s.process().env().contains("HOME=" + home), s.process().env().toString());
    }

    @Test
    void unknownUsersAndGroupsAreClearErrors() {
        var e = assertThrows(InvalidConfigException.class, () -> spec(image(null, "sh", "bob", null), RuntimeSpecs.Overrides.NONE));
        assertEquals("config.User: unable to find user bob: no matching entries in passwd file", e.getMessage());
        var g = assertThrows(InvalidConfigException.class, () -> spec(image(null, "sh", null, null),
                new RuntimeSpecs.Overrides(null, null, null, null, "alice:staff", null, false, false)));
        assertEquals("user: unable to find group staff: no matching entries in group file", g.getMessage());
        assertThrows(InvalidConfigException.class, () -> spec(image(null, "sh", "99999999999", null), RuntimeSpecs.Overrides.NONE));
    }

    @Test
    void passwdSymlinksAreResolvedInsideTheRootfs() throws IOException {
        // An image whose /etc/passwd points at an absolute path: it must be read inside the rootfs, not on the host.
        Path real = rootfs.resolve("lib/passwd");
        Files.createDirectories(real.getParent());
        Files.writeString(real, "svc:x:777:778::/srv:/bin/sh\n");
        Files.delete(rootfs.resolve("etc/passwd"));
        Files.createSymbolicLink(rootfs.resolve("etc/passwd"), Path.of("/../../../../lib/passwd"));
        Spec s = spec(image(null, "sh", "svc", null), RuntimeSpecs.Overrides.NONE);
        assertEquals(777, s.process().user().uid());
        // The host's /etc/passwd has root; the rootfs's does not any more, so "root" is unknown here.
        assertThrows(InvalidConfigException.class, () -> spec(image(null, "sh", "root", null), RuntimeSpecs.Overrides.NONE));
        Files.delete(rootfs.resolve("etc/passwd"));
        Files.createSymbolicLink(rootfs.resolve("etc/passwd"), Path.of("/etc/passwd"));
        assertThrows(InvalidConfigException.class, () -> spec(image(null, "sh", "svc", null), RuntimeSpecs.Overrides.NONE),
                "a self-referencing link loops and resolves to nothing");
        assertEquals(0, spec(image(null, "sh", "0", null), RuntimeSpecs.Overrides.NONE).process().user().uid(),
                "numeric users work without a passwd file");
    }

    @Test
    void dockerDefaultsAndAValidSpec() {
        Spec s = spec(image("/bin/sh", "-c true", "alice", "/home/alice"), new RuntimeSpecs.Overrides(null, null, null, null,
                null, "c0ffee", false, true));
        SpecValidator.validate(s, "fromImage", true);
        assertEquals(14, s.process().capabilities().bounding().size());
        assertEquals(s.process().capabilities().bounding(), s.process().capabilities().effective());
        assertEquals(s.process().capabilities().bounding(), s.process().capabilities().permitted());
        assertTrue(s.process().capabilities().inheritable().isEmpty());
        assertTrue(s.process().capabilities().ambient().isEmpty());
        assertEquals(List.of("pid", "ipc", "uts", "mount", "network", "cgroup"),
                s.linux().namespaces().stream().map(Namespace::type).toList());
        assertEquals(List.of("/proc", "/dev", "/dev/pts", "/sys", "/sys/fs/cgroup", "/dev/mqueue", "/dev/shm"),
                s.mounts().stream().map(jctr.kernel.oci.Mount::destination).toList());
        assertTrue(s.mounts().get(3).options().contains("ro"));
        assertTrue(s.linux().maskedPaths().contains("/proc/kcore"));
        assertTrue(s.linux().readonlyPaths().contains("/proc/sysrq-trigger"));
        assertEquals("c0ffee", s.hostname());
        assertTrue(s.root().readOnly());
        assertEquals(rootfs.toString(), s.root().path());
        assertFalse(s.process().wantsTerminal());
        assertEquals(null, s.linux().seccomp(), "the engine adds seccomp");
        assertFalse(s.linux().resourcesOrEmpty().devices().getFirst().allow(), "devices: deny all first");
        // It survives a JSON round trip (what a bundle's config.json holds).
        Spec back = OciJson.parse("config.json", new String(OciJson.writeCompact(s), StandardCharsets.UTF_8), Spec.class, false);
        assertEquals(s, back);
    }
}
