package jctr.mgmt.api;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;

/**
 * Sends the requests of the streaming and hijacking endpoints to their handlers (each on a virtual
 * thread, as an {@link Exchange}) and lets every other request through to Micronaut. After a hijack, it
 * is the only handler left in the pipeline and carries the raw bytes.
 */
final class StreamRouter extends ChannelInboundHandlerAdapter {

    /** A streaming endpoint. */
    @FunctionalInterface
    interface Handler {
        void handle(Exchange ex) throws Exception;
    }

    /**
     * A method and a path template such as {@code /containers/{id}/attach}; {@code {name...}} matches several
     * path segments (image names such as {@code 127.0.0.1:5000/busybox}).
     */
    record Route(HttpMethod method, Pattern pattern, List<String> names, Handler handler) {
        static Route of(String method, String template, Handler handler) {
            List<String> names = new ArrayList<>();
            Matcher m = Pattern.compile("\\{(\\w+)(\\.\\.\\.)?}").matcher(template);
            StringBuilder re = new StringBuilder();
            int last = 0;
            while (m.find()) {
                re.append(Pattern.quote(template.substring(last, m.start()))).append(m.group(2) != null ? "(.+)" : "([^/]+)");
                names.add(m.group(1));
                last = m.end();
            }
            re.append(Pattern.quote(template.substring(last)));
            return new Route(HttpMethod.valueOf(method), Pattern.compile(re.toString()), names, handler);
        }
    }

    private final List<Route> routes;
    /** The exchange that owns the connection's current request (set on the event loop). */
    private volatile Exchange current;
    /** Set once the connection carries raw bytes; the HTTP decoder's leftovers arrive here when it is removed. */
    private volatile Hijacked hijacked;

    StreamRouter(List<Route> routes) {
        this.routes = routes;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (hijacked != null) {
            if (msg instanceof ByteBuf buf) {
                hijacked.input().offer(buf);
            } else {
                ReferenceCountUtil.release(msg);
            }
            return;
        }
        if (msg instanceof HttpRequest req) {
            Match match = match(req);
            if (match == null) {
                current = null;
                ctx.fireChannelRead(msg);
                return;
            }
            Exchange ex = new Exchange(ctx, req, match.params(), this);
            current = ex;
            if (msg instanceof HttpContent content) {
                body(ex, content);
            }
            Thread.ofVirtual().name("jctr-api-" + match.route().method() + " " + req.uri()).start(() -> run(match.route(), ex));
            return;
        }
        if (msg instanceof HttpContent content && current != null) {
            body(current, content);
            return;
        }
        ctx.fireChannelRead(msg);
    }

    private void body(Exchange ex, HttpContent content) {
        ex.bodyStream().offer(content.content().retain());
        content.release();
        if (content instanceof LastHttpContent) {
            ex.bodyStream().end();
            ex.requestEnded = true;
            if (ex.responseEnded && current == ex) {
                current = null;
            }
        }
    }

    private void run(Route route, Exchange ex) {
        try {
            route.handler().handle(ex);
        } catch (Throwable t) {
            if (t instanceof BodyStream.BodyTooLargeException) {
                if (!ex.responded()) {
                    ex.sendError(413, t.getMessage());
                }
                ex.abort();
                return;
            }
            if (!ex.responded()) {
                int status = DockerErrors.status(t);
                if (status == 500) {
                    System.err.println("jctr: " + ex.request().method() + " " + ex.request().uri() + ": " + t);
                }
                ex.sendError(status, DockerErrors.message(t));
            } else if (!(t instanceof IOException)) {
                System.err.println("jctr: " + ex.request().method() + " " + ex.request().uri() + " failed while streaming: " + t);
                ex.abort();
            } else {
                ex.abort();
            }
        } finally {
            ex.bodyStream().close();
        }
    }

    private record Match(Route route, Map<String, String> params) {
    }

    private Match match(HttpRequest req) {
        String path = req.uri();
        int q = path.indexOf('?');
        if (q >= 0) {
            path = path.substring(0, q);
        }
        for (Route r : routes) {
            if (!r.method().equals(req.method())) {
                continue;
            }
            Matcher m = r.pattern().matcher(path);
            if (m.matches()) {
                Map<String, String> params = new LinkedHashMap<>();
                for (int i = 0; i < r.names().size(); i++) {
                    params.put(r.names().get(i), java.net.URLDecoder.decode(m.group(i + 1), java.nio.charset.StandardCharsets.UTF_8));
                }
                return new Match(r, params);
            }
        }
        return null;
    }

    /**
     * Called on the event loop when an exchange's response is complete and the connection stays open: once
     * its request has also been read to the end, the next request on this connection is routed afresh.
     */
    void exchangeDone(Exchange ex) {
        ex.responseEnded = true;
        if (ex.requestEnded && current == ex) {
            current = null;
        }
    }

    /** Called on the event loop when the exchange took over the connection. */
    void hijacked(Hijacked h) {
        hijacked = h;
        if (current != null) {
            // Bytes that arrived as part of the request's "body" belong to the raw stream.
            current.bodyStream().end();
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof ChannelInputShutdownEvent && hijacked != null) {
            hijacked.input().end();
            return;
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (current != null) {
            current.writabilityChanged();
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (current != null) {
            current.closed();
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (hijacked != null || current != null) {
            ctx.close();
            return;
        }
        ctx.fireExceptionCaught(cause);
    }
}
