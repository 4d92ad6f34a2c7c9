package dev.watchllm.semantic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.watchllm.WatchLlm;
import dev.watchllm.auth.ApiKeys;
import dev.watchllm.auth.InMemoryKeyStore;
import dev.watchllm.config.CacheSettings;
import dev.watchllm.config.KeyEntry;
import dev.watchllm.config.ProjectConfig;
import dev.watchllm.config.StoreConfig;
import dev.watchllm.config.UpstreamConfig;
import dev.watchllm.config.WatchLlmConfig;
import dev.watchllm.servlet.WatchLlmFilter;
import dev.watchllm.testing.FakeProvider;
import jakarta.servlet.DispatcherType;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The semantic cache in the pipeline, end to end: the filter on Jetty, the real local model, a
 * real HTTP provider. Exact first, then semantic (verified), then the provider.
 */
class SemanticPipelineTest {
    static final HttpClient HTTP = HttpClient.newHttpClient();
    static final String KEY = ApiKeys.mint("test");
    static final String OTHER = ApiKeys.mint("test");
    static FakeProvider provider;
    static WatchLlm engine;
    static Server server;

    @BeforeAll
    static void start() throws Exception {
        provider = new FakeProvider();
        CacheSettings semantic = new CacheSettings(true, Duration.ofHours(1), true, 0.80);
        WatchLlmConfig config = WatchLlmConfig.builder()
                .store(new StoreConfig("local", Files.createTempDirectory("watchllm-semantic-e2e"), null))
                .upstream(UpstreamConfig.of("fake", provider.baseUrl(), "sk", List.of("*")).withTimeout(Duration.ofSeconds(10)))
                .project(new ProjectConfig("sem", "pro", List.of(new KeyEntry("k1", ApiKeys.sha256Hex(KEY))), semantic, 0))
                .project(new ProjectConfig("sem-other", "pro", List.of(new KeyEntry("k2", ApiKeys.sha256Hex(OTHER))), semantic, 0))
                .build();
        engine = WatchLlm.builder().config(config).keyStore(new InMemoryKeyStore()).build();
        engine.semanticReady().toCompletableFuture().get(120, TimeUnit.SECONDS); // the local model loads in the background
        server = new Server();
        ServerConnector c = new ServerConnector(server);
        c.setHost("127.0.0.1");
        c.setPort(0);
        server.addConnector(c);
        ServletContextHandler ctx = new ServletContextHandler("/");
        FilterHolder fh = new FilterHolder(new WatchLlmFilter(engine));
        fh.setAsyncSupported(true);
        ctx.addFilter(fh, "/*", EnumSet.of(DispatcherType.REQUEST));
        server.setHandler(ctx);
        server.start();
    }

    @AfterAll
    static void stop() throws Exception {
        server.stop();
        engine.close();
        provider.close();
    }

    static HttpResponse<String> ask(String key, String question) throws Exception {
        String body = "{\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":\"user\",\"content\":\"" + question + "\"}]}";
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + ((ServerConnector) server.getConnectors()[0]).getLocalPort()
                        + "/v1/chat/completions")).header("Authorization", "Bearer " + key).header("Content-Type", "application/json")
                .timeout(Duration.ofSeconds(30)).POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Asks, then waits until the answer is stored (exact and semantic) before the next question. */
    static HttpResponse<String> askAndSettle(String key, String question) throws Exception {
        HttpResponse<String> r = ask(key, question);
        // the store runs just after the answer went out: the exact entry is there once the same question is a HIT
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline && !"HIT".equals(ask(key, question).headers().firstValue("X-WatchLLM-Cache").orElse(""))) {
            Thread.onSpinWait();
        }
        return r;
    }

    @Test
    void aParaphraseIsASemanticHitAndANearMissIsNot() throws Exception {
        provider.enqueue(FakeProvider.chat("Paris."));
        HttpResponse<String> first = askAndSettle(KEY, "What is the capital of France?");
        assertEquals("MISS", first.headers().firstValue("X-WatchLLM-Cache").orElseThrow());
        int calls = provider.requestCount();
        // the vector store is asynchronous too: a paraphrase asked until it hits, bounded
        HttpResponse<String> hit = null;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (System.nanoTime() < deadline) {
            provider.byDefault(FakeProvider.chat("fresh answer"));
            hit = ask(KEY, "Tell me the capital city of France.");
            if ("HIT-SEMANTIC".equals(hit.headers().firstValue("X-WatchLLM-Cache").orElse(""))) break;
        }
        assertEquals("HIT-SEMANTIC", hit.headers().firstValue("X-WatchLLM-Cache").orElseThrow(), hit.headers().map().toString());
        assertTrue(hit.body().contains("Paris."), hit.body());
        String similarity = hit.headers().firstValue("X-WatchLLM-Cache-Similarity").orElseThrow();
        assertTrue(similarity.matches("0\\.\\d{4}|1\\.0000"), similarity);
        assertEquals("0", hit.headers().firstValue("X-WatchLLM-Cost-USD").orElseThrow());

        provider.enqueue(FakeProvider.chat("51"));
        askAndSettle(KEY, "What is 17 times 3?");
        provider.byDefault(FakeProvider.chat("68"));
        int before = provider.requestCount();
        HttpResponse<String> near = ask(KEY, "What is 17 times 4?");
        assertEquals("MISS", near.headers().firstValue("X-WatchLLM-Cache").orElseThrow(), "a changed number is never a hit");
        assertTrue(near.body().contains("68"));
        assertEquals(before + 1, provider.requestCount());
        assertTrue(calls <= provider.requestCount());
    }

    @Test
    void anotherProjectNeverSeesTheAnswer() throws Exception {
        provider.enqueue(FakeProvider.chat("Berlin."));
        askAndSettle(KEY, "What is the capital of Germany?");
        provider.byDefault(FakeProvider.chat("answer for the other project"));
        HttpResponse<String> other = ask(OTHER, "Tell me the capital city of Germany.");
        assertFalse(other.headers().firstValue("X-WatchLLM-Cache").orElse("").startsWith("HIT"));
        assertTrue(other.body().contains("answer for the other project"));
    }
}
