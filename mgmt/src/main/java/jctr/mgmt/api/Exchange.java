package jctr.mgmt.api;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.QueryStringDecoder;
import jctr.mgmt.engine.DockerJson;

/**
 * One request handled by {@link StreamRouter}, outside Micronaut: the endpoints that stream a response
 * body as it is produced (wait, logs, events, pull progress, stats) or take over the connection
 * (attach, exec start). A handler runs on its own virtual thread and may block; writes wait while the
 * client is slow (the channel is not writable), which carries back-pressure to the producer.
 */
final class Exchange {

    private final ChannelHandlerContext ctx;
    private final HttpRequest request;
    private final QueryStringDecoder query;
    private final Map<String, String> params;
    private final BodyStream body;
    private final StreamRouter router;
    private final CompletableFuture<Void> clientGone = new CompletableFuture<>();
    private final Object writable = new Object();
    private volatile boolean responded;
    private volatile boolean streaming;
    private volatile Hijacked hijacked;
    /** Event-loop state of {@link StreamRouter}: the request was read to its end / the response was sent. */
    boolean requestEnded;
    boolean responseEnded;

    Exchange(ChannelHandlerContext ctx, HttpRequest request, Map<String, String> params, StreamRouter router) {
        this.ctx = ctx;
        this.request = request;
        this.query = new QueryStringDecoder(request.uri());
        this.params = params;
        this.body = new BodyStream(ctx.channel());
        this.router = router;
    }

    HttpRequest request() {
        return request;
    }

    BodyStream bodyStream() {
        return body;
    }

    /** A path parameter such as {@code id}. */
    String param(String name) {
        return params.get(name);
    }

    /** A query parameter (the first value), or null. */
    String query(String name) {
        List<String> v = query.parameters().get(name);
        return v == null || v.isEmpty() ? null : v.getFirst();
    }

    /** Every value of a repeated query parameter. */
    List<String> queryAll(String name) {
        return query.parameters().getOrDefault(name, List.of());
    }

    /** A boolean query parameter as Docker reads them: {@code 1}, {@code true}, {@code True} are true. */
    boolean flag(String name, boolean dflt) {
        String v = query(name);
        if (v == null || v.isEmpty()) {
            return dflt;
        }
        return v.equals("1") || v.equalsIgnoreCase("true");
    }

    String header(String name) {
        return request.headers().get(name);
    }

    /** The request body as a stream (uploads). */
    InputStream body() {
        return body;
    }

    /** The whole request body, bounded. */
    byte[] readBody(long limit) throws IOException {
        return body.readAll(limit);
    }

    /** Completes when the client closes the connection. */
    CompletableFuture<Void> clientGone() {
        return clientGone;
    }

    boolean responded() {
        return responded;
    }

    boolean hijacked() {
        return hijacked != null;
    }

    /** A complete JSON response. */
    void sendJson(int status, Object value) {
        byte[] b = (DockerJson.writeString(value) + "\n").getBytes(StandardCharsets.UTF_8);
        sendFull(status, "application/json", b);
    }

    /** A Docker-style error response. */
    void sendError(int status, String message) {
        sendJson(status, Map.of("message", message));
    }

    /** A response without a body (204, 304). */
    void sendEmpty(int status) {
        sendFull(status, null, new byte[0]);
    }

    void sendFull(int status, String contentType, byte[] bytes) {
        responded = true;
        FullHttpResponse resp = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(status),
                Unpooled.wrappedBuffer(bytes));
        if (contentType != null) {
            resp.headers().set(HttpHeaderNames.CONTENT_TYPE, contentType);
        }
        resp.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, bytes.length);
        boolean keepAlive = HttpUtil.isKeepAlive(request);
        if (!keepAlive) {
            resp.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        }
        var f = ctx.writeAndFlush(resp);
        finish(f, keepAlive);
    }

    /** Sends the status and headers of a chunked response at once (the docker CLI waits for them). */
    void startStream(int status, String contentType) {
        responded = true;
        streaming = true;
        HttpResponse resp = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(status));
        resp.headers().set(HttpHeaderNames.CONTENT_TYPE, contentType);
        HttpUtil.setTransferEncodingChunked(resp, true);
        ctx.writeAndFlush(resp);
    }

    /** Writes a chunk of a streamed response, waiting while the client is slow. */
    void write(byte[] data) throws IOException {
        if (data.length == 0) {
            return;
        }
        awaitWritable();
        ctx.writeAndFlush(new DefaultHttpContent(Unpooled.wrappedBuffer(data)));
    }

    /** Ends a streamed response. */
    void end() {
        if (!streaming) {
            return;
        }
        streaming = false;
        boolean keepAlive = HttpUtil.isKeepAlive(request);
        finish(ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT), keepAlive);
    }

    private void finish(io.netty.channel.ChannelFuture f, boolean keepAlive) {
        if (keepAlive) {
            ctx.executor().execute(() -> router.exchangeDone(this));
        } else {
            f.addListener(ChannelFutureListener.CLOSE);
        }
    }

    /** Closes the connection (after an error in the middle of a stream). */
    void abort() {
        ctx.close();
    }

    /**
     * Takes over the connection: answers {@code 101 UPGRADED} (or {@code 200 OK} when the client did not ask
     * to upgrade), removes every HTTP handler, and from then on carries raw bytes both ways.
     */
    Hijacked hijack(String contentType) {
        boolean upgrade = request.headers().containsValue(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE, true)
                || request.headers().contains(HttpHeaderNames.UPGRADE);
        HttpResponse head = upgrade
                ? new DefaultHttpResponse(HttpVersion.HTTP_1_1, new HttpResponseStatus(101, "UPGRADED"))
                : new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        head.headers().set(HttpHeaderNames.CONTENT_TYPE, contentType);
        if (upgrade) {
            head.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE);
            head.headers().set(HttpHeaderNames.UPGRADE, "tcp");
        }
        DockerProtocolHandler.stamp(head);
        StringBuilder sb = new StringBuilder("HTTP/1.1 ").append(head.status().code()).append(' ')
                .append(head.status().reasonPhrase()).append("\r\n");
        head.headers().forEach(h -> sb.append(h.getKey()).append(": ").append(h.getValue()).append("\r\n"));
        sb.append("\r\n");
        byte[] raw = sb.toString().getBytes(StandardCharsets.ISO_8859_1);
        responded = true;
        Hijacked h = new Hijacked(ctx, this);
        CompletableFuture<Void> done = new CompletableFuture<>();
        ctx.executor().execute(() -> {
            try {
                hijacked = h;
                router.hijacked(h);
                Channel ch = ctx.channel();
                ch.config().setOption(ChannelOption.ALLOW_HALF_CLOSURE, true);
                ChannelPipeline p = ch.pipeline();
                // Bytes the HTTP decoder already holds (stdin sent right behind the request) are passed on
                // to us, as raw buffers, when it is removed.
                for (String name : p.names()) {
                    if (!name.equals(ctx.name()) && p.get(name) != null) {
                        p.remove(name);
                    }
                }
                ctx.writeAndFlush(Unpooled.wrappedBuffer(raw));
                done.complete(null);
            } catch (RuntimeException e) {
                done.completeExceptionally(e);
            }
        });
        done.join();
        return h;
    }

    void awaitWritable() throws IOException {
        Channel ch = ctx.channel();
        synchronized (writable) {
            while (!ch.isWritable()) {
                if (!ch.isActive()) {
                    throw new IOException("the client closed the connection");
                }
                try {
                    writable.wait(100);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new java.io.InterruptedIOException();
                }
            }
        }
        if (!ch.isActive()) {
            throw new IOException("the client closed the connection");
        }
    }

    /** Called on the event loop when the channel's writability changes. */
    void writabilityChanged() {
        synchronized (writable) {
            writable.notifyAll();
        }
    }

    /** Called on the event loop when the connection closed. */
    void closed() {
        body.end();
        Hijacked h = hijacked;
        if (h != null) {
            h.input().end();
        }
        clientGone.complete(null);
        writabilityChanged();
    }
}
