package dev.watchllm.sample.jetty;

import dev.watchllm.WatchLlm;
import dev.watchllm.sample.cli.GatewayCli;
import dev.watchllm.servlet.WatchLlmFilter;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.EnumSet;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.GracefulHandler;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * An embedded Jetty 12 (ee10) server with {@link WatchLlmFilter} in front of the host's own
 * servlets — here one that says hello at {@code /}. Stopping it is graceful: new requests are
 * refused, in-flight ones (streams included) finish, for up to {@code stopTimeoutMs}.
 */
public final class JettyGateway implements GatewayCli.Host, AutoCloseable {
    private final Server server;
    private final ServerConnector connector;
    private final WatchLlm engine;

    public JettyGateway(WatchLlm engine, String host, int port, long stopTimeoutMs) {
        this(engine, host, port, stopTimeoutMs, 200);
    }

    /** With at most {@code maxThreads} server threads (Jetty's default is 200). */
    public JettyGateway(WatchLlm engine, String host, int port, long stopTimeoutMs, int maxThreads) {
        this.engine = engine;
        QueuedThreadPool pool = new QueuedThreadPool(maxThreads);
        pool.setName("http");
        server = new Server(pool);
        connector = new ServerConnector(server);
        connector.setHost(host);
        connector.setPort(port);
        connector.setAcceptQueueSize(4096);
        server.addConnector(connector);

        ServletContextHandler ctx = new ServletContextHandler("/");
        FilterHolder filter = new FilterHolder(new WatchLlmFilter(engine));
        filter.setAsyncSupported(true);
        ctx.addFilter(filter, "/*", EnumSet.of(DispatcherType.REQUEST));
        ServletHolder hello = new ServletHolder(new HttpServlet() {
            private static final long serialVersionUID = 1L;

            @Override
            protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
                resp.setContentType("text/plain;charset=utf-8");
                resp.getOutputStream().write(("WatchLLM gateway: point an OpenAI SDK at " + engine.config().prefix() + "\n")
                        .getBytes(StandardCharsets.UTF_8));
            }
        });
        hello.setAsyncSupported(true);
        ctx.addServlet(hello, "/");
        server.setHandler(new GracefulHandler(ctx));
        server.setStopTimeout(stopTimeoutMs);
    }

    public JettyGateway start() throws Exception {
        server.start();
        return this;
    }

    @Override
    public int port() {
        return connector.getLocalPort();
    }

    public Server server() {
        return server;
    }

    public WatchLlm engine() {
        return engine;
    }

    @Override
    public void join() throws InterruptedException {
        server.join();
    }

    /** Graceful stop; the engine is closed by whoever built it. */
    @Override
    public void stop() throws Exception {
        server.stop();
    }

    @Override
    public void close() throws Exception {
        stop();
    }
}
