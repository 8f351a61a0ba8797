package jctr.mgmt.api;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayDeque;
import java.util.Deque;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;

/**
 * Bytes arriving on a connection (a request body, or a hijacked connection's stdin), read as a blocking
 * {@link InputStream} by a handler's thread. Netty's event loop offers buffers; while more than
 * {@value #HIGH_WATER} bytes wait, the channel stops reading from the socket (the client is slowed
 * down by TCP/unix socket flow control) until the reader catches up.
 */
final class BodyStream extends InputStream {

    static final int HIGH_WATER = 256 * 1024;

    private final Channel channel;
    private final Deque<ByteBuf> queue = new ArrayDeque<>();
    private long queued;
    private boolean ended;
    private boolean closed;

    BodyStream(Channel channel) {
        this.channel = channel;
    }

    /** Called on the event loop with a retained buffer (released here). */
    synchronized void offer(ByteBuf buf) {
        if (closed || ended || !buf.isReadable()) {
            buf.release();
            return;
        }
        queue.addLast(buf);
        queued += buf.readableBytes();
        if (queued > HIGH_WATER) {
            channel.config().setAutoRead(false);
        }
        notifyAll();
    }

    /** No more bytes will come (end of body, half-close, connection gone). */
    synchronized void end() {
        ended = true;
        notifyAll();
    }

    @Override
    public synchronized int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public synchronized int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) {
            return 0;
        }
        while (queue.isEmpty()) {
            if (ended || closed) {
                return -1;
            }
            try {
                wait();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new java.io.InterruptedIOException();
            }
        }
        ByteBuf head = queue.peekFirst();
        int n = Math.min(len, head.readableBytes());
        head.readBytes(b, off, n);
        if (!head.isReadable()) {
            queue.removeFirst().release();
        }
        queued -= n;
        if (queued <= HIGH_WATER / 2 && !channel.config().isAutoRead()) {
            channel.config().setAutoRead(true);
        }
        return n;
    }

    /** Reads everything up to {@code limit} bytes; more is a {@link BodyTooLargeException}. */
    byte[] readAll(long limit) throws IOException {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        byte[] b = new byte[8192];
        int n;
        while ((n = read(b, 0, b.length)) >= 0) {
            out.write(b, 0, n);
            if (out.size() > limit) {
                throw new BodyTooLargeException(limit);
            }
        }
        return out.toByteArray();
    }

    @Override
    public synchronized void close() {
        closed = true;
        for (ByteBuf b : queue) {
            b.release();
        }
        queue.clear();
        queued = 0;
        if (!channel.config().isAutoRead()) {
            channel.config().setAutoRead(true);
        }
        notifyAll();
    }

    /** A request body over the configured bound. */
    static final class BodyTooLargeException extends IOException {
        BodyTooLargeException(long limit) {
            super("request body exceeds the limit of " + limit + " bytes");
        }
    }
}
