package dev.watchllm.sample.tomcat;

import dev.watchllm.WatchLlm;
import dev.watchllm.sample.cli.GatewayCli;
import dev.watchllm.sample.cli.HelloServlet;
import dev.watchllm.servlet.WatchLlmFilter;
import java.io.IOException;
import java.nio.file.Files;
import java.util.concurrent.CountDownLatch;
import org.apache.catalina.Wrapper;
import org.apache.catalina.connector.Connector;
import org.apache.catalina.core.StandardContext;
import org.apache.catalina.core.StandardService;
import org.apache.catalina.startup.Tomcat;
import org.apache.tomcat.util.descriptor.web.FilterDef;
import org.apache.tomcat.util.descriptor.web.FilterMap;

/**
 * An embedded Tomcat 11 with {@link WatchLlmFilter} in front of the host's own servlets — here one
 * that says hello at {@code /}. Stopping it is graceful: the connector stops accepting, in-flight
 * requests (streams included) get up to {@code stopTimeoutMs} to finish.
 */
public final class TomcatGateway implements GatewayCli.Host {
    private final Tomcat tomcat = new Tomcat();
    private final Connector connector = new Connector();
    private final CountDownLatch stopped = new CountDownLatch(1);

    public TomcatGateway(WatchLlm engine, String host, int port, long stopTimeoutMs, int maxThreads) throws IOException {
        tomcat.setBaseDir(Files.createTempDirectory("watchllm-tomcat").toString());
        connector.setProperty("address", host);
        connector.setProperty("maxThreads", Integer.toString(maxThreads));
        connector.setPort(port);
        tomcat.getService().addConnector(connector);
        ((StandardService) tomcat.getService()).setGracefulStopAwaitMillis(stopTimeoutMs);

        StandardContext ctx = (StandardContext) tomcat.addContext("", null);
        // the app's classes come from the JVM's class path, not a webapp loader: nothing to sweep on stop
        ctx.setClearReferencesThreadLocals(false);
        ctx.setClearReferencesRmiTargets(false);
        FilterDef filter = new FilterDef();
        filter.setFilterName("watchllm");
        filter.setFilter(new WatchLlmFilter(engine));
        filter.setAsyncSupported("true"); // waiting on the provider and streaming never hold a Tomcat thread
        ctx.addFilterDef(filter);
        FilterMap map = new FilterMap();
        map.setFilterName("watchllm");
        map.addURLPattern("/*");
        ctx.addFilterMap(map);

        Wrapper hello = Tomcat.addServlet(ctx, "hello", new HelloServlet("Tomcat", engine.config().prefix()));
        hello.setAsyncSupported(true);
        ctx.addServletMappingDecoded("/", "hello");
    }

    public TomcatGateway start() throws Exception {
        tomcat.start();
        return this;
    }

    @Override
    public int port() {
        return connector.getLocalPort();
    }

    @Override
    public void join() throws InterruptedException {
        stopped.await();
    }

    /** Graceful stop; the engine is closed by whoever built it. */
    @Override
    public void stop() throws Exception {
        try {
            tomcat.stop();
            tomcat.destroy();
        } finally {
            stopped.countDown();
        }
    }
}
