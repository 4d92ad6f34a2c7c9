package dev.watchllm.servlet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.openai.core.http.HttpResponseFor;
import com.openai.core.http.StreamResponse;
import com.openai.errors.BadRequestException;
import com.openai.models.ChatModel;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.embeddings.CreateEmbeddingResponse;
import com.openai.models.embeddings.EmbeddingCreateParams;
import dev.watchllm.auth.ApiKeys;
import dev.watchllm.config.CacheConfig;
import dev.watchllm.config.CacheSettings;
import dev.watchllm.config.KeyEntry;
import dev.watchllm.config.ProjectConfig;
import dev.watchllm.testing.FakeProvider;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The exact cache end to end: the official SDK through WatchLlmFilter to a real HTTP provider.
 * Each test asks its own questions, so tests share one gateway; expiry moves {@link TestClock}.
 */
class ExactCacheTest {
    static final TestClock clock = new TestClock();
    static final String offKey = ApiKeys.mint("test");
    static Gateway gw;

    @BeforeAll
    static void start() throws Exception {
        gw = new Gateway(b -> b.project(new ProjectConfig("off-proj", "pro", List.of(new KeyEntry("k3", ApiKeys.sha256Hex(offKey))),
                new CacheSettings(false, Duration.ofHours(24), false, 0.95), 0)), clock, null);
    }

    @AfterAll
    static void stop() throws Exception {
        gw.close();
    }

    static ChatCompletionCreateParams params(String text, String... headers) {
        ChatCompletionCreateParams.Builder b = ChatCompletionCreateParams.builder().model(ChatModel.GPT_4O_MINI).addUserMessage(text);
        for (int i = 0; i < headers.length; i += 2) b.putAdditionalHeader(headers[i], headers[i + 1]);
        return b.build();
    }

    static HttpResponseFor<ChatCompletion> askAs(String key, String text, String... headers) {
        return gw.client(key).chat().completions().withRawResponse().create(params(text, headers));
    }

    static HttpResponseFor<ChatCompletion> ask(String text, String... headers) {
        return askAs(gw.key, text, headers);
    }

    static String header(HttpResponseFor<?> r, String name) {
        List<String> v = r.headers().values(name);
        return v.isEmpty() ? null : v.get(0);
    }

    static String cache(HttpResponseFor<?> r) {
        return header(r, "X-WatchLLM-Cache");
    }

    static String content(HttpResponseFor<ChatCompletion> r) {
        return r.parse().choices().get(0).message().content().orElseThrow();
    }

    static HttpResponse<String> post(String path, String body, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(gw.baseUrl() + path)).timeout(Duration.ofSeconds(20))
                .header("Authorization", "Bearer " + gw.key).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        for (int i = 0; i < headers.length; i += 2) b.header(headers[i], headers[i + 1]);
        return HttpClient.newHttpClient().send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void aRepeatedQuestionIsAnsweredFromTheCacheWithTheSameHeaders() throws Exception {
        int before = gw.provider.requestCount();
        gw.provider.enqueue(FakeProvider.chat("Four."));
        HttpResponseFor<ChatCompletion> miss = ask("What is 2+2?");
        assertEquals("MISS", cache(miss));
        assertEquals("Four.", content(miss));
        assertEquals(List.of(), miss.headers().values("X-WatchLLM-Cache-Age"));

        HttpResponseFor<ChatCompletion> hit = ask("What is 2+2?");
        assertEquals("HIT", cache(hit));
        assertEquals("Four.", content(hit));
        assertEquals(miss.parse().id(), hit.parse().id());
        assertEquals("0", header(hit, "X-WatchLLM-Cache-Age"));
        assertEquals("fake", header(hit, "X-WatchLLM-Provider"), "the provider of the original answer");
        assertTrue(Long.parseLong(header(hit, "X-WatchLLM-Latency-Ms")) >= 0);
        assertNotEquals(header(miss, "X-Request-Id"), header(hit, "X-Request-Id"));
        assertEquals(before + 1, gw.provider.requestCount(), "a hit never reaches the provider");

        clock.advance(Duration.ofSeconds(90));
        assertEquals("90", header(ask("What is 2+2?"), "X-WatchLLM-Cache-Age"));
        assertEquals(before + 1, gw.provider.requestCount());
    }

    @Test
    void theKeyIgnoresFormattingNumberSpellingAndExcludedFields() throws Exception {
        String a = "{\"model\":\"gpt-4o-mini\",\"temperature\":1,\"messages\":[{\"role\":\"user\",\"content\":\"Spell cat\"}]}";
        String b = "{ \"messages\": [ {\"content\": \"Spell cat\", \"role\": \"user\"} ], \"user\": \"someone\",\n"
                + "  \"temperature\": 1.0, \"model\": \"gpt-4o-mini\" }";
        String c = a.replace("\"temperature\":1", "\"temperature\":0.2");
        int before = gw.provider.requestCount();
        assertEquals("MISS", post("/chat/completions", a).headers().firstValue("X-WatchLLM-Cache").orElseThrow());
        HttpResponse<String> hit = post("/chat/completions", b);
        assertEquals(200, hit.statusCode());
        assertEquals("HIT", hit.headers().firstValue("X-WatchLLM-Cache").orElseThrow());
        assertEquals("MISS", post("/chat/completions", c).headers().firstValue("X-WatchLLM-Cache").orElseThrow(), "temperature counts");
        assertEquals(before + 2, gw.provider.requestCount());
    }

    @Test
    void projectsNeverSeeEachOthersAnswers() {
        int before = gw.provider.requestCount();
        gw.provider.enqueue(FakeProvider.chat("for test-proj"), FakeProvider.chat("for other-proj"));
        assertEquals("MISS", cache(askAs(gw.key, "Which project am I?")));
        HttpResponseFor<ChatCompletion> other = askAs(gw.otherKey, "Which project am I?");
        assertEquals("MISS", cache(other));
        assertEquals("for other-proj", content(other));
        HttpResponseFor<ChatCompletion> again = askAs(gw.otherKey, "Which project am I?");
        assertEquals("HIT", cache(again));
        assertEquals("for other-proj", content(again));
        assertEquals("for test-proj", content(askAs(gw.key, "Which project am I?")));
        assertEquals(before + 2, gw.provider.requestCount());
    }

    @Test
    void noCacheSkipsTheLookupAndRefreshesTheEntry() {
        gw.provider.enqueue(FakeProvider.chat("first"), FakeProvider.chat("second"));
        assertEquals("first", content(ask("Refresh me")));
        HttpResponseFor<ChatCompletion> fresh = ask("Refresh me", "Cache-Control", "no-cache");
        assertEquals("MISS", cache(fresh));
        assertEquals("second", content(fresh));
        HttpResponseFor<ChatCompletion> hit = ask("Refresh me");
        assertEquals("HIT", cache(hit));
        assertEquals("second", content(hit));
    }

    @Test
    void noStoreLooksUpButDoesNotStore() {
        int before = gw.provider.requestCount();
        assertEquals("MISS", cache(ask("Do not keep this", "Cache-Control", "no-store")));
        assertEquals("MISS", cache(ask("Do not keep this")), "nothing was stored");
        assertEquals("HIT", cache(ask("Do not keep this", "Cache-Control", "no-store")), "a stored entry may still be read");
        assertEquals(before + 2, gw.provider.requestCount());
    }

    @Test
    void noCacheAndNoStoreTogetherBypassTheCache() {
        assertEquals("BYPASS", cache(ask("Not at all", "Cache-Control", "no-cache, no-store")));
        assertEquals("MISS", cache(ask("Not at all")));
    }

    @Test
    void maxAgeAcceptsOnlyYoungEnoughEntries() {
        gw.provider.enqueue(FakeProvider.chat("old"), FakeProvider.chat("fresher"));
        assertEquals("old", content(ask("How old?")));
        clock.advance(Duration.ofSeconds(30));
        HttpResponseFor<ChatCompletion> young = ask("How old?", "Cache-Control", "max-age=60");
        assertEquals("HIT", cache(young));
        assertEquals("30", header(young, "X-WatchLLM-Cache-Age"));
        HttpResponseFor<ChatCompletion> strict = ask("How old?", "Cache-Control", "max-age=10");
        assertEquals("MISS", cache(strict));
        assertEquals("fresher", content(strict));
        HttpResponseFor<ChatCompletion> replaced = ask("How old?");
        assertEquals("fresher", content(replaced), "the fresh answer replaced the old entry");
        assertEquals("0", header(replaced, "X-WatchLLM-Cache-Age"));
    }

    @Test
    void aRequestTtlSetsTheEntrysLifetime() {
        assertEquals("MISS", cache(ask("Short-lived", "X-WatchLLM-Cache-TTL", "60")));
        clock.advance(Duration.ofSeconds(59));
        assertEquals("HIT", cache(ask("Short-lived")));
        clock.advance(Duration.ofSeconds(2));
        assertEquals("MISS", cache(ask("Short-lived")), "expired at the engine's clock");
        assertEquals("HIT", cache(ask("Short-lived")), "stored again with the project's TTL");

        assertEquals("MISS", cache(ask("Zero TTL", "X-WatchLLM-Cache-TTL", "0")));
        assertEquals("MISS", cache(ask("Zero TTL")), "a TTL of 0 stores nothing");
    }

    @Test
    void anUnreadableTtlIsAClientError() {
        int before = gw.provider.requestCount();
        BadRequestException e = assertThrows(BadRequestException.class, () -> ask("Bad TTL", "X-WatchLLM-Cache-TTL", "soon"));
        assertEquals(400, e.statusCode());
        assertTrue(e.getMessage().contains("X-WatchLLM-Cache-TTL"), e.getMessage());
        assertEquals(before, gw.provider.requestCount());
    }

    @Test
    void theProjectTtlExpiresEntries() {
        assertEquals("MISS", cache(ask("Good for a day")));
        clock.advance(Duration.ofHours(23).plusMinutes(59));
        assertEquals("HIT", cache(ask("Good for a day")));
        clock.advance(Duration.ofMinutes(2));
        assertEquals("MISS", cache(ask("Good for a day")));
    }

    @Test
    void aProjectWithTheCacheOffBypassesIt() {
        int before = gw.provider.requestCount();
        assertEquals("BYPASS", cache(askAs(offKey, "Never cached")));
        assertEquals("BYPASS", cache(askAs(offKey, "Never cached")));
        assertEquals(before + 2, gw.provider.requestCount());
    }

    @Test
    void errorsAreNeverStored() {
        String body = "{\"error\":{\"message\":\"bad\",\"type\":\"invalid_request_error\",\"param\":null,\"code\":\"nope\"}}";
        gw.provider.enqueue(FakeProvider.status(400, body), FakeProvider.chat("now it works"));
        assertThrows(BadRequestException.class, () -> ask("Fails first"));
        HttpResponseFor<ChatCompletion> r = ask("Fails first");
        assertEquals("MISS", cache(r));
        assertEquals("now it works", content(r));
    }

    @Test
    void answersWithoutAFinishReasonAreNotStored() {
        String cut = FakeProvider.chatJson("gpt-4o-mini", "unfinished").replace("\"finish_reason\":\"stop\"", "\"finish_reason\":null");
        gw.provider.enqueue(FakeProvider.status(200, cut));
        assertEquals("MISS", cache(ask("Unfinished")));
        assertEquals("MISS", cache(ask("Unfinished")));
        assertEquals("HIT", cache(ask("Unfinished")));
    }

    @Test
    void brokenStreamsAreNotStored() {
        gw.provider.enqueue(FakeProvider.resetAfter(2, "a", "b", "c"));
        ChatCompletionCreateParams p = params("Broken stream");
        assertThrows(RuntimeException.class, () -> {
            try (StreamResponse<ChatCompletionChunk> s = gw.client().chat().completions().createStreaming(p)) {
                s.stream().forEach(c -> { });
            }
        });
        assertEquals("MISS", cache(ask("Broken stream")));
    }

    @Test
    void embeddingsAreCachedToo() {
        EmbeddingCreateParams p = EmbeddingCreateParams.builder().model("text-embedding-3-small").input("embed me").build();
        gw.provider.enqueue(FakeProvider.embeddings(), FakeProvider.embeddings());
        HttpResponseFor<CreateEmbeddingResponse> miss = gw.client().embeddings().withRawResponse().create(p);
        assertEquals("MISS", cache(miss));
        HttpResponseFor<CreateEmbeddingResponse> hit = gw.client().embeddings().withRawResponse().create(p);
        assertEquals("HIT", cache(hit));
        assertEquals(miss.parse().data().get(0).embedding(), hit.parse().data().get(0).embedding());
        HttpResponseFor<CreateEmbeddingResponse> dims = gw.client().embeddings().withRawResponse()
                .create(p.toBuilder().dimensions(2).build());
        assertEquals("MISS", cache(dims), "dimensions count");
    }

    @Test
    void hitsCarryCorsHeaders() throws Exception {
        String body = "{\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":\"user\",\"content\":\"CORS?\"}]}";
        post("/chat/completions", body);
        HttpResponse<String> hit = post("/chat/completions", body, "Origin", "https://app.example");
        assertEquals("HIT", hit.headers().firstValue("X-WatchLLM-Cache").orElseThrow());
        assertEquals("*", hit.headers().firstValue("Access-Control-Allow-Origin").orElseThrow());
        assertTrue(hit.headers().firstValue("Access-Control-Expose-Headers").orElseThrow().contains("X-WatchLLM-Cache-Age"));
        assertTrue(hit.headers().firstValue("X-Request-Id").isPresent());
    }

    @Test
    void answersOverTheSizeLimitAreServedButNotStored() throws Exception {
        try (Gateway small = new Gateway(b -> b.cache(new CacheConfig(1000, 8L << 20, 64L << 20, 200, Duration.ofSeconds(10))))) {
            ChatCompletionCreateParams p = params("Too big to keep");
            small.provider.enqueue(FakeProvider.chat("x".repeat(300)), FakeProvider.chat("y".repeat(300)));
            HttpResponseFor<ChatCompletion> first = small.client().chat().completions().withRawResponse().create(p);
            assertEquals("x".repeat(300), first.parse().choices().get(0).message().content().orElseThrow());
            HttpResponseFor<ChatCompletion> second = small.client().chat().completions().withRawResponse().create(p);
            assertEquals("MISS", cache(second));
            assertEquals(2, small.provider.requestCount());
        }
    }
}
