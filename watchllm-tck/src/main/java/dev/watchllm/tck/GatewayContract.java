package dev.watchllm.tck;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.http.StreamResponse;
import com.openai.errors.UnauthorizedException;
import com.openai.models.ChatModel;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.models.Model;
import dev.watchllm.auth.ApiKeys;
import dev.watchllm.http.WatchLlmHeaders;
import dev.watchllm.openai.Endpoint;
import dev.watchllm.openai.OpenAiError;
import dev.watchllm.openai.RequestParser;
import dev.watchllm.testing.FakeProvider;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * The HTTP contract every mounting keeps, byte for byte: a mounting's test extends this class and
 * starts its host in {@link #mount}. Each test checks what a client receives (status, body bytes,
 * the contract headers, SSE framing) against what the engine and the provider produce, so every
 * mounting that passes answers identically. Uses the real {@link FakeProvider}, the official
 * OpenAI Java SDK and a plain HTTP/1.1 client.
 *
 * <p>Every test sends a prompt of its own, so none can be answered from another's cache entry.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
public abstract class GatewayContract {
    /** The most request threads a mounting may give its host; {@link #streamsDoNotHoldRequestThreads} opens more streams. */
    protected static final int MAX_REQUEST_THREADS = 16;
    protected static final String MODEL = "gpt-4o-mini";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final AtomicInteger PROMPTS = new AtomicInteger();

    protected FakeProvider provider;
    protected ContractConfig config;
    protected Mounted mounted;
    protected final RawHttp http = new RawHttp();
    private Path dir;

    /**
     * Starts the host with WatchLLM mounted at {@code /v1}, serving {@code configFile}, bound to
     * 127.0.0.1 on a free port, with at most {@code maxRequestThreads} threads for requests.
     */
    protected abstract Mounted mount(Path configFile, int maxRequestThreads) throws Exception;

    @BeforeAll
    void startMounting() throws Exception {
        provider = new FakeProvider();
        dir = Files.createTempDirectory("watchllm-contract");
        config = new ContractConfig(dir, provider.baseUrl());
        mounted = mount(config.file, MAX_REQUEST_THREADS);
    }

    @AfterAll
    void stopMounting() throws Exception {
        try {
            if (mounted != null) mounted.close();
        } finally {
            provider.close();
            try (var files = Files.walk(dir)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    // ---- helpers for tests (and for mountings that add their own) ----

    protected String url(String path) {
        return mounted.root() + path;
    }

    /** A prompt no other test sends. */
    protected static String prompt(String what) {
        return what + " #" + PROMPTS.incrementAndGet() + " " + System.nanoTime();
    }

    protected static String chatBody(String prompt, boolean stream) {
        return "{\"model\":\"" + MODEL + "\",\"messages\":[{\"role\":\"user\",\"content\":\"" + prompt + "\"}]"
                + (stream ? ",\"stream\":true" : "") + "}";
    }

    protected HttpRequest.Builder post(String path, String body) {
        return RawHttp.request(url(path)).header("Authorization", "Bearer " + config.key)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
    }

    /** What the provider received for the request carrying {@code prompt}, past any request a failed test left queued. */
    protected FakeProvider.Recorded sentWith(String prompt) throws InterruptedException {
        while (true) {
            FakeProvider.Recorded r = provider.takeRequest();
            if (r.body().contains(prompt)) return r;
        }
    }

    protected OpenAIClient sdk(String apiKey) {
        return OpenAIOkHttpClient.builder().baseUrl(url("/v1")).apiKey(apiKey).maxRetries(0).timeout(Duration.ofSeconds(20)).build();
    }

    /** The SSE body a client receives for {@link FakeProvider#stream}: every event but the usage chunk the gateway asked for. */
    /**
     * What a client that did not ask for usage receives for a provider stream of {@code words}: the
     * provider's events byte for byte, less the usage-only chunk, with the gateway's cost comment
     * ({@code : X-WatchLLM-Cost-USD: ...}, ignored by SSE clients) just before {@code [DONE]}.
     */
    protected static String relayedStream(String... words) {
        long micros = dev.watchllm.metering.Pricing.builtIn().resolve(MODEL)
                .costMicros(dev.watchllm.metering.TokenUsage.of(12, 0, words.length, 0));
        String comment = ": X-WatchLLM-Cost-USD: " + dev.watchllm.metering.Usd.format(micros) + "\n\n";
        return FakeProvider.chatStreamEvents(MODEL, true, words).stream().filter(e -> !e.contains("\"choices\":[]"))
                .map(e -> e.startsWith("data: [DONE]") ? comment + e : e)
                .collect(Collectors.joining());
    }

    protected static void assertMediaType(String expected, String contentType) {
        assertNotNull(contentType, "Content-Type");
        String mt = contentType.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
        assertEquals(expected, mt, "media type of " + contentType);
    }

    /** An OpenAI-shaped error whose body is exactly {@code expected}, with the headers every answer carries. */
    protected static void assertError(RawHttp.Answer a, int status, byte[] expected) {
        assertEquals(status, a.status(), a.text());
        assertEquals(new String(expected, StandardCharsets.UTF_8), a.text());
        assertArrayEquals(expected, a.body());
        assertMediaType("application/json", a.header("Content-Type"));
        assertEquals(Integer.toString(expected.length), a.header("Content-Length"));
        assertNotNull(a.header(WatchLlmHeaders.REQUEST_ID));
    }

    /** An OpenAI-shaped error: {@code {"error":{"message","type","param","code"}}} with {@code code}. */
    protected static JsonNode assertErrorShape(RawHttp.Answer a, int status, String code) throws Exception {
        assertEquals(status, a.status(), a.text());
        assertMediaType("application/json", a.header("Content-Type"));
        JsonNode root = JSON.readTree(a.body());
        assertEquals(1, root.size(), a.text());
        JsonNode e = root.get("error");
        assertEquals(4, e.size(), a.text());
        assertTrue(e.get("message").isTextual());
        assertTrue(e.get("type").isTextual());
        assertTrue(e.has("param"));
        assertEquals(code, e.get("code").asText());
        return e;
    }

    // ---- plain answers ----

    @Test
    void plainAnswerIsTheProvidersBytesWithTheContractHeaders() throws Exception {
        String p = prompt("plain");
        provider.enqueue(FakeProvider.chat("Paris."));
        RawHttp.Answer a = http.send(post("/v1/chat/completions", chatBody(p, false)).header("X-Request-Id", "contract-plain-1").build());
        assertEquals(200, a.status(), a.text());
        assertArrayEquals(FakeProvider.chatJson(MODEL, "Paris.").getBytes(StandardCharsets.UTF_8), a.body());
        assertMediaType("application/json", a.header("Content-Type"));
        assertEquals(Integer.toString(a.body().length), a.header("Content-Length"));
        assertEquals("contract-plain-1", a.header(WatchLlmHeaders.REQUEST_ID));
        assertEquals(List.of("fake"), a.all(WatchLlmHeaders.PROVIDER));
        assertEquals("MISS", a.header(WatchLlmHeaders.CACHE));
        assertTrue(a.header(WatchLlmHeaders.LATENCY_MS).matches("\\d+"), a.header(WatchLlmHeaders.LATENCY_MS));
        FakeProvider.Recorded sent = sentWith(p);
        assertEquals("/v1/chat/completions", sent.path());
        assertEquals("Bearer " + ContractConfig.PROVIDER_KEY, sent.header("Authorization"));
        assertEquals(chatBody(p, false), sent.body(), "a plain request is forwarded as sent");
    }

    @Test
    void identicalRequestIsACacheHitInEitherMode() throws Exception {
        String p = prompt("hit");
        String body = chatBody(p, false);
        provider.enqueue(FakeProvider.chat("cached"));
        int before = provider.requestCount();
        RawHttp.Answer miss = http.send(post("/v1/chat/completions", body).build());
        RawHttp.Answer hit = http.send(post("/v1/chat/completions", body).build());
        assertEquals("MISS", miss.header(WatchLlmHeaders.CACHE));
        assertEquals("HIT", hit.header(WatchLlmHeaders.CACHE));
        assertNotNull(hit.header(WatchLlmHeaders.CACHE_AGE));
        assertEquals("0", hit.header(WatchLlmHeaders.COST_USD));
        assertArrayEquals(miss.body(), hit.body());
        // the same question streamed: replayed from the cached plain answer as SSE
        RawHttp.Answer replay = http.send(post("/v1/chat/completions", chatBody(p, true)).build());
        assertEquals("HIT", replay.header(WatchLlmHeaders.CACHE));
        assertMediaType("text/event-stream", replay.header("Content-Type"));
        assertTrue(replay.text().contains("\"content\":\"cached\"") && replay.text().endsWith("data: [DONE]\n\n"), replay.text());
        assertEquals(before + 1, provider.requestCount(), "one provider call for all three");
        provider.takeRequest();
    }

    @Test
    void sdkChatCompletion() throws Exception {
        provider.enqueue(FakeProvider.chat("Hello from the SDK test."));
        ChatCompletion c = sdk(config.key).chat().completions().create(ChatCompletionCreateParams.builder()
                .model(ChatModel.GPT_4O_MINI).addUserMessage(prompt("sdk")).build());
        assertEquals("Hello from the SDK test.", c.choices().get(0).message().content().orElseThrow());
        provider.takeRequest();
    }

    @Test
    void sdkModels() throws Exception {
        provider.enqueue(FakeProvider.models("gpt-4o-mini", "gpt-4o"));
        List<String> ids = sdk(config.key).models().list().data().stream().map(Model::id).collect(Collectors.toList());
        assertEquals(List.of("gpt-4o-mini", "gpt-4o"), ids);
        assertEquals("GET", provider.takeRequest().method());
    }

    // ---- streams ----

    @Test
    void streamIsRelayedEventByEventByteForByte() throws Exception {
        GatedStream gate = new GatedStream(FakeProvider.chatStreamEvents(MODEL, true, "Hel", "lo"));
        provider.enqueue(gate);
        String p = prompt("stream");
        HttpResponse<InputStream> r = http.open(post("/v1/chat/completions", chatBody(p, true))
                .header("X-Request-Id", "contract-stream-1").build()).get(20, TimeUnit.SECONDS);
        try (InputStream in = r.body()) {
            assertEquals(200, r.statusCode());
            assertMediaType("text/event-stream", r.headers().firstValue("Content-Type").orElse(null));
            assertEquals("contract-stream-1", r.headers().firstValue(WatchLlmHeaders.REQUEST_ID).orElse(null));
            assertEquals(List.of("fake"), r.headers().allValues(WatchLlmHeaders.PROVIDER));
            assertEquals("MISS", r.headers().firstValue(WatchLlmHeaders.CACHE).orElse(null));
            assertEquals("no-cache", r.headers().firstValue("Cache-Control").orElse(null));
            assertFalse(r.headers().firstValue("Content-Length").isPresent(), "a stream has no length");
            String expected = relayedStream("Hel", "lo");
            // the first event reaches the client while the provider still holds the rest: nothing buffers it
            String first = CompletableFuture.supplyAsync(() -> read(() -> RawHttp.readEvent(in))).get(10, TimeUnit.SECONDS);
            assertEquals(FakeProvider.chatStreamEvents(MODEL, true, "Hel", "lo").get(0), first);
            gate.release();
            String rest = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            assertEquals(expected, first + rest);
        }
        assertTrue(sentWith(p).body().contains("\"include_usage\":true"));
    }

    @Test
    void sdkStream() throws Exception {
        provider.enqueue(FakeProvider.stream("Hel", "lo", " world"));
        List<ChatCompletionChunk> chunks;
        try (StreamResponse<ChatCompletionChunk> s = sdk(config.key).chat().completions().createStreaming(
                ChatCompletionCreateParams.builder().model(ChatModel.GPT_4O_MINI).addUserMessage(prompt("sdk stream")).build())) {
            chunks = s.stream().collect(Collectors.toList());
        }
        String text = chunks.stream().flatMap(c -> c.choices().stream()).map(ch -> ch.delta().content().orElse(""))
                .collect(Collectors.joining());
        assertEquals("Hello world", text);
        provider.takeRequest();
    }

    @Test
    void streamsDoNotHoldRequestThreads() throws Exception {
        int n = MAX_REQUEST_THREADS + 8;
        List<String> events = FakeProvider.chatStreamEvents(MODEL, true, "held");
        GatedStream gate = new GatedStream(events);
        for (int i = 0; i < n; i++) provider.enqueue(gate);
        int before = provider.requestCount();
        List<CompletableFuture<HttpResponse<InputStream>>> pending = new ArrayList<>();
        for (int i = 0; i < n; i++) pending.add(http.open(post("/v1/chat/completions", chatBody(prompt("held"), true)).build()));
        List<InputStream> open = new ArrayList<>();
        try {
            for (CompletableFuture<HttpResponse<InputStream>> f : pending) {
                InputStream in = f.get(20, TimeUnit.SECONDS).body();
                open.add(in);
                assertEquals(events.get(0), CompletableFuture.supplyAsync(() -> read(() -> RawHttp.readEvent(in))).get(20, TimeUnit.SECONDS));
            }
            assertEquals(before + n, provider.requestCount());
            // more streams wait on the provider than the host has request threads, yet a new request is served
            provider.enqueue(FakeProvider.chat("Still served."));
            RawHttp.Answer a = http.send(post("/v1/chat/completions", chatBody(prompt("while held"), false)).build());
            assertEquals(200, a.status(), a.text());
            gate.release();
            String expected = relayedStream("held");
            for (InputStream in : open) {
                assertEquals(expected.substring(events.get(0).length()), new String(in.readAllBytes(), StandardCharsets.UTF_8));
            }
            for (int i = 0; i <= n; i++) provider.takeRequest();
        } finally {
            gate.release();
            for (InputStream in : open) in.close();
        }
    }

    @Test
    void clientGoneCancelsTheUpstreamStream() throws Exception {
        provider.enqueue(provider.endlessStream(20));
        URI root = URI.create(mounted.root());
        byte[] body = chatBody(prompt("endless"), true).getBytes(StandardCharsets.UTF_8);
        try (Socket s = new Socket(root.getHost(), root.getPort())) {
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            out.write(("POST " + root.getPath() + "/v1/chat/completions HTTP/1.1\r\nHost: " + root.getHost() + ":" + root.getPort()
                    + "\r\nAuthorization: Bearer " + config.key + "\r\nContent-Type: application/json\r\nContent-Length: "
                    + body.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(body);
            out.flush();
            InputStream in = s.getInputStream();
            StringBuilder seen = new StringBuilder();
            byte[] buf = new byte[4096];
            while (seen.indexOf("tick2 ") < 0) {
                int n = in.read(buf);
                assertTrue(n > 0, "the stream ended before three events: " + seen);
                seen.append(new String(buf, 0, n, StandardCharsets.UTF_8));
            }
        }
        assertTrue(provider.awaitBrokenStream(15), "the provider's stream was not cut off after the client left");
        provider.takeRequest();
    }

    // ---- auth ----

    @Test
    void missingKeyIs401AndNeverReachesTheProvider() {
        int before = provider.requestCount();
        RawHttp.Answer a = http.send(RawHttp.request(url("/v1/chat/completions")).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(chatBody(prompt("no key"), false))).build());
        assertError(a, 401, OpenAiError.MISSING_API_KEY.toJson());
        assertEquals(before, provider.requestCount());
    }

    @Test
    void unknownKeyIs401AndNeverReachesTheProvider() {
        int before = provider.requestCount();
        RawHttp.Answer a = http.send(post("/v1/chat/completions", chatBody(prompt("bad key"), false))
                .setHeader("Authorization", "Bearer " + ApiKeys.mint("test")).build());
        assertError(a, 401, OpenAiError.INVALID_API_KEY.toJson());
        UnauthorizedException e = assertThrows(UnauthorizedException.class, () -> sdk(ApiKeys.mint("prod")).chat().completions()
                .create(ChatCompletionCreateParams.builder().model(ChatModel.GPT_4O_MINI).addUserMessage("x").build()));
        assertEquals("invalid_api_key", e.code().orElseThrow());
        assertEquals(before, provider.requestCount());
    }

    // ---- error shapes ----

    @Test
    void badJsonIs400WithTheParsersError() throws Exception {
        String raw = "{\"model\":\"" + MODEL + "\",\"messages\":";
        RawHttp.Answer a = http.send(post("/v1/chat/completions", raw).build());
        assertError(a, 400, RequestParser.parse(Endpoint.CHAT_COMPLETIONS, raw.getBytes(StandardCharsets.UTF_8)).error().toJson());
        assertEquals("invalid_request_error", assertErrorShape(a, 400, "invalid_request_error").get("type").asText());
    }

    @Test
    void unknownPathUnderThePrefixIs404() {
        RawHttp.Answer a = http.send(RawHttp.request(url("/v1/no/such/thing")).header("Authorization", "Bearer " + config.key).GET().build());
        assertError(a, 404, OpenAiError.notFound("GET", "/v1/no/such/thing").toJson());
    }

    @Test
    void wrongMethodIs405WithAllow() {
        RawHttp.Answer a = http.send(RawHttp.request(url("/v1/chat/completions")).header("Authorization", "Bearer " + config.key).GET().build());
        assertError(a, 405, OpenAiError.methodNotAllowed("GET", "/v1/chat/completions", "POST").toJson());
        assertEquals("POST", a.header("Allow"));
    }

    @Test
    void bodyOverTheLimitIs413() {
        int before = provider.requestCount();
        String big = chatBody("x".repeat((int) ContractConfig.MAX_BODY), false);
        RawHttp.Answer a = http.send(post("/v1/chat/completions", big).build());
        assertError(a, 413, OpenAiError.tooLarge(ContractConfig.MAX_BODY).toJson());
        assertEquals(before, provider.requestCount());
    }

    @Test
    void providerErrorPassesThroughUnchanged() throws Exception {
        String body = "{\"error\":{\"message\":\"The model does not exist\",\"type\":\"invalid_request_error\",\"param\":\"model\","
                + "\"code\":\"model_not_found\"}}";
        provider.enqueue(FakeProvider.status(404, body));
        RawHttp.Answer a = http.send(post("/v1/chat/completions", chatBody(prompt("provider 404"), false)).build());
        assertError(a, 404, body.getBytes(StandardCharsets.UTF_8));
        assertEquals("fake", a.header(WatchLlmHeaders.PROVIDER));
        provider.takeRequest();
    }

    @Test
    void unreachableProviderIs502() throws Exception {
        RawHttp.Answer a = http.send(post("/v1/chat/completions", chatBody(prompt("down"), false).replace(MODEL, "down-1")).build());
        JsonNode e = assertErrorShape(a, 502, "upstream_unavailable");
        assertEquals("server_error", e.get("type").asText());
        assertTrue(e.get("message").asText().contains("'down'"), e.get("message").asText());
        assertNull(a.header(WatchLlmHeaders.PROVIDER));
    }

    // ---- CORS ----

    @Test
    void corsPreflightIsAnsweredWithoutAKey() {
        int before = provider.requestCount();
        RawHttp.Answer a = http.send(RawHttp.request(url("/v1/chat/completions")).method("OPTIONS", HttpRequest.BodyPublishers.noBody())
                .header("Origin", ContractConfig.ORIGIN).header("Access-Control-Request-Method", "POST")
                .header("Access-Control-Request-Headers", "authorization, content-type").build());
        assertEquals(204, a.status(), a.text());
        assertEquals(0, a.body().length);
        assertEquals(ContractConfig.ORIGIN, a.header("Access-Control-Allow-Origin"));
        assertEquals("GET, POST, OPTIONS", a.header("Access-Control-Allow-Methods"));
        assertEquals("authorization, content-type", a.header("Access-Control-Allow-Headers"));
        assertEquals("86400", a.header("Access-Control-Max-Age"));
        assertEquals(WatchLlmHeaders.EXPOSED, a.header("Access-Control-Expose-Headers"));
        assertTrue(a.all("Vary").stream().anyMatch(v -> v.contains("Origin")), a.all("Vary").toString());
        assertEquals(before, provider.requestCount());
    }

    @Test
    void corsHeadersOnAnswersForAnAllowedOriginOnly() throws Exception {
        provider.enqueue(FakeProvider.chat("cors"));
        RawHttp.Answer a = http.send(post("/v1/chat/completions", chatBody(prompt("cors"), false)).header("Origin", ContractConfig.ORIGIN).build());
        assertEquals(200, a.status(), a.text());
        assertEquals(ContractConfig.ORIGIN, a.header("Access-Control-Allow-Origin"));
        assertEquals(WatchLlmHeaders.EXPOSED, a.header("Access-Control-Expose-Headers"));
        provider.takeRequest();

        RawHttp.Answer denied = http.send(RawHttp.request(url("/v1/chat/completions")).header("Origin", "https://evil.example").GET().build());
        assertEquals(405, denied.status());
        assertNull(denied.header("Access-Control-Allow-Origin"));
    }

    // ---- the host ----

    @Test
    void requestsOutsideThePrefixReachTheHost() {
        RawHttp.Answer a = http.send(RawHttp.request(url(mounted.hostPath())).GET().build());
        assertEquals(200, a.status(), a.text());
        assertTrue(a.text().contains(mounted.hostText()), a.text());
        assertNull(a.header(WatchLlmHeaders.REQUEST_ID), "WatchLLM left the host's request alone");
    }

    private interface IoSupplier<T> {
        T get() throws java.io.IOException;
    }

    private static <T> T read(IoSupplier<T> s) {
        try {
            return s.get();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
