package dev.watchllm.sample.jersey;

import dev.watchllm.WatchLlm;
import dev.watchllm.jaxrs.WatchLlmFeature;
import dev.watchllm.sample.cli.GatewayCli;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import org.eclipse.jetty.ee11.servlet.ServletContextHandler;
import org.eclipse.jetty.ee11.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.GracefulHandler;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.glassfish.jersey.server.ResourceConfig;
import org.glassfish.jersey.server.ServerProperties;
import org.glassfish.jersey.servlet.ServletContainer;

/**
 * A Jersey 4 application on embedded Jetty 12 (ee11) with {@link WatchLlmFeature} beside the host's
 * own resources — here one that says hello at {@code /}. Stopping it is graceful: new requests are
 * refused, in-flight ones (streams included) finish, for up to {@code stopTimeoutMs}.
 */
public final class JerseyGateway implements GatewayCli.Host, AutoCloseable {
    private final Server server;
    private final ServerConnector connector;
    private final WatchLlmFeature feature;

    /** The host's own resource. */
    @Path("/")
    public static final class Hello {
        @GET
        @Produces("text/plain;charset=utf-8")
        public String hello() {
            return "WatchLLM gateway on Jersey: point an OpenAI SDK at /v1\n";
        }
    }

    public JerseyGateway(WatchLlm engine, String host, int port, long stopTimeoutMs, int maxThreads) {
        feature = new WatchLlmFeature(engine);
        QueuedThreadPool pool = new QueuedThreadPool(maxThreads);
        pool.setName("http");
        server = new Server(pool);
        connector = new ServerConnector(server);
        connector.setHost(host);
        connector.setPort(port);
        server.addConnector(connector);

        ResourceConfig app = new ResourceConfig().register(feature).register(Hello.class)
                .property(ServerProperties.WADL_FEATURE_DISABLE, true);
        ServletHolder jersey = new ServletHolder(new ServletContainer(app));
        jersey.setAsyncSupported(true); // suspended requests need it
        ServletContextHandler ctx = new ServletContextHandler("/");
        ctx.addServlet(jersey, "/*");
        server.setHandler(new GracefulHandler(ctx));
        server.setStopTimeout(stopTimeoutMs);
    }

    public JerseyGateway start() throws Exception {
        server.start();
        return this;
    }

    @Override
    public int port() {
        return connector.getLocalPort();
    }

    @Override
    public void join() throws InterruptedException {
        server.join();
    }

    /** Graceful stop; the engine is closed by whoever built it. */
    @Override
    public void stop() throws Exception {
        try {
            server.stop();
        } finally {
            feature.close();
        }
    }

    @Override
    public void close() throws Exception {
        stop();
    }
}
