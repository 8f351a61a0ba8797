package jctr.mgmt.api;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HashMap;
import java.util.Map;

import javax.net.ssl.SSLException;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.util.ReferenceCountUtil;
import jctr.kernel.InvalidConfigException;

/**
 * The optional TCP listener and how it is protected: TLS with required client certificates (the docker
 * CLI's {@code --tlsverify}), and/or a bearer token every request must carry ({@code Authorization: Bearer
 * ...}, which the docker CLI sends from {@code HttpHeaders} in its config.json). The unix socket is
 * protected by its file mode and needs neither.
 */
final class TcpSecurity {

    private final ApiConfig.Tcp tcp;
    private final SslContext ssl;

    TcpSecurity(ApiConfig.Tcp tcp) {
        this.tcp = tcp;
        this.ssl = tcp.tls() == null ? null : sslContext(tcp.tls());
    }

    /** Micronaut's properties for the TCP listener. */
    static Map<String, Object> properties(ApiConfig.Tcp tcp) {
        Map<String, Object> p = new HashMap<>();
        p.put("micronaut.server.netty.listeners.tcp.family", "TCP");
        p.put("micronaut.server.netty.listeners.tcp.host", tcp.host());
        p.put("micronaut.server.netty.listeners.tcp.port", tcp.port());
        p.put("micronaut.server.netty.listeners.tcp.ssl", false); // TLS is jctr's own handler (PEM, client auth)
        return p;
    }

    private static SslContext sslContext(ApiConfig.Tls tls) {
        try {
            return SslContextBuilder.forServer(tls.cert().toFile(), tls.key().toFile())
                    .trustManager(tls.caCert().toFile())
                    .clientAuth(ClientAuth.REQUIRE)
                    .build();
        } catch (SSLException | IllegalArgumentException e) {
            throw new InvalidConfigException("", "api.tcp.tls", "cannot use the TLS certificate, key or CA ("
                    + tls.cert() + ", " + tls.key() + ", " + tls.caCert() + "): " + e.getMessage(), e);
        }
    }

    /** Whether {@code ch} is a connection of the TCP listener (not of the unix socket). */
    static boolean isTcp(Channel ch) {
        return ch.localAddress() instanceof InetSocketAddress;
    }

    /** Adds TLS first in a new TCP connection's pipeline. */
    void secureConnection(Channel ch) {
        if (ssl != null) {
            ch.pipeline().addFirst("jctr-tls", ssl.newHandler(ch.alloc()));
        }
    }

    /** The handler that checks the token on every request, or null when no token is configured. */
    ChannelInboundHandlerAdapter tokenCheck() {
        if (tcp.token() == null || tcp.token().isBlank()) {
            return null;
        }
        byte[] expected = ("Bearer " + tcp.token()).getBytes(StandardCharsets.UTF_8);
        return new ChannelInboundHandlerAdapter() {
            private boolean refusing;

            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                if (msg instanceof HttpRequest req) {
                    String auth = req.headers().get(HttpHeaderNames.AUTHORIZATION);
                    refusing = auth == null || !MessageDigest.isEqual(expected, auth.getBytes(StandardCharsets.UTF_8));
                    if (refusing) {
                        ReferenceCountUtil.release(msg);
                        FullHttpResponse r = DockerProtocolHandler.errorResponse(HttpResponseStatus.UNAUTHORIZED,
                                "authentication required: send Authorization: Bearer <token>");
                        r.headers().set(HttpHeaderNames.CONNECTION, "close");
                        DockerProtocolHandler.stamp(r);
                        ctx.writeAndFlush(r).addListener(ChannelFutureListener.CLOSE);
                        return;
                    }
                } else if (refusing) {
                    ReferenceCountUtil.release(msg);
                    return;
                }
                ctx.fireChannelRead(msg);
            }
        };
    }
}
