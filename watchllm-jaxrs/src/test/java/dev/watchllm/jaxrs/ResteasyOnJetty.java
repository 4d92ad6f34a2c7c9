package dev.watchllm.jaxrs;

import dev.watchllm.tck.Mounted;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Application;
import java.util.Set;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.jboss.resteasy.core.ResteasyDeploymentImpl;
import org.jboss.resteasy.plugins.server.servlet.HttpServlet30Dispatcher;
import org.jboss.resteasy.spi.ResteasyDeployment;

/** Test host: RESTEasy's async Servlet dispatcher on embedded Jetty 12 (ee10), with WatchLlmFeature and a resource of the host's. */
final class ResteasyOnJetty {
    private ResteasyOnJetty() {
    }

    /** The host's own resource: requests outside the prefix must reach it. */
    @Path("hello")
    public static final class HostResource {
        @GET
        @Produces("text/plain")
        public String hello() {
            return "host resource";
        }
    }

    static Mounted start(WatchLlmFeature feature, int maxThreads) throws Exception {
        return start(feature, maxThreads, "");
    }

    /** With the JAX-RS application below {@code appPath} (e.g. {@code /api}, or "" for the root). */
    @SuppressWarnings("deprecation") // getSingletons: still how JAX-RS 3.1 hands a runtime ready-made instances
    static Mounted start(WatchLlmFeature feature, int maxThreads, String appPath) throws Exception {
        ResteasyDeployment deployment = new ResteasyDeploymentImpl();
        deployment.setApplication(new Application() {
            @Override
            public Set<Object> getSingletons() {
                return Set.of(feature, new HostResource());
            }
        });
        deployment.start();
        Server server = new Server(new QueuedThreadPool(maxThreads));
        ServerConnector c = new ServerConnector(server);
        c.setHost("127.0.0.1");
        c.setPort(0);
        server.addConnector(c);
        ServletContextHandler ctx = new ServletContextHandler("/");
        ctx.setAttribute(ResteasyDeployment.class.getName(), deployment);
        ServletHolder dispatcher = new ServletHolder(new HttpServlet30Dispatcher());
        dispatcher.setAsyncSupported(true);
        dispatcher.setInitParameter("resteasy.servlet.mapping.prefix", appPath);
        ctx.addServlet(dispatcher, appPath + "/*");
        server.setHandler(ctx);
        server.start();
        return new Mounted("http://127.0.0.1:" + c.getLocalPort() + appPath, "/hello", "host resource", () -> {
            server.stop();
            deployment.stop();
            feature.close();
        });
    }
}
