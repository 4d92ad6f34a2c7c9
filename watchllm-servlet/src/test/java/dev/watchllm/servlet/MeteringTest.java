package dev.watchllm.servlet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.openai.core.http.HttpResponseFor;
import com.openai.core.http.StreamResponse;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.embeddings.CreateEmbeddingResponse;
import com.openai.models.embeddings.EmbeddingCreateParams;
import dev.watchllm.metering.UsageExport;
import dev.watchllm.metering.UsageRecord;
import dev.watchllm.testing.FakeProvider;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.YearMonth;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Metering end to end: the OpenAI SDK through the filter to a real provider, cost headers and the usage API over HTTP. */
class MeteringTest {
    /** Reads JSON numbers as BigDecimal, so the USD amounts compare as the exact decimals sent. */
    static final ObjectMapper JSON = com.fasterxml.jackson.databind.json.JsonMapper.builder()
            .enable(com.fasterxml.jackson.databind.DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS).build();
    static final Set<String> CONTRACT = Set.of("project", "period", "requests", "cacheHits", "semanticHits", "cacheHitRate",
            "inputTokens", "outputTokens", "costUsd", "potentialCostUsd", "savingsUsd", "unpricedRequests");
    final HttpClient http = HttpClient.newHttpClient();
    Gateway gw;

    @BeforeEach
    void start() throws Exception {
        gw = new Gateway();
    }

    @AfterEach
    void stop() throws Exception {
        gw.close();
    }

    static ChatCompletionCreateParams chat(String model, String text) {
        return ChatCompletionCreateParams.builder().model(model).addUserMessage(text).build();
    }

    HttpResponse<String> get(Gateway g, String key, String pathAndQuery) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(g.baseUrl() + pathAndQuery)).GET();
        if (key != null) b.header("Authorization", "Bearer " + key);
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    JsonNode usage(Gateway g, String key, String query) throws Exception {
        HttpResponse<String> r = get(g, key, "/watchllm/usage" + query);
        assertEquals(200, r.statusCode(), r.body());
        assertEquals("application/json", r.headers().firstValue("Content-Type").orElseThrow());
        return JSON.readTree(r.body());
    }

    /** A USD amount as the exact decimal the API sent. */
    static String usd(JsonNode n, String field) {
        assertTrue(n.get(field).isNumber(), field);
        return n.get(field).decimalValue().toPlainString();
    }

    @Test
    void aPlainAnswerCarriesItsCostAndIsCounted() throws Exception {
        gw.provider.enqueue(FakeProvider.chat("Paris."));
        HttpResponseFor<ChatCompletion> r = gw.client().chat().completions().withRawResponse().create(chat("gpt-4o-mini", "Capital of France?"));
        assertEquals("Paris.", r.parse().choices().get(0).message().content().orElseThrow());
        // 12 prompt tokens * $0.15/1M + 7 completion tokens * $0.60/1M = $0.000006
        assertEquals(List.of("0.000006"), r.headers().values("X-WatchLLM-Cost-USD"));
        assertEquals(List.of(), r.headers().values("X-WatchLLM-Saved-USD"));
        UsageRecord rec = gw.nextUsage();
        assertEquals("k1", rec.keyId());
        assertTrue(Set.of("MISS", "BYPASS").contains(rec.cacheStatus()), rec.cacheStatus());
        assertEquals("fake", rec.provider());
        assertEquals(200, rec.status());
        JsonNode u = usage(gw, gw.key, "");
        assertEquals("test-proj", u.get("project").asText());
        assertEquals(YearMonth.now(java.time.ZoneOffset.UTC).toString(), u.get("period").asText());
        assertEquals(1, u.get("requests").asLong());
        assertEquals(12, u.get("inputTokens").asLong());
        assertEquals(7, u.get("outputTokens").asLong());
        assertEquals("0.000006", usd(u, "costUsd"));
        assertEquals("0.000006", usd(u, "potentialCostUsd"));
        assertEquals("0", usd(u, "savingsUsd"));
        assertEquals(0, u.get("cacheHits").asLong());
        assertEquals(0, u.get("unpricedRequests").asLong());
    }

    @Test
    void cachedInputAndReasoningTokensArePricedFromTheProvidersUsage() throws Exception {
        gw.provider.enqueue(FakeProvider.status(200, "{\"id\":\"chatcmpl-r\",\"object\":\"chat.completion\",\"created\":1,"
                + "\"model\":\"o4-mini-2025-04-16\",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"42\"},"
                + "\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":2000,\"completion_tokens\":500,\"total_tokens\":2500,"
                + "\"prompt_tokens_details\":{\"cached_tokens\":1024},\"completion_tokens_details\":{\"reasoning_tokens\":300}}}"));
        HttpResponseFor<ChatCompletion> r = gw.client().chat().completions().withRawResponse().create(chat("o4-mini", "Think."));
        r.parse();
        // o4-mini: 976 * 1.10 + 1024 * 0.275 + 500 * 4.40 = 1073.6 + 281.6 + 2200 = 3555.2 micro-dollars
        assertEquals(List.of("0.003555"), r.headers().values("X-WatchLLM-Cost-USD"));
        UsageRecord rec = gw.nextUsage();
        assertEquals(1024, rec.cachedInputTokens());
        assertEquals(300, rec.reasoningTokens());
        assertEquals("o4-mini", rec.requestedModel());
        assertEquals("o4-mini-2025-04-16", rec.model());
        JsonNode u = usage(gw, gw.key, "");
        assertEquals(2000, u.get("inputTokens").asLong());
        assertEquals(500, u.get("outputTokens").asLong(), "reasoning tokens are part of the output, counted once");
        assertEquals("0.003555", usd(u, "costUsd"));
    }

    @Test
    void aStreamIsMeteredFromTheUsageChunkTheGatewayAskedFor() throws Exception {
        gw.provider.enqueue(FakeProvider.stream("Hel", "lo", " world"));
        List<ChatCompletionChunk> chunks;
        try (StreamResponse<ChatCompletionChunk> s = gw.client().chat().completions().createStreaming(chat("gpt-4o-mini", "Say hello"))) {
            chunks = s.stream().collect(Collectors.toList());
        }
        assertEquals("Hello world", chunks.stream().flatMap(c -> c.choices().stream()).map(c -> c.delta().content().orElse(""))
                .collect(Collectors.joining()), "the SDK reads the stream, cost comment included");
        assertTrue(gw.provider.takeRequest().body().contains("\"include_usage\":true"));
        UsageRecord rec = gw.nextUsage();
        assertTrue(rec.stream());
        assertFalse(rec.estimated(), "the provider's usage chunk was read");
        JsonNode u = usage(gw, gw.key, "");
        assertEquals(12, u.get("inputTokens").asLong());
        assertEquals(3, u.get("outputTokens").asLong());
        assertEquals("0.000004", usd(u, "costUsd"), "12 * 0.15 + 3 * 0.60 = 3.6 micro-dollars");
    }

    @Test
    void aStreamsCostArrivesAsAnSseCommentBeforeDone() throws Exception {
        gw.provider.enqueue(FakeProvider.stream("a", "b"));
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(gw.baseUrl() + "/chat/completions"))
                .header("Authorization", "Bearer " + gw.key).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"gpt-4o-mini\",\"stream\":true,"
                        + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode());
        assertFalse(r.headers().firstValue("X-WatchLLM-Cost-USD").isPresent(), "headers left before the usage chunk existed");
        // 12 * 0.15 + 2 * 0.60 = 3.0 micro-dollars
        assertTrue(r.body().endsWith(": X-WatchLLM-Cost-USD: 0.000003\n\ndata: [DONE]\n\n"), r.body());
        assertFalse(r.body().contains("\"choices\":[]"), "the usage chunk the client did not ask for is still dropped");
    }

    @Test
    void embeddingsArePricedToo() throws Exception {
        gw.provider.enqueue(FakeProvider.embeddings());
        HttpResponseFor<CreateEmbeddingResponse> r = gw.client().embeddings().withRawResponse()
                .create(EmbeddingCreateParams.builder().model("text-embedding-3-large").input("hello").build());
        r.parse();
        // 3 tokens * $0.13/1M = 0.39 micro-dollars: rounds to 0, but the model is priced
        assertEquals(List.of("0"), r.headers().values("X-WatchLLM-Cost-USD"));
        assertEquals("/embeddings", gw.nextUsage().endpoint());
        JsonNode u = usage(gw, gw.key, "");
        assertEquals(3, u.get("inputTokens").asLong());
        assertEquals(0, u.get("unpricedRequests").asLong());
    }

    @Test
    void anUnknownModelIsUnpricedNotFree() throws Exception {
        gw.provider.enqueue(FakeProvider.chat("who knows"));
        HttpResponseFor<ChatCompletion> r = gw.client().chat().completions().withRawResponse().create(chat("mystery-model-1", "?"));
        r.parse();
        assertEquals(List.of(), r.headers().values("X-WatchLLM-Cost-USD"), "no header rather than a false $0");
        assertTrue(gw.nextUsage().unpriced());
        JsonNode u = usage(gw, gw.key, "");
        assertEquals(1, u.get("requests").asLong());
        assertEquals(1, u.get("unpricedRequests").asLong());
        assertEquals("0", usd(u, "costUsd"));
    }

    @Test
    void theUsageApiAnswersExactlyTheContractFields() throws Exception {
        gw.provider.enqueue(FakeProvider.chat("x"));
        gw.client().chat().completions().create(chat("gpt-4o-mini", "x"));
        gw.nextUsage();
        JsonNode u = usage(gw, gw.key, "");
        Set<String> names = new TreeSet<>();
        Iterator<String> it = u.fieldNames();
        it.forEachRemaining(names::add);
        assertEquals(new TreeSet<>(CONTRACT), names);
        for (String n : CONTRACT) {
            if (!n.equals("project") && !n.equals("period")) assertTrue(u.get(n).isNumber(), n + " is a number");
        }
        assertEquals(0.0, u.get("cacheHitRate").asDouble());
        JsonNode old = usage(gw, gw.key, "?period=2020-01");
        assertEquals("2020-01", old.get("period").asText());
        assertEquals(0, old.get("requests").asLong());
        String today = java.time.LocalDate.now(java.time.ZoneOffset.UTC).toString();
        JsonNode day = usage(gw, gw.key, "?period=" + today);
        assertEquals(today, day.get("period").asText());
        assertEquals(1, day.get("requests").asLong());
    }

    @Test
    void oneProjectsKeyNeverSeesAnothersUsage() throws Exception {
        gw.provider.enqueue(FakeProvider.chat("x"));
        gw.client().chat().completions().create(chat("gpt-4o", "secret project work"));
        gw.nextUsage();
        JsonNode mine = usage(gw, gw.key, "");
        JsonNode theirs = usage(gw, gw.otherKey, "?project=test-proj");
        assertEquals("test-proj", mine.get("project").asText());
        assertEquals(1, mine.get("requests").asLong());
        assertEquals("other-proj", theirs.get("project").asText(), "the key decides the project; a parameter cannot");
        assertEquals(0, theirs.get("requests").asLong());
        assertEquals("0", usd(theirs, "costUsd"));
    }

    @Test
    void usageApiErrorsAreOpenAiShaped() throws Exception {
        HttpResponse<String> bad = get(gw, gw.key, "/watchllm/usage?period=2026-13");
        assertEquals(400, bad.statusCode());
        JsonNode e = JSON.readTree(bad.body()).get("error");
        assertEquals("invalid_request_error", e.get("type").asText());
        assertEquals("period", e.get("param").asText());
        assertEquals(401, get(gw, null, "/watchllm/usage").statusCode());
        assertEquals(401, get(gw, "lgw_test_notARealKey000000000000000000000", "/watchllm/usage").statusCode());
        HttpResponse<String> post = http.send(HttpRequest.newBuilder(URI.create(gw.baseUrl() + "/watchllm/usage"))
                .header("Authorization", "Bearer " + gw.key).POST(HttpRequest.BodyPublishers.ofString("{}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(405, post.statusCode());
        assertEquals(0, gw.provider.requestCount(), "the usage API never reaches a provider");
    }

    @Test
    void closingAndReopeningTheEngineKeepsTheMonth(@TempDir Path store) throws Exception {
        JsonNode before;
        Gateway first = new Gateway(b -> b.store(new dev.watchllm.config.StoreConfig("local", store, null)));
        try {
            first.provider.enqueue(FakeProvider.chat("one"), FakeProvider.stream("t", "w", "o"), FakeProvider.chat("three"));
            first.client().chat().completions().create(chat("gpt-4o-mini", "1"));
            try (StreamResponse<ChatCompletionChunk> s = first.client().chat().completions().createStreaming(chat("gpt-4o", "2"))) {
                s.stream().count();
            }
            first.client().chat().completions().create(chat("mystery-model-2", "3"));
            for (int i = 0; i < 3; i++) first.nextUsage();
            before = usage(first, first.key, "");
            assertEquals(3, before.get("requests").asLong());
        } finally {
            first.close(); // what SIGTERM does in the sample: stop the server, then close the engine
        }
        String period = before.get("period").asText();
        Gateway second = new Gateway(b -> b.store(new dev.watchllm.config.StoreConfig("local", store, null)));
        try {
            // a new gateway mints new keys: ask with the new key of the same project
            assertEquals(before, usage(second, second.key, "?period=" + period));
        } finally {
            second.close();
        }
        List<UsageRecord> records = UsageExport.read(store, "test-proj", YearMonth.parse(period));
        assertEquals(3, records.size(), "every request is in the usage files");
        assertEquals(before.get("costUsd").decimalValue().movePointRight(6).longValueExact(),
                records.stream().mapToLong(UsageRecord::costMicros).sum(), "the files add up to the totals");
        assertTrue(records.get(2).unpriced());
        assertTrue(records.get(1).stream());
    }
}
