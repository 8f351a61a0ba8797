package jctr.mgmt.api;

import io.micronaut.context.event.BeanCreatedEvent;
import io.micronaut.context.event.BeanCreatedEventListener;
import io.micronaut.http.netty.channel.ChannelPipelineCustomizer;
import io.micronaut.http.server.netty.NettyServerCustomizer;
import io.netty.channel.Channel;
import io.netty.channel.ChannelPipeline;
import jakarta.inject.Singleton;

/**
 * Puts jctr's handlers into every HTTP/1 connection's Netty pipeline, between the HTTP codec and
 * Micronaut's request handler: {@link DockerProtocolHandler} (version prefix, limits, Docker headers).
 */
@Singleton
final class DockerPipeline implements BeanCreatedEventListener<NettyServerCustomizer.Registry> {

    private final ApiContext api;
    private final java.util.List<StreamRouter.Route> routes;
    private final TcpSecurity tcp;

    DockerPipeline(ApiContext api) {
        this.api = api;
        this.routes = new StreamEndpoints(api.engine()).routes();
        this.tcp = api.config().tcp() == null ? null : new TcpSecurity(api.config().tcp());
    }

    @Override
    public NettyServerCustomizer.Registry onCreated(BeanCreatedEvent<NettyServerCustomizer.Registry> event) {
        NettyServerCustomizer.Registry registry = event.getBean();
        registry.register(new Customizer(null));
        return registry;
    }

    private final class Customizer implements NettyServerCustomizer {
        private final Channel channel;

        Customizer(Channel channel) {
            this.channel = channel;
        }

        @Override
        public NettyServerCustomizer specializeForChannel(Channel ch, ChannelRole role) {
            return role == ChannelRole.CONNECTION ? new Customizer(ch) : this;
        }

        @Override
        public void onInitialPipelineBuilt() {
            if (channel != null && tcp != null && TcpSecurity.isTcp(channel)) {
                tcp.secureConnection(channel);
            }
        }

        @Override
        public void onStreamPipelineBuilt() {
            if (channel == null) {
                return;
            }
            ChannelPipeline p = channel.pipeline();
            if (p.get(ChannelPipelineCustomizer.HANDLER_MICRONAUT_INBOUND) == null) {
                return;
            }
            if (tcp != null && TcpSecurity.isTcp(channel) && tcp.tokenCheck() != null) {
                p.addBefore(ChannelPipelineCustomizer.HANDLER_MICRONAUT_INBOUND, "jctr-token", tcp.tokenCheck());
            }
            p.addBefore(ChannelPipelineCustomizer.HANDLER_MICRONAUT_INBOUND, "jctr-docker-protocol",
                    new DockerProtocolHandler(api.config().maxRequestBody()));
            p.addBefore(ChannelPipelineCustomizer.HANDLER_MICRONAUT_INBOUND, "jctr-stream-router",
                    new StreamRouter(routes));
        }
    }
}
