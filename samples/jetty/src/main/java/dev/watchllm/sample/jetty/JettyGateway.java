package dev.watchllm.sample.jetty;

import dev.watchllm.WatchLlm;
import dev.watchllm.sample.cli.HelloServlet;
import dev.watchllm.sample.cli.JettyHost;
import dev.watchllm.servlet.WatchLlmFilter;
import jakarta.servlet.DispatcherType;
import java.util.EnumSet;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;

/**
 * An embedded Jetty 12 (ee10) server with {@link WatchLlmFilter} in front of the host's own
 * servlets — here one that says hello at {@code /}. Stopping it is graceful: new requests are
 * refused, in-flight ones (streams included) finish, for up to {@code stopTimeoutMs}.
 */
public final class JettyGateway extends JettyHost implements AutoCloseable {
    private final WatchLlm engine;

    public JettyGateway(WatchLlm engine, String host, int port, long stopTimeoutMs) {
        this(engine, host, port, stopTimeoutMs, 200);
    }

    /** With at most {@code maxThreads} server threads (Jetty's default is 200). */
    public JettyGateway(WatchLlm engine, String host, int port, long stopTimeoutMs, int maxThreads) {
        super(context(engine), host, port, stopTimeoutMs, maxThreads);
        this.engine = engine;
    }

    private static ServletContextHandler context(WatchLlm engine) {
        ServletContextHandler ctx = new ServletContextHandler("/");
        FilterHolder filter = new FilterHolder(new WatchLlmFilter(engine));
        filter.setAsyncSupported(true);
        ctx.addFilter(filter, "/*", EnumSet.of(DispatcherType.REQUEST));
        ServletHolder hello = new ServletHolder(new HelloServlet("Jetty", engine.config().prefix()));
        hello.setAsyncSupported(true);
        ctx.addServlet(hello, "/");
        return ctx;
    }

    @Override
    public JettyGateway start() throws Exception {
        super.start();
        return this;
    }

    public WatchLlm engine() {
        return engine;
    }
}
