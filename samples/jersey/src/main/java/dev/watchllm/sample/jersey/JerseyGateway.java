package dev.watchllm.sample.jersey;

import dev.watchllm.WatchLlm;
import dev.watchllm.jaxrs.WatchLlmFeature;
import dev.watchllm.sample.cli.JettyHost;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import org.eclipse.jetty.ee11.servlet.ServletContextHandler;
import org.eclipse.jetty.ee11.servlet.ServletHolder;
import org.glassfish.jersey.server.ResourceConfig;
import org.glassfish.jersey.server.ServerProperties;
import org.glassfish.jersey.servlet.ServletContainer;

/**
 * A Jersey 4 application on embedded Jetty 12 (ee11) with {@link WatchLlmFeature} beside the host's
 * own resources — here one that says hello at {@code /}. Stopping it is graceful: new requests are
 * refused, in-flight ones (streams included) finish, for up to {@code stopTimeoutMs}.
 */
public final class JerseyGateway extends JettyHost implements AutoCloseable {
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
        this(new WatchLlmFeature(engine), host, port, stopTimeoutMs, maxThreads);
    }

    private JerseyGateway(WatchLlmFeature feature, String host, int port, long stopTimeoutMs, int maxThreads) {
        super(context(feature), host, port, stopTimeoutMs, maxThreads);
        this.feature = feature;
    }

    private static ServletContextHandler context(WatchLlmFeature feature) {
        ResourceConfig app = new ResourceConfig().register(feature).register(Hello.class)
                .property(ServerProperties.WADL_FEATURE_DISABLE, true);
        ServletHolder jersey = new ServletHolder(new ServletContainer(app));
        jersey.setAsyncSupported(true); // suspended requests need it
        ServletContextHandler ctx = new ServletContextHandler("/");
        ctx.addServlet(jersey, "/*");
        return ctx;
    }

    @Override
    public JerseyGateway start() throws Exception {
        super.start();
        return this;
    }

    /** Graceful stop, then the feature's writer pool; the engine is closed by whoever built it. */
    @Override
    public void stop() throws Exception {
        try {
            super.stop();
        } finally {
            feature.close();
        }
    }
}
