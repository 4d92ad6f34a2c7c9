package dev.watchllm.servlet;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import dev.watchllm.WatchLlm;
import dev.watchllm.auth.ApiKeys;
import dev.watchllm.auth.InMemoryKeyStore;
import dev.watchllm.config.CacheConfig;
import dev.watchllm.config.KeyEntry;
import dev.watchllm.config.ProjectConfig;
import dev.watchllm.config.StoreConfig;
import dev.watchllm.config.UpstreamConfig;
import dev.watchllm.config.WatchLlmConfig;
import dev.watchllm.testing.FakeProvider;
import jakarta.servlet.DispatcherType;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.List;
import java.util.function.BiFunction;
import java.util.function.UnaryOperator;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.StatisticsHandler;

/**
 * Test fixture: a fake provider, an engine with one project ({@code test-proj}, key {@link #key})
 * routed to it, and WatchLlmFilter on embedded Jetty, all on 127.0.0.1 free ports. State (the
 * response cache) lives in a fresh temporary {@code store.dir} unless one is given.
 */
final class Gateway implements AutoCloseable {
    final FakeProvider provider;
    final WatchLlm engine;
    final Server server;
    final String key = ApiKeys.mint("test");
    final String otherKey = ApiKeys.mint("dev");
    final Path storeDir;
    /** Requests inside the server ({@code getRequestsActive}) and inside a container thread ({@code getHandleActive}). */
    final StatisticsHandler stats;
    private final boolean ownsStoreDir;
    /** Every usage record, as the engine's sinks get it (after the ledger counted it): tests wait on this, never sleep. */
    final java.util.concurrent.BlockingQueue<dev.watchllm.metering.UsageRecord> usage = new java.util.concurrent.LinkedBlockingQueue<>();
    static final String PROVIDER_KEY = "sk-provider-secret";

    Gateway() throws Exception {
        this(b -> b);
    }

    Gateway(UnaryOperator<WatchLlmConfig.Builder> customize) throws Exception {
        this(Clock.systemUTC(), null, (gw, b) -> customize.apply(b));
    }

    /** Customizes a config that already routes every model to {@link #provider} as upstream {@code fake}. */
    Gateway(BiFunction<FakeProvider, WatchLlmConfig.Builder, WatchLlmConfig.Builder> customize) throws Exception {
        this(Clock.systemUTC(), null, (gw, b) -> customize.apply(gw.provider, b));
    }

    /** With {@code clock} for the engine; {@code customize} also sees this fixture (its provider and keys). */
    Gateway(Clock clock, BiFunction<Gateway, WatchLlmConfig.Builder, WatchLlmConfig.Builder> customize) throws Exception {
        this(clock, null, customize);
    }

    /** A gateway whose engine runs on {@code clock} with its state in {@code storeDir} (null: a temporary one, deleted on close). */
    Gateway(UnaryOperator<WatchLlmConfig.Builder> customize, Clock clock, Path storeDir) throws Exception {
        this(clock, storeDir, (gw, b) -> customize.apply(b));
    }

    Gateway(Clock clock, Path storeDir, BiFunction<Gateway, WatchLlmConfig.Builder, WatchLlmConfig.Builder> customize) throws Exception {
        this.ownsStoreDir = storeDir == null;
        this.storeDir = storeDir != null ? storeDir : Files.createTempDirectory("watchllm-test");
        provider = new FakeProvider();
        WatchLlmConfig.Builder b = WatchLlmConfig.builder()
                .upstream(UpstreamConfig.of("fake", provider.baseUrl(), PROVIDER_KEY, List.of("*"))
                        .withTimeout(Duration.ofSeconds(5)).withRetries(2, Duration.ofMillis(10)))
                .project(ProjectConfig.of("test-proj", "pro", List.of(new KeyEntry("k1", ApiKeys.sha256Hex(key)))))
                .project(ProjectConfig.of("other-proj", "pro", List.of(new KeyEntry("k2", ApiKeys.sha256Hex(otherKey)))))
                .store(new StoreConfig("local", this.storeDir, null))
                .cache(new CacheConfig(1000, 8L << 20, 64L << 20, 1 << 20, Duration.ofSeconds(10)));
        WatchLlm.Builder eb = WatchLlm.builder().config(customize.apply(this, b).build()).clock(clock).addUsageSink(usage::add);
        // a given store keeps the engine's own LocalKeyStore in it (restart tests open it again)
        if (ownsStoreDir) eb.keyStore(new InMemoryKeyStore());
        engine = eb.build();
        server = new Server();
        ServerConnector c = new ServerConnector(server);
        c.setHost("127.0.0.1");
        c.setPort(0);
        c.setIdleTimeout(120_000); // above every wait a test holds a client in (Jetty's 30 s default would cut it off)
        server.addConnector(c);
        ServletContextHandler ctx = new ServletContextHandler("/");
        FilterHolder fh = new FilterHolder(new WatchLlmFilter(engine));
        fh.setAsyncSupported(true);
        ctx.addFilter(fh, "/*", EnumSet.of(DispatcherType.REQUEST));
        ctx.addServlet(HostServlet.class, "/");
        stats = new StatisticsHandler(ctx);
        server.setHandler(stats);
        server.start();
    }

    int port() {
        return ((ServerConnector) server.getConnectors()[0]).getLocalPort();
    }

    String baseUrl() {
        return "http://127.0.0.1:" + port() + "/v1";
    }

    /** Waits until the engine metered one more request, and returns its record. */
    dev.watchllm.metering.UsageRecord nextUsage() throws InterruptedException {
        dev.watchllm.metering.UsageRecord r = usage.poll(10, java.util.concurrent.TimeUnit.SECONDS);
        if (r == null) throw new AssertionError("no request was metered within 10s");
        return r;
    }

    OpenAIClient client() {
        return client(key);
    }

    OpenAIClient client(String apiKey) {
        return OpenAIOkHttpClient.builder().baseUrl(baseUrl()).apiKey(apiKey).maxRetries(0).timeout(Duration.ofSeconds(20)).build();
    }

    @Override
    public void close() throws Exception {
        server.stop();
        engine.close();
        provider.close();
        if (ownsStoreDir) deleteTree(storeDir);
    }

    static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) return;
        try (var paths = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) paths.sorted(Comparator.reverseOrder())::iterator) Files.delete(p);
        }
    }

    /** The host's own servlet: requests outside /v1 must reach it untouched. */
    public static final class HostServlet extends jakarta.servlet.http.HttpServlet {
        private static final long serialVersionUID = 1L;

        @Override
        protected void service(jakarta.servlet.http.HttpServletRequest req, jakarta.servlet.http.HttpServletResponse resp)
                throws java.io.IOException {
            resp.setContentType("text/plain");
            resp.getWriter().print("host:" + req.getMethod() + " " + req.getRequestURI());
        }
    }
}
