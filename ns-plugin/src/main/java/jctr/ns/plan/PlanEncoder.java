package jctr.ns.plan;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import jctr.kernel.InvalidConfigException;

/**
 * The binary encoding of a {@link LaunchPlan} that {@code jctr-init} reads (its header comment is the
 * other half of this contract; keep them in step). Little-endian throughout:
 * <pre>
 *   header:  u32 magic 0x4c50434a ("JCPL"), u32 version 1, u32 op count, u32 body length
 *   op:      u16 code, u16 0, u32 payload length, payload
 *   payload: items: 'I' int64 | 'S' u32 length (with NUL) + NUL-terminated UTF-8 | 'B' u32 length + bytes
 *            lists are an 'I' count followed by the items
 * </pre>
 * Only the operations are encoded; the Java-side steps of the plan (id maps, cgroup membership, stdio
 * files) never reach the native stage.
 */
public final class PlanEncoder {

    static final int MAGIC = 0x4c50434a;
    static final int VERSION = 1;

    private PlanEncoder() {
    }

    /** The opcode the native stage uses for an operation (its position in jctr-init.c's enum). */
    static int code(Op op) {
        return switch (op) {
            case Op.NsOpen _ -> 1;
            case Op.SetNs _ -> 2;
            case Op.ConsoleConnect _ -> 3;
            case Op.Clone _ -> 4;
            case Op.SyncParent _ -> 5;
            case Op.BecomeRoot _ -> 6;
            case Op.NotDumpable _ -> 7;
            case Op.Unshare _ -> 8;
            case Op.WriteFile _ -> 9;
            case Op.SetSid _ -> 10;
            case Op.Rlimit _ -> 11;
            case Op.Hostname _ -> 12;
            case Op.Domainname _ -> 13;
            case Op.LoopbackUp _ -> 14;
            case Op.MountRaw _ -> 15;
            case Op.OpenRoot _ -> 16;
            case Op.Mount _ -> 17;
            case Op.Mkdir _ -> 18;
            case Op.Device _ -> 19;
            case Op.Symlink _ -> 20;
            case Op.PivotRoot _ -> 21;
            case Op.MoveRoot _ -> 22;
            case Op.Console _ -> 23;
            case Op.Remount _ -> 24;
            case Op.ReadonlyPath _ -> 25;
            case Op.MaskPath _ -> 26;
            case Op.Umask _ -> 27;
            case Op.Seccomp _ -> 28;
            case Op.Bounding _ -> 29;
            case Op.SetGroups _ -> 30;
            case Op.SetGid _ -> 31;
            case Op.SetUid _ -> 32;
            case Op.Capset _ -> 33;
            case Op.Ambient _ -> 34;
            case Op.Chdir _ -> 35;
            case Op.NoNewPrivs _ -> 36;
            case Op.ResolveExec _ -> 37;
            case Op.Ready _ -> 38;
            case Op.Exec _ -> 39;
            case Op.SessionKeyring _ -> 40;
            case Op.CgroupOpen _ -> 41;
            case Op.CgroupJoin _ -> 42;
        };
    }

    /**
     * Encodes the plan's operations.
     *
     * @throws InvalidConfigException naming the field when a string holds a NUL character
     */
    public static byte[] encode(LaunchPlan plan) {
        Buffer body = new Buffer();
        for (Op op : plan.ops()) {
            Buffer payload = new Buffer();
            payload.field = op.field();
            items(op, payload);
            body.u16(code(op));
            body.u16(0);
            body.u32(payload.size());
            body.raw(payload.toByteArray());
        }
        Buffer out = new Buffer();
        out.u32(MAGIC);
        out.u32(VERSION);
        out.u32(plan.ops().size());
        out.u32(body.size());
        out.raw(body.toByteArray());
        return out.toByteArray();
    }

    private static void items(Op op, Buffer b) {
        switch (op) {
            case Op.NsOpen o -> b.i(o.slot()).s(o.path());
            case Op.SetNs o -> b.i(o.slot()).i(o.type().cloneFlag());
            case Op.ConsoleConnect o -> b.s(o.socketPath());
            case Op.Clone o -> b.i(o.flags()).s(o.cgroupDir());
            case Op.SyncParent _ -> { }
            case Op.BecomeRoot _ -> { }
            case Op.NotDumpable _ -> { }
            case Op.Unshare o -> b.i(o.flags());
            case Op.WriteFile o -> b.s(o.path()).s(o.content());
            case Op.SetSid _ -> { }
            case Op.Rlimit o -> b.i(o.resource()).i(o.soft()).i(o.hard());
            case Op.Hostname o -> b.s(o.name());
            case Op.Domainname o -> b.s(o.name());
            case Op.LoopbackUp _ -> { }
            case Op.MountRaw o -> b.s(o.source()).s(o.target()).s(o.fsType()).i(o.flags()).s(o.data());
            case Op.OpenRoot o -> b.s(o.path());
            case Op.Mount o -> {
                b.s(o.source()).s(o.destination()).s(o.fsType()).i(o.flags()).s(o.data())
                        .i(o.remountFlags()).i(o.propagation()).i(o.target().ordinal()).i(o.children().size());
                for (Op.MountChild c : o.children()) {
                    b.i(c.kind().ordinal() + 1).s(c.name()).s(c.source()).s(c.fsType()).i(c.flags()).s(c.data());
                }
            }
            case Op.Mkdir o -> b.s(o.path()).i(o.mode());
            case Op.Device o -> b.s(o.path()).i(o.mode()).i(o.major()).i(o.minor()).i(o.uid()).i(o.gid()).s(o.hostPath());
            case Op.Symlink o -> b.s(o.target()).s(o.path()).i(o.replace() ? 1 : 0);
            case Op.PivotRoot _ -> { }
            case Op.MoveRoot o -> b.s(o.rootfs());
            case Op.Console o -> b.i(o.rows()).i(o.cols()).i(o.bindDevConsole() ? 1 : 0);
            case Op.Remount o -> b.s(o.path()).i(o.flags());
            case Op.ReadonlyPath o -> b.s(o.path());
            case Op.MaskPath o -> b.s(o.path());
            case Op.Umask o -> b.i(o.mask());
            case Op.Seccomp o -> b.i(o.flags()).blob(o.program());
            case Op.Bounding o -> b.i(o.keep());
            case Op.SetGroups o -> {
                b.i(o.gids().size());
                o.gids().forEach(b::i);
            }
            case Op.SetGid o -> b.i(o.gid());
            case Op.SetUid o -> b.i(o.uid());
            case Op.Capset o -> b.i(o.effective()).i(o.permitted()).i(o.inheritable());
            case Op.Ambient o -> b.i(o.raise());
            case Op.Chdir o -> b.s(o.path());
            case Op.NoNewPrivs _ -> { }
            case Op.ResolveExec o -> b.s(o.name()).s(o.searchPath());
            case Op.Ready o -> b.i(o.startGate() ? 1 : 0);
            case Op.Exec o -> b.strings(o.argv()).strings(o.env());
            case Op.SessionKeyring o -> b.s(o.name());
            case Op.CgroupOpen o -> b.i(o.slot()).s(o.tasksFile());
            case Op.CgroupJoin o -> b.i(o.slot());
        }
    }

    /** A little-endian byte buffer with the item encodings. */
    private static final class Buffer extends ByteArrayOutputStream {
        private String field = "";

        void u16(int v) {
            write(v & 0xff);
            write((v >>> 8) & 0xff);
        }

        void u32(int v) {
            u16(v & 0xffff);
            u16(v >>> 16);
        }

        void raw(byte[] bytes) {
            write(bytes, 0, bytes.length);
        }

        Buffer i(long v) {
            write('I');
            for (int k = 0; k < 8; k++) {
                write((int) (v >>> (8 * k)) & 0xff);
            }
            return this;
        }

        Buffer s(String text) {
            if (text.indexOf('\0') >= 0) {
                throw new InvalidConfigException("", field, "contains a NUL character: " + text.replace('\0', '?'));
            }
            byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
            write('S');
            u32(bytes.length + 1);
            raw(bytes);
            write(0);
            return this;
        }

        Buffer blob(byte[] bytes) {
            write('B');
            u32(bytes.length);
            raw(bytes);
            return this;
        }

        Buffer strings(List<String> list) {
            i(list.size());
            list.forEach(this::s);
            return this;
        }
    }
}
