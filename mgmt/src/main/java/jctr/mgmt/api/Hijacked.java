package jctr.mgmt.api;

import java.io.IOException;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;

/**
 * A connection taken over after {@code 101 UPGRADED}: raw bytes from the client ({@link #input()}, which
 * ends when the client half-closes or goes away) and raw bytes to it. The server closes it when the
 * process's output has ended, which is how the client learns that the process is gone.
 */
final class Hijacked {

    private final ChannelHandlerContext ctx;
    private final Exchange exchange;
    private final BodyStream input;

    Hijacked(ChannelHandlerContext ctx, Exchange exchange) {
        this.ctx = ctx;
        this.exchange = exchange;
        this.input = new BodyStream(ctx.channel());
    }

    /** What the client sends (the process's stdin). */
    BodyStream input() {
        return input;
    }

    /** Writes raw bytes, waiting while the client is slow. */
    void write(byte[] data, int off, int len) throws IOException {
        exchange.awaitWritable();
        ctx.writeAndFlush(Unpooled.wrappedBuffer(data, off, len));
    }

    /** Whether the client is still connected. */
    boolean open() {
        return ctx.channel().isActive();
    }

    /** Flushes what was written and closes the connection. */
    void close() {
        ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(f -> ctx.close());
        input.close();
    }
}
