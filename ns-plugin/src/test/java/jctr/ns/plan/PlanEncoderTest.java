package jctr.ns.plan;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import jctr.kernel.InvalidConfigException;
import jctr.kernel.spi.CgroupHandle;
import jctr.kernel.spi.Stdio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PlanEncoderTest {

    @Test
    void encodesTheDocumentedLayoutByteForByte() {
        LaunchPlan plan = new LaunchPlan(List.of(new Op.Umask("u", 022), new Op.Exec("a", List.of("x"), List.of())),
                "", "", List.of(), Stdio.inherit());
        byte[] bytes = PlanEncoder.encode(plan);
        String hex = HexFormat.of().formatHex(bytes);
        assertEquals(
                "4a43504c" + "01000000" + "02000000" + "32000000"           // magic, version, 2 ops, body length 50
                + "1b00" + "0000" + "09000000" + "49" + "1200000000000000"  // UMASK, 9 bytes: 'I' 0o22
                + "2700" + "0000" + "19000000"                              // EXEC, 25 bytes:
                + "49" + "0100000000000000" + "53" + "02000000" + "7800"      //   argv: 1, 'S' "x\0"
                + "49" + "0000000000000000", hex);                            //   env: 0
    }

    @Test
    void opcodesAreDistinctAndMatchTheNativeEnumRange() {
        List<Op> all = List.of(new Op.NsOpen("", 0, "p"), new Op.Exec("", List.of(), List.of()));
        assertEquals(1, PlanEncoder.code(all.get(0)));
        assertEquals(39, PlanEncoder.code(all.get(1)));
    }

    @Test
    void theCgroupOpcodesAreTheirPlacesInTheNativeEnum() throws Exception {
        String c = Files.readString(Path.of("src/main/c/jctr-init.c"));
        Matcher m = Pattern.compile("enum op_code \\{([^}]*)\\}").matcher(c);
        assertTrue(m.find(), "jctr-init.c declares enum op_code");
        List<String> names = Arrays.stream(m.group(1).split(",")).map(n -> n.replaceAll("=.*", "").strip()).toList();
        assertEquals(names.indexOf("OP_CGROUP_OPEN") + 1, PlanEncoder.code(new Op.CgroupOpen("", 0, "/t")));
        assertEquals(names.indexOf("OP_CGROUP_JOIN") + 1, PlanEncoder.code(new Op.CgroupJoin("", 0, "/t")));
        assertEquals(names.indexOf("OP_EXEC") + 1, PlanEncoder.code(new Op.Exec("", List.of(), List.of())));
    }

    @Test
    void aNulInAStringIsAConfigErrorNamingTheField() {
        LaunchPlan plan = new LaunchPlan(List.of(new Op.Exec("process.args", List.of("a\0b"), List.of())), "", "",
                List.of(), Stdio.inherit());
        var e = assertThrows(InvalidConfigException.class, () -> PlanEncoder.encode(plan));
        assertEquals("process.args", e.field());
    }

    @Test
    void realPlansAreWellFramed() {
        LaunchPlan plan = PlanBuilder.forCreate(Specs.request(Specs.minimal()), Hosts.hybrid(), null);
        assertWellFramed(PlanEncoder.encode(plan), plan.ops().size());
        CgroupHandle v1 = new CgroupHandle("cgroup-v1", "/c1", null, List.of("/sys/fs/cgroup/memory/c1/cgroup.procs"), null);
        LaunchPlan joining = PlanBuilder.forCreate(Specs.request(Specs.minimal(), Stdio.inherit(), v1), Hosts.hybrid(), null);
        assertEquals(1, joining.opsOf(Op.CgroupJoin.class).size());
        assertWellFramed(PlanEncoder.encode(joining), joining.ops().size());
    }

    /** Walks the framing the way jctr-init does: header, then each op's length, ending exactly at the end. */
    static void assertWellFramed(byte[] bytes, int ops) {
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(PlanEncoder.MAGIC, b.getInt());
        assertEquals(PlanEncoder.VERSION, b.getInt());
        assertEquals(ops, b.getInt());
        assertEquals(bytes.length - 16, b.getInt());
        for (int i = 0; i < ops; i++) {
            int code = b.getShort();
            assertTrue(code >= 1 && code <= 42, "opcode " + code);
            assertEquals(0, b.getShort());
            int len = b.getInt();
            int end = b.position() + len;
            while (b.position() < end) {
                byte tag = b.get();
                switch (tag) {
                    case 'I' -> b.getLong();
                    case 'S' -> {
                        int n = b.getInt();
                        assertTrue(n >= 1);
                        b.position(b.position() + n - 1);
                        assertEquals(0, b.get(), "strings end in NUL");
                    }
                    case 'B' -> b.position(b.position() + b.getInt());
                    default -> throw new AssertionError("bad tag " + tag);
                }
            }
            assertEquals(end, b.position());
        }
        assertEquals(bytes.length, b.position());
    }
}
