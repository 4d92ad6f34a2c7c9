package dev.watchllm.servlet;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import dev.watchllm.WatchLlm;
import dev.watchllm.auth.ApiKeys;
import dev.watchllm.auth.InMemoryKeyStore;
import dev.watchllm.config.KeyEntry;
import dev.watchllm.config.ProjectConfig;
import dev.watchllm.config.StoreConfig;
import dev.watchllm.config.UpstreamConfig;
import dev.watchllm.config.WatchLlmConfig;
import dev.watchllm.testing.FakeProvider;
import jakarta.servlet.DispatcherType;
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

/**
 * Test fixture: a fake provider, an engine with one project ({@code test-proj}, key {@link #key})
 * routed to it, and WatchLlmFilter on embedded Jetty, all on 127.0.0.1 free ports. The store is a
 * fresh temporary directory (deleted on close) unless the test sets one.
 */
final class Gateway implements AutoCloseable {
    final FakeProvider provider;
    final WatchLlm engine;
    final Server server;
    final String key = ApiKeys.mint("test");
    final String otherKey = ApiKeys.mint("dev");
    final Path tempStore;
    /** Every usage record, as the engine's sinks get it (after the ledger counted it): tests wait on this, never sleep. */
    final java.util.concurrent.BlockingQueue<dev.watchllm.metering.UsageRecord> usage = new java.util.concurrent.LinkedBlockingQueue<>();
    static final String PROVIDER_KEY = "sk-provider-secret";

    Gateway() throws Exception {
        this(b -> b);
    }

    Gateway(UnaryOperator<WatchLlmConfig.Builder> customize) throws Exception {
        this(Clock.systemUTC(), (gw, b) -> customize.apply(b));
    }

    /** Customizes a config that already routes every model to {@link #provider} as upstream {@code fake}. */
    Gateway(BiFunction<FakeProvider, WatchLlmConfig.Builder, WatchLlmConfig.Builder> customize) throws Exception {
        this(Clock.systemUTC(), (gw, b) -> customize.apply(gw.provider, b));
    }

    /** With {@code clock} for the engine; {@code customize} also sees this fixture (its provider and keys). */
    Gateway(Clock clock, BiFunction<Gateway, WatchLlmConfig.Builder, WatchLlmConfig.Builder> customize) throws Exception {
        this(null, clock, customize);
    }

    /**
     * With {@code store} as {@code store.dir} and the engine's own {@code LocalKeyStore} in it, kept
     * after close (a restart test opens it again); null: a temporary store and an in-memory key store.
     */
    Gateway(Path store, Clock clock, BiFunction<Gateway, WatchLlmConfig.Builder, WatchLlmConfig.Builder> customize) throws Exception {
        provider = new FakeProvider();
        tempStore = store == null ? Files.createTempDirectory("watchllm-test-store") : null;
        WatchLlmConfig.Builder b = WatchLlmConfig.builder()
                .store(new StoreConfig("local", store == null ? tempStore : store, null))
                .upstream(UpstreamConfig.of("fake", provider.baseUrl(), PROVIDER_KEY, List.of("*"))
                        .withTimeout(Duration.ofSeconds(5)).withRetries(2, Duration.ofMillis(10)))
                .project(ProjectConfig.of("test-proj", "pro", List.of(new KeyEntry("k1", ApiKeys.sha256Hex(key)))))
                .project(ProjectConfig.of("other-proj", "pro", List.of(new KeyEntry("k2", ApiKeys.sha256Hex(otherKey)))));
        WatchLlm.Builder eb = WatchLlm.builder().config(customize.apply(this, b).build()).clock(clock).addUsageSink(usage::add);
        if (store == null) eb.keyStore(new InMemoryKeyStore());
        engine = eb.build();
        server = new Server();
        ServerConnector c = new ServerConnector(server);
        c.setHost("127.0.0.1");
        c.setPort(0);
        server.addConnector(c);
        ServletContextHandler ctx = new ServletContextHandler("/");
        FilterHolder fh = new FilterHolder(new WatchLlmFilter(engine));
        fh.setAsyncSupported(true);
        ctx.addFilter(fh, "/*", EnumSet.of(DispatcherType.REQUEST));
        ctx.addServlet(HostServlet.class, "/");
        server.setHandler(ctx);
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
        if (tempStore == null) return;
        try (var files = Files.walk(tempStore)) {
            files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
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
