package jctr.ns;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.Test;

import jctr.kernel.oci.LinuxSpec;
import jctr.kernel.oci.Spec;
import jctr.kernel.sys.ExitStatus;
import jctr.kernel.testing.MountTable;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code linux.rootfsPropagation} is the propagation of the container's own "/", as its mount table
 * shows it, and what the container mounts never reaches the host whatever it is.
 */
class RootfsPropagationIT extends WithContainerHarness {

    /** Binds "/" at /mnt/a, mounts a tmpfs at /mnt/b/c and reports whether the bind shows it, then the table. */
    private static final String PROBE = "mkdir -p /mnt/a /mnt/b; if mount -o rbind / /mnt/a 2>/dev/null; then"
            + " mount -t tmpfs probe /mnt/b; mkdir -p /mnt/b/c; touch /mnt/b/c/seen;"
            + " [ -e /mnt/a/mnt/b/c/seen ] && echo bind-sees-new-mounts || echo bind-sees-nothing;"
            + " else echo root-unbindable; fi; cat /proc/self/mountinfo";

    /** Runs the probe with {@code propagation}; returns its output after checking nothing leaked to the host. */
    private String probe(String propagation) {
        Spec base = TestSpecs.withCaps(h.spec("/bin/sh", "-c", PROBE), "CAP_SYS_ADMIN");
        LinuxSpec l = base.linux();
        Spec spec = base.withLinux(new LinuxSpec(l.namespaces(), null, null, null, null, null, null, propagation,
                l.maskedPaths(), l.readonlyPaths(), null, null, null));
        List<String> before = MountTable.under(dir, Path.of("/mnt"));
        var r = h.run(spec);
        assertEquals(ExitStatus.exited(0), r.status(), r.output());
        assertEquals(before, MountTable.under(dir, Path.of("/mnt")), "the container's mounts must not reach the host");
        return r.output();
    }

    /** The optional fields (shared:N, master:N, unbindable...) of the container's "/" in its mountinfo. */
    private static List<String> rootTags(String output) {
        String line = output.lines().filter(l -> l.contains(" - ") && l.split(" ")[4].equals("/")).findFirst()
                .orElseThrow(() -> new AssertionError("no / in the container's mountinfo:\n" + output));
        String[] f = line.substring(0, line.indexOf(" - ")).split(" ");
        return Arrays.asList(f).subList(6, f.length);
    }

    @Test
    void sharedRootPropagatesMountsToItsBinds() {
        String out = probe("shared");
        assertTrue(rootTags(out).stream().anyMatch(t -> t.startsWith("shared:")), out);
        assertTrue(out.contains("bind-sees-new-mounts"), out);
    }

    @Test
    void unbindableRootCannotBeBound() {
        String out = probe("unbindable");
        assertTrue(rootTags(out).contains("unbindable"), out);
        assertTrue(out.contains("root-unbindable"), out);
    }

    @Test
    void privateRootHasNoPeersAndNoMaster() {
        String out = probe("private");
        assertTrue(rootTags(out).isEmpty(), out);
        assertTrue(out.contains("bind-sees-nothing"), out);
    }

    @Test
    void slaveAndUnsetRootAreNotShared() {
        for (String propagation : new String[] {"slave", null}) {
            String out = probe(propagation);
            assertFalse(rootTags(out).stream().anyMatch(t -> t.startsWith("shared:") || t.equals("unbindable")),
                    propagation + ":\n" + out);
            assertTrue(out.contains("bind-sees-nothing"), out);
        }
    }
}
