package jctr.mgmt.api;

import java.nio.charset.StandardCharsets;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import jctr.kernel.Version;
import jctr.mgmt.engine.DockerJson;

/**
 * The Docker Engine API's conventions at the HTTP level, for every connection: strips the {@code /v1.NN}
 * prefix (recording the version in the {@value #VERSION_HEADER} request header for the handlers further on),
 * refuses versions outside {@link ApiVersions}, refuses bodies larger than the configured bound before
 * reading them, and stamps every response with the headers the docker CLI reads
 * ({@code Api-Version}, {@code Ostype}, {@code Docker-Experimental}, {@code Server}).
 */
final class DockerProtocolHandler extends ChannelDuplexHandler {

    /** Request header carrying the API version the client asked for (absent: no prefix). */
    static final String VERSION_HEADER = "X-Jctr-Api-Version";

    private final long maxBody;
    /** True while the rest of a refused request's body is being dropped. */
    private boolean discarding;

    DockerProtocolHandler(long maxBody) {
        this.maxBody = maxBody;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof HttpRequest req) {
            discarding = false;
            req.headers().remove(VERSION_HEADER);
            ApiVersions.Split split = ApiVersions.split(req.uri());
            if (split.version() != null) {
                String problem = ApiVersions.problem(split.version());
                if (problem != null) {
                    refuse(ctx, msg, HttpResponseStatus.BAD_REQUEST, problem);
                    return;
                }
                req.setUri(split.path());
                req.headers().set(VERSION_HEADER, split.version());
            }
            if (HttpUtil.getContentLength(req, -1L) > maxBody) {
                refuse(ctx, msg, HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE,
                        "request body of " + HttpUtil.getContentLength(req, -1L) + " bytes exceeds the limit of "
                                + maxBody + " bytes");
                return;
            }
        } else if (discarding && msg instanceof HttpContent) {
            ReferenceCountUtil.release(msg);
            return;
        }
        ctx.fireChannelRead(msg);
    }

    /**
     * Answers with an error at once and drops the request's body; the connection is closed after the answer
     * because the client may still be sending a body we do not want to read.
     */
    private void refuse(ChannelHandlerContext ctx, Object msg, HttpResponseStatus status, String message) {
        discarding = !(msg instanceof LastHttpContent);
        ReferenceCountUtil.release(msg);
        FullHttpResponse resp = errorResponse(status, message);
        resp.headers().set(HttpHeaderNames.CONNECTION, "close");
        stamp(resp);
        ctx.writeAndFlush(resp).addListener(ChannelFutureListener.CLOSE);
    }

    /** A Docker-style error response: {@code {"message": ...}} as application/json. */
    static FullHttpResponse errorResponse(HttpResponseStatus status, String message) {
        byte[] body = (DockerJson.writeString(java.util.Map.of("message", message)) + "\n").getBytes(StandardCharsets.UTF_8);
        FullHttpResponse resp = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, Unpooled.wrappedBuffer(body));
        resp.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/json");
        resp.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
        return resp;
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (msg instanceof HttpResponse resp) {
            stamp(resp);
        }
        ctx.write(msg, promise);
    }

    /** Adds the headers Docker puts on every response. */
    static void stamp(HttpResponse resp) {
        resp.headers().set("Api-Version", ApiVersions.CURRENT);
        resp.headers().set("Ostype", "linux");
        resp.headers().set("Docker-Experimental", "false");
        resp.headers().set(HttpHeaderNames.SERVER, "jctr/" + Version.jctr() + " (linux)");
    }
}
