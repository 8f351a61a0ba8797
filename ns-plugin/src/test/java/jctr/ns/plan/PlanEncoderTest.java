package jctr.ns.plan;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HexFormat;
import java.util.List;

import org.junit.jupiter.api.Test;

import jctr.kernel.InvalidConfigException;
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
            assertTrue(code >= 1 && code <= 40, "opcode " + code);
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
