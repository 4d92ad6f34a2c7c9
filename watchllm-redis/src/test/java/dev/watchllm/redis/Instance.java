package dev.watchllm.redis;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import dev.watchllm.WatchLlm;
import dev.watchllm.config.WatchLlmConfig;
import dev.watchllm.metering.UsageRecord;
import dev.watchllm.servlet.WatchLlmFilter;
import jakarta.servlet.DispatcherType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.EnumSet;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

/**
 * One gateway instance as a team would run several: an engine built from a config (so
 * {@code store.type: redis} goes through the {@code ServiceLoader} provider), behind
 * {@link WatchLlmFilter} on its own Jetty on a free 127.0.0.1 port.
 */
final class Instance implements AutoCloseable {
    final WatchLlm engine;
    final Server server;
    /** Every usage record after the ledger took it: tests wait on this, never sleep. */
    final BlockingQueue<UsageRecord> usage = new LinkedBlockingQueue<>();
    private final Path dir;

    Instance(WatchLlmConfig.Builder config, Clock clock) throws Exception {
        this.dir = Files.createTempDirectory("watchllm-redis-test");
        WatchLlmConfig c = config.build();
        c = c.toBuilder().store(new dev.watchllm.config.StoreConfig(c.store().type(), dir, c.store().uri(), c.store().failOpen())).build();
        engine = WatchLlm.builder().config(c).clock(clock).addUsageSink(usage::add).build();
        server = new Server();
        ServerConnector conn = new ServerConnector(server);
        conn.setHost("127.0.0.1");
        conn.setPort(0);
        server.addConnector(conn);
        ServletContextHandler ctx = new ServletContextHandler("/");
        FilterHolder fh = new FilterHolder(new WatchLlmFilter(engine));
        fh.setAsyncSupported(true);
        ctx.addFilter(fh, "/*", EnumSet.of(DispatcherType.REQUEST));
        server.setHandler(ctx);
        server.start();
    }

    String baseUrl() {
        return "http://127.0.0.1:" + ((ServerConnector) server.getConnectors()[0]).getLocalPort() + "/v1";
    }

    OpenAIClient client(String key) {
        return OpenAIOkHttpClient.builder().baseUrl(baseUrl()).apiKey(key).maxRetries(0).timeout(Duration.ofSeconds(20)).build();
    }

    /** Waits until the engine metered one more request. */
    UsageRecord nextUsage() throws InterruptedException {
        UsageRecord r = usage.poll(10, TimeUnit.SECONDS);
        if (r == null) throw new AssertionError("no request was metered within 10s");
        return r;
    }

    @Override
    public void close() throws Exception {
        server.stop();
        engine.close();
        try (var paths = Files.walk(dir)) {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
