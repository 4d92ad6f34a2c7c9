package dev.watchllm.servlet;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import dev.watchllm.WatchLlm;
import dev.watchllm.auth.ApiKeys;
import dev.watchllm.auth.InMemoryKeyStore;
import dev.watchllm.config.KeyEntry;
import dev.watchllm.config.ProjectConfig;
import dev.watchllm.config.UpstreamConfig;
import dev.watchllm.config.WatchLlmConfig;
import dev.watchllm.testing.FakeProvider;
import jakarta.servlet.DispatcherType;
import java.time.Duration;
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
 * routed to it, and WatchLlmFilter on embedded Jetty, all on 127.0.0.1 free ports.
 */
final class Gateway implements AutoCloseable {
    final FakeProvider provider;
    final WatchLlm engine;
    final Server server;
    final String key = ApiKeys.mint("test");
    final String otherKey = ApiKeys.mint("dev");
    static final String PROVIDER_KEY = "sk-provider-secret";

    Gateway() throws Exception {
        this(b -> b);
    }

    Gateway(UnaryOperator<WatchLlmConfig.Builder> customize) throws Exception {
        this((provider, b) -> customize.apply(b));
    }

    /** Customizes a config that already routes every model to {@link #provider} as upstream {@code fake}. */
    Gateway(BiFunction<FakeProvider, WatchLlmConfig.Builder, WatchLlmConfig.Builder> customize) throws Exception {
        provider = new FakeProvider();
        WatchLlmConfig.Builder b = WatchLlmConfig.builder()
                .upstream(UpstreamConfig.of("fake", provider.baseUrl(), PROVIDER_KEY, List.of("*"))
                        .withTimeout(Duration.ofSeconds(5)).withRetries(2, Duration.ofMillis(10)))
                .project(ProjectConfig.of("test-proj", "pro", List.of(new KeyEntry("k1", ApiKeys.sha256Hex(key)))))
                .project(ProjectConfig.of("other-proj", "pro", List.of(new KeyEntry("k2", ApiKeys.sha256Hex(otherKey)))));
        engine = WatchLlm.builder().config(customize.apply(provider, b).build()).keyStore(new InMemoryKeyStore()).build();
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
