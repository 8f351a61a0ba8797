package jctr.mgmt.engine.monitor;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import jctr.kernel.NotFoundException;

/**
 * An attach client of a monitor ({@code DIR/attach.sock}): receives the process's output frames and the
 * final exit frame, sends stdin, end of stdin and terminal resizes. Frames are those of
 * {@code jctr-monitor.c}: an 8-byte header {@code [type, 0, 0, 0, length u32 BE]} and the payload.
 * Reads are for one thread; writes may come from any thread.
 */
public final class MonitorConnection implements AutoCloseable {

    /** Output types, as in Docker's multiplexed stream. */
    public static final int STDOUT = 1;
    public static final int STDERR = 2;
    /** The last frame: the exit code in decimal. */
    public static final int EXIT = 16;
    /** The first frame: the monitor has registered this client; all later output reaches it. */
    private static final int HELLO = 17;

    private static final int SEND_STDIN = 0;
    private static final int SEND_CLOSE_STDIN = 1;
    private static final int SEND_RESIZE = 2;
    private static final int SEND_MUTE = 3;

    /** One frame from the monitor. */
    public record Frame(int type, byte[] payload) {
        /** The exit code carried by an {@link #EXIT} frame. */
        public int exitCode() {
            return Integer.parseInt(new String(payload, StandardCharsets.US_ASCII).trim());
        }
    }

    private final SocketChannel ch;
    private final ByteBuffer header = ByteBuffer.allocate(8);

    private MonitorConnection(SocketChannel ch) {
        this.ch = ch;
    }

    /** Connects and waits until the monitor has registered the client, so that no later output is missed. */
    static MonitorConnection open(Path socket) {
        try {
            SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
            try {
                ch.connect(UnixDomainSocketAddress.of(socket));
            } catch (IOException e) {
                ch.close();
                throw new NotFoundException("the monitor at " + socket + " does not answer (" + e.getMessage() + ")", e);
            }
            MonitorConnection c = new MonitorConnection(ch);
            Frame hello = c.read();
            if (hello == null || hello.type() != HELLO) {
                c.close();
                throw new NotFoundException("the monitor at " + socket + " closed the connection: its process has ended");
            }
            return c;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The next frame, or null when the monitor closed the connection. */
    public Frame read() throws IOException {
        header.clear();
        if (!fill(header)) {
            return null;
        }
        header.flip();
        int type = header.get(0) & 0xff;
        int len = header.getInt(4);
        if (len < 0 || len > (16 << 20)) {
            throw new IOException("bad frame from the monitor: length " + len);
        }
        ByteBuffer payload = ByteBuffer.allocate(len);
        if (!fill(payload)) {
            return null;
        }
        return new Frame(type, payload.array());
    }

    private boolean fill(ByteBuffer b) throws IOException {
        while (b.hasRemaining()) {
            if (ch.read(b) < 0) {
                return false;
            }
        }
        return true;
    }

    /** Sends bytes to the process's stdin. */
    public void stdin(ByteBuffer data) throws IOException {
        send(SEND_STDIN, data);
    }

    /** Closes the process's stdin (after what was sent before). */
    public void closeStdin() throws IOException {
        send(SEND_CLOSE_STDIN, ByteBuffer.allocate(0));
    }

    /** Resizes the process's terminal. */
    public void resize(int rows, int cols) throws IOException {
        send(SEND_RESIZE, ByteBuffer.wrap((rows + " " + cols).getBytes(StandardCharsets.US_ASCII)));
    }

    /** Asks for no output frames on this connection, only the exit frame (an exit watcher). */
    public void mute() throws IOException {
        send(SEND_MUTE, ByteBuffer.allocate(0));
    }

    private synchronized void send(int type, ByteBuffer payload) throws IOException {
        ByteBuffer h = ByteBuffer.allocate(8);
        h.put(0, (byte) type);
        h.putInt(4, payload.remaining());
        ByteBuffer[] both = {h, payload};
        while (h.hasRemaining() || payload.hasRemaining()) {
            ch.write(both);
        }
    }

    @Override
    public void close() {
        try {
            ch.close();
        } catch (IOException e) {
            // closing a unix socket does not fail in a way that matters
        }
    }
}
