package dev.watchllm.jaxrs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.watchllm.WatchLlm;
import dev.watchllm.auth.ApiKeys;
import dev.watchllm.auth.InMemoryKeyStore;
import dev.watchllm.config.KeyEntry;
import dev.watchllm.config.ProjectConfig;
import dev.watchllm.config.UpstreamConfig;
import dev.watchllm.config.WatchLlmConfig;
import dev.watchllm.http.WatchLlmHeaders;
import dev.watchllm.openai.OpenAiError;
import dev.watchllm.tck.Mounted;
import dev.watchllm.tck.RawHttp;
import dev.watchllm.testing.FakeProvider;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** A configured prefix below a JAX-RS application path: the feature serves exactly it, and nothing else. */
class PrefixRoutingTest {
    static final String KEY = ApiKeys.mint("test");
    static FakeProvider provider;
    static Mounted host;
    static final RawHttp http = new RawHttp();

    @BeforeAll
    static void start() throws Exception {
        provider = new FakeProvider();
        WatchLlmConfig config = WatchLlmConfig.builder()
                .store(new dev.watchllm.config.StoreConfig("local", java.nio.file.Files.createTempDirectory("watchllm-prefix"), null))
                .upstream(UpstreamConfig.of("fake", provider.baseUrl(), "sk-fake", List.of("*")))
                .project(ProjectConfig.of("p", "pro", List.of(new KeyEntry("k", ApiKeys.sha256Hex(KEY)))))
                .prefix("/llm/v1")
                .build();
        WatchLlm engine = WatchLlm.builder().config(config).keyStore(new InMemoryKeyStore()).build();
        Mounted m = ResteasyOnJetty.start(new WatchLlmFeature(engine), 32, "/api");
        host = new Mounted(m.root(), m.hostPath(), m.hostText(), () -> {
            m.close();
            engine.close();
        });
    }

    @AfterAll
    static void stop() throws Exception {
        host.close();
        provider.close();
    }

    static RawHttp.Answer post(String path, String key) {
        HttpRequest.Builder b = RawHttp.request(host.root() + path).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"));
        if (key != null) b.header("Authorization", "Bearer " + key);
        return http.send(b.build());
    }

    @Test
    void servesTheConfiguredPrefixBelowTheApplicationPath() throws Exception {
        provider.enqueue(FakeProvider.chat("routed"));
        RawHttp.Answer a = post("/llm/v1/chat/completions?trace=1", KEY);
        assertEquals(200, a.status(), a.text());
        assertArrayEquals(FakeProvider.chatJson("gpt-4o-mini", "routed").getBytes(StandardCharsets.UTF_8), a.body());
        assertEquals("/v1/chat/completions", provider.takeRequest().path());

        RawHttp.Answer unknown = http.send(RawHttp.request(host.root() + "/llm/v1/nope").GET().build());
        assertArrayEquals(OpenAiError.notFound("GET", "/llm/v1/nope").toJson(), unknown.body(), "the engine sees the path below the application");
    }

    @Test
    void leavesEverythingElseToTheHost() {
        RawHttp.Answer other = post("/v1/chat/completions", KEY);
        assertEquals(404, other.status());
        assertNull(other.header(WatchLlmHeaders.REQUEST_ID), "not the gateway's prefix");
        RawHttp.Answer hello = http.send(RawHttp.request(host.root() + "/hello").GET().build());
        assertEquals(200, hello.status());
        assertTrue(hello.text().contains("host resource"));
    }

    @Test
    void theResourcesOwnPathIsNotReachableFromOutside() {
        int before = provider.requestCount();
        RawHttp.Answer a = post("/" + WatchLlmResource.ROOT + "/llm/v1/chat/completions", KEY);
        assertEquals(404, a.status());
        assertNull(a.header(WatchLlmHeaders.REQUEST_ID));
        assertEquals(before, provider.requestCount());
    }
}
