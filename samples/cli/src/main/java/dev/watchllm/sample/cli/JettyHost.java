package dev.watchllm.sample.cli;

import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.GracefulHandler;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * An embedded Jetty 12 server around a sample's application handler (any environment: ee10,
 * ee11). Stopping it is graceful: new requests are refused, in-flight ones (streams included)
 * finish, for up to {@code stopTimeoutMs}.
 */
public class JettyHost implements GatewayCli.Host {
    /**
     * Connection idle timeout: longer than any upstream {@code timeout} a gateway is likely to use
     * (a non-streamed answer sends nothing until the provider has finished).
     */
    public static final long IDLE_TIMEOUT_MS = 10 * 60_000;
    private final Server server;
    private final ServerConnector connector;

    /** With at most {@code maxThreads} server threads (Jetty's default is 200) and Jetty's default number of selectors. */
    public JettyHost(Handler app, String host, int port, long stopTimeoutMs, int maxThreads) {
        this(app, host, port, stopTimeoutMs, maxThreads, -1);
    }

    /**
     * With {@code selectors} selector threads (-1: Jetty's default, half the cores); an application
     * that answers on the selector threads wants one per core.
     */
    public JettyHost(Handler app, String host, int port, long stopTimeoutMs, int maxThreads, int selectors) {
        QueuedThreadPool pool = new QueuedThreadPool(maxThreads);
        pool.setName("http");
        server = new Server(pool);
        HttpConfiguration http = new HttpConfiguration();
        http.setSendServerVersion(false); // no "Server: Jetty(version)": a gateway does not advertise what to attack
        connector = new ServerConnector(server, -1, selectors, new HttpConnectionFactory(http));
        connector.setHost(host);
        connector.setPort(port);
        connector.setAcceptQueueSize(4096);
        // Jetty's default (30 s) would cut a client off while a slow provider is still answering it
        connector.setIdleTimeout(IDLE_TIMEOUT_MS);
        server.addConnector(connector);
        server.setHandler(new GracefulHandler(app));
        server.setStopTimeout(stopTimeoutMs);
    }

    public JettyHost start() throws Exception {
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

    @Override
    public void join() throws InterruptedException {
        server.join();
    }

    @Override
    public void stop() throws Exception {
        server.stop();
    }
}
