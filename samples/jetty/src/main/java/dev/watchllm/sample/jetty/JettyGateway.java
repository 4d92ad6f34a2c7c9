package dev.watchllm.sample.jetty;

import dev.watchllm.WatchLlm;
import dev.watchllm.jetty.WatchLlmHandler;
import dev.watchllm.sample.cli.HelloServlet;
import dev.watchllm.sample.cli.JettyHost;
import dev.watchllm.servlet.WatchLlmFilter;
import jakarta.servlet.DispatcherType;
import java.util.EnumSet;
import java.util.Locale;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Handler;

/**
 * An embedded Jetty 12 server whose own application is a servlet context (ee10; here one servlet
 * that says hello at {@code /}), with WatchLLM in front of it, mounted one of two ways (see
 * {@link Mount}). Stopping it is graceful: new requests are refused, in-flight ones (streams
 * included) finish, for up to {@code stopTimeoutMs}.
 */
public final class JettyGateway extends JettyHost implements AutoCloseable {
    /** How WatchLLM is mounted; both answer the same, byte for byte (one contract suite runs on both). */
    public enum Mount {
        /**
         * {@link WatchLlmHandler} wraps the servlet context: a gateway request never enters the
         * servlet layer. The default: the cheaper of the two (about half of what a cache hit costs
         * through the filter is the servlet layer; README, "Performance").
         */
        HANDLER,
        /** {@link WatchLlmFilter} inside the servlet context, as a web.xml application mounts it. */
        FILTER;

        /** From system property {@code watchllm.jetty.mount} ({@code handler} or {@code filter}); handler when unset. */
        public static Mount fromSystemProperty() {
            String v = System.getProperty("watchllm.jetty.mount", "handler").trim().toUpperCase(Locale.ROOT);
            try {
                return valueOf(v);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("watchllm.jetty.mount: '" + v.toLowerCase(Locale.ROOT) + "' is not handler or filter");
            }
        }
    }

    private final WatchLlm engine;

    public JettyGateway(WatchLlm engine, String host, int port, long stopTimeoutMs) {
        this(engine, host, port, stopTimeoutMs, 200, Mount.fromSystemProperty());
    }

    /** With at most {@code maxThreads} server threads (Jetty's default is 200). */
    public JettyGateway(WatchLlm engine, String host, int port, long stopTimeoutMs, int maxThreads, Mount mount) {
        this(app(engine, mount), engine, host, port, stopTimeoutMs, maxThreads);
    }

    private JettyGateway(Handler app, WatchLlm engine, String host, int port, long stopTimeoutMs, int maxThreads) {
        super(app, host, port, stopTimeoutMs, maxThreads, app instanceof WatchLlmHandler h && h.servesOnSelector() ? selectors(maxThreads) : -1);
        this.engine = engine;
    }

    /**
     * Gateway requests answered on the selector threads: one selector per core (Jetty's default is
     * half the cores), or they cannot use every core; at most an eighth of the threads.
     */
    static int selectors(int maxThreads) {
        return Math.max(1, Math.min(Runtime.getRuntime().availableProcessors(), maxThreads / 8));
    }

    private static Handler app(WatchLlm engine, Mount mount) {
        ServletContextHandler ctx = new ServletContextHandler("/");
        if (mount == Mount.FILTER) {
            FilterHolder filter = new FilterHolder(new WatchLlmFilter(engine));
            filter.setAsyncSupported(true);
            ctx.addFilter(filter, "/*", EnumSet.of(DispatcherType.REQUEST));
        }
        ServletHolder hello = new ServletHolder(new HelloServlet("Jetty", engine.config().prefix()));
        hello.setAsyncSupported(true);
        ctx.addServlet(hello, "/");
        if (mount != Mount.HANDLER) return ctx;
        WatchLlmHandler handler = new WatchLlmHandler(engine, ctx);
        String onSelector = System.getProperty("watchllm.jetty.selector"); // unset: the handler's default
        if (onSelector != null) handler.setServeOnSelector(Boolean.parseBoolean(onSelector.trim()));
        return handler;
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
