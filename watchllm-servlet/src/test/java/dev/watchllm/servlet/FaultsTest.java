package dev.watchllm.servlet;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.openai.core.http.StreamResponse;
import com.openai.errors.SseException;
import com.openai.models.ChatModel;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import dev.watchllm.config.ConfigLoader;
import dev.watchllm.config.UpstreamConfig;
import dev.watchllm.config.WatchLlmConfig;
import dev.watchllm.testing.FakeProvider;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Provider faults end to end: OpenAI SDK / JDK client -> WatchLlmFilter on Jetty -> a real HTTP fake provider. */
class FaultsTest {
    static ChatCompletionCreateParams params(String text) {
        return ChatCompletionCreateParams.builder().model(ChatModel.GPT_4O_MINI).addUserMessage(text).build();
    }

    @Test
    void serverErrorThenSuccessIsRetried() throws Exception {
        try (Gateway gw = new Gateway()) {
            gw.provider.enqueue(FakeProvider.status(500, "{\"error\":{\"message\":\"boom\",\"type\":\"server_error\",\"param\":null,\"code\":null}}"),
                    FakeProvider.chat("second time lucky"));
            ChatCompletion c = gw.client().chat().completions().create(params("hi"));
            assertEquals("second time lucky", c.choices().get(0).message().content().orElseThrow());
            assertEquals(2, gw.provider.requestCount());
        }
    }

    @Test
    void serverErrorsBeyondTheRetriesArePassedThrough() throws Exception {
        try (Gateway gw = new Gateway()) {
            String body = "{\"error\":{\"message\":\"still down\",\"type\":\"server_error\",\"param\":null,\"code\":null}}";
            gw.provider.byDefault(FakeProvider.status(503, body));
            HttpResponse<String> r = Http.postChat(gw, Http.CHAT);
            assertEquals(503, r.statusCode());
            assertEquals(body, r.body());
            assertEquals(3, gw.provider.requestCount(), "one attempt and maxRetries=2 retries");
        }
    }

    @Test
    void connectionRefusedFallsBackToTheNextUpstream() throws Exception {
        int dead = Http.closedPort();
        try (Gateway gw = new Gateway((p, b) -> b.clearUpstreams()
                .upstream(UpstreamConfig.of("primary", "http://127.0.0.1:" + dead + "/v1", "sk-primary", List.of("gpt-*"))
                        .withRetries(1, Duration.ofMillis(10)).withFallbacks(List.of("backup")))
                .upstream(UpstreamConfig.of("backup", p.baseUrl(), "sk-backup", List.of("backup-only"))))) {
            gw.provider.enqueue(FakeProvider.chat("from the backup"));
            var r = gw.client().chat().completions().withRawResponse().create(params("hi"));
            assertEquals("from the backup", r.parse().choices().get(0).message().content().orElseThrow());
            assertEquals("backup", r.headers().values("X-WatchLLM-Provider").get(0));
            assertEquals("Bearer sk-backup", gw.provider.takeRequest().header("Authorization"), "the fallback's own key is sent");
        }
    }

    @Test
    void connectionRefusedWithoutFallbackIs502AfterBoundedRetries() throws Exception {
        int dead = Http.closedPort();
        try (Gateway gw = new Gateway((p, b) -> b.clearUpstreams()
                .upstream(UpstreamConfig.of("primary", "http://127.0.0.1:" + dead + "/v1", "sk-primary", List.of("*"))
                        .withRetries(2, Duration.ofMillis(20))))) {
            long t0 = System.nanoTime();
            HttpResponse<String> r = Http.postChat(gw, Http.CHAT);
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertEquals(502, r.statusCode());
            JsonNode e = Http.error(r.body());
            assertEquals("upstream_unavailable", e.get("code").asText());
            assertTrue(e.get("message").asText().contains("3 attempts"), e.get("message").asText());
            assertTrue(ms < 5000, "bounded retries, took " + ms + " ms");
        }
    }

    @Test
    void hangingProviderIs504WithinTheTimeout() throws Exception {
        try (Gateway gw = new Gateway((p, b) -> b.clearUpstreams()
                .upstream(UpstreamConfig.of("slow", p.baseUrl(), "sk", List.of("*")).withTimeout(Duration.ofMillis(300))))) {
            gw.provider.byDefault(FakeProvider.hang());
            for (String body : new String[] {Http.CHAT, Http.CHAT_STREAM}) {
                long t0 = System.nanoTime();
                HttpResponse<String> r = Http.postChat(gw, body);
                long ms = (System.nanoTime() - t0) / 1_000_000;
                assertEquals(504, r.statusCode(), body);
                assertEquals("upstream_timeout", Http.error(r.body()).get("code").asText());
                assertTrue(ms >= 290 && ms < 2500, "answered after " + ms + " ms with a 300 ms timeout");
            }
            assertEquals(2, gw.provider.requestCount(), "a timeout is not retried");
        }
    }

    @Test
    void resetMidStreamEndsTheClientsStreamWithAnError() throws Exception {
        try (Gateway gw = new Gateway()) {
            gw.provider.enqueue(FakeProvider.resetAfter(2, "one", "two", "three", "four"));
            List<String> seen = new ArrayList<>();
            assertTimeoutPreemptively(Duration.ofSeconds(15), () -> {
                try (StreamResponse<ChatCompletionChunk> s = gw.client().chat().completions().createStreaming(params("count"))) {
                    SseException e = assertThrows(SseException.class,
                            () -> s.stream().forEach(c -> c.choices().forEach(ch -> seen.add(ch.delta().content().orElse("")))));
                    assertTrue(e.getMessage() != null);
                }
            });
            assertEquals(List.of("", "one"), seen, "the events before the reset were relayed");

            // the raw stream: an error event, and no [DONE]
            gw.provider.enqueue(FakeProvider.resetAfter(1, "a", "b"));
            HttpResponse<String> r = assertTimeoutPreemptively(Duration.ofSeconds(15), () -> Http.postChat(gw, Http.CHAT_STREAM));
            assertEquals(200, r.statusCode());
            assertTrue(r.body().contains("\"code\":\"upstream_unavailable\""), r.body());
            assertFalse(r.body().contains("[DONE]"), r.body());
            assertFalse(r.body().contains(Integer.toString(gw.provider.port())), "no internal address reaches the client: " + r.body());
        }
    }

    @Test
    void clientDisconnectMidStreamCancelsTheUpstream() throws Exception {
        try (Gateway gw = new Gateway()) {
            gw.provider.byDefault(gw.provider.endlessStream(20));
            byte[] body = Http.CHAT_STREAM.getBytes(StandardCharsets.UTF_8);
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", gw.port()), 5000);
                s.setSoTimeout(10_000);
                s.getOutputStream().write(("POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + gw.key
                        + "\r\nContent-Type: application/json\r\nContent-Length: " + body.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                s.getOutputStream().write(body);
                s.getOutputStream().flush();
                InputStream in = s.getInputStream();
                StringBuilder got = new StringBuilder();
                while (!got.toString().contains("tick1 ")) {
                    int c = in.read();
                    assertTrue(c >= 0, "stream ended early: " + got);
                    got.append((char) c);
                }
            }
            assertTrue(gw.provider.awaitBrokenStream(10), "the provider's stream was cut off after the client left");
        }
    }

    @Test
    void retryAfterIsHonoured() throws Exception {
        try (Gateway gw = new Gateway()) {
            gw.provider.enqueue(FakeProvider.status(429, "{\"error\":{\"message\":\"slow down\",\"type\":\"requests\",\"param\":null,\"code\":\"rate_limit_exceeded\"}}",
                    Map.of("retry-after", "1")), FakeProvider.chat("after waiting"));
            long t0 = System.nanoTime();
            HttpResponse<String> r = Http.postChat(gw, Http.CHAT);
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertEquals(200, r.statusCode());
            assertTrue(r.body().contains("after waiting"));
            assertEquals(2, gw.provider.requestCount());
            assertTrue(ms >= 1000, "retried after " + ms + " ms although the provider asked for 1 s");
        }
    }

    @Test
    void retryAfterLongerThanTheCapIsPassedThrough() throws Exception {
        try (Gateway gw = new Gateway()) {
            String body = "{\"error\":{\"message\":\"come back tomorrow\",\"type\":\"tokens\",\"param\":null,\"code\":\"rate_limit_exceeded\"}}";
            gw.provider.enqueue(FakeProvider.status(429, body, Map.of("retry-after", "3600", "retry-after-ms", "3600000")));
            HttpResponse<String> r = Http.postChat(gw, Http.CHAT);
            assertEquals(429, r.statusCode());
            assertEquals(body, r.body());
            assertEquals("3600", r.headers().firstValue("retry-after").orElseThrow());
            assertEquals("3600000", r.headers().firstValue("retry-after-ms").orElseThrow());
            assertEquals(1, gw.provider.requestCount());
        }
    }

    @Test
    void shouldRetryFalseIsNotRetried() throws Exception {
        try (Gateway gw = new Gateway()) {
            String body = "{\"error\":{\"message\":\"quota\",\"type\":\"insufficient_quota\",\"param\":null,\"code\":\"insufficient_quota\"}}";
            gw.provider.enqueue(FakeProvider.status(429, body, Map.of("x-should-retry", "false")));
            gw.provider.byDefault(FakeProvider.chat("must not be reached"));
            HttpResponse<String> r = Http.postChat(gw, Http.CHAT);
            assertEquals(429, r.statusCode());
            assertEquals(body, r.body());
            assertEquals("false", r.headers().firstValue("x-should-retry").orElseThrow(), "the client's SDK must not retry either");
            assertEquals(1, gw.provider.requestCount());

            // an SDK that retries 429s by default honours it: one request, no retry
            gw.provider.enqueue(FakeProvider.status(429, body, Map.of("x-should-retry", "false")));
            com.openai.client.OpenAIClient retrying = com.openai.client.okhttp.OpenAIOkHttpClient.builder().baseUrl(gw.baseUrl())
                    .apiKey(gw.key).maxRetries(2).build();
            assertThrows(com.openai.errors.RateLimitException.class, () -> retrying.chat().completions().create(params("hi")));
            assertEquals(2, gw.provider.requestCount());
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {400, 401, 403, 404, 407, 409, 422})
    void providerClientErrorIsPassedThroughByteForByte(int status) throws Exception {
        try (Gateway gw = new Gateway()) {
            String body = "{ \"error\" : {\"message\":\"This model's maximum context length is 128000 tokens – café\",\n"
                    + "  \"type\":\"invalid_request_error\",\"param\":\"messages\",\"code\":\"context_length_exceeded\"} }";
            gw.provider.enqueue(FakeProvider.status(status, body));
            gw.provider.byDefault(FakeProvider.chat("a retry must not happen"));
            HttpResponse<byte[]> r = Http.CLIENT.send(Http.post(gw.baseUrl() + "/chat/completions", gw.key,
                    Http.CHAT.getBytes(StandardCharsets.UTF_8)).build(), HttpResponse.BodyHandlers.ofByteArray());
            assertEquals(status, r.statusCode());
            assertArrayEquals(body.getBytes(StandardCharsets.UTF_8), r.body());
            assertEquals("fake", r.headers().firstValue("X-WatchLLM-Provider").orElseThrow());
            assertEquals(1, gw.provider.requestCount(), "a 4xx is not retried");
        }
    }

    @Test
    void missingProviderKeyVariableIs502NamingIt() throws Exception {
        try (Gateway gw = new Gateway((p, b) -> {
            String yaml = "upstreams:\n  - name: openai\n    baseUrl: " + p.baseUrl() + "\n    apiKey: ${WATCHLLM_TEST_UNSET_KEY}\n";
            WatchLlmConfig.Builder fromFile = ConfigLoader.loadBuilder(new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8)), n -> null);
            b.clearUpstreams();
            fromFile.build().upstreams().forEach(b::upstream);
            return b;
        })) {
            HttpResponse<String> r = Http.postChat(gw, Http.CHAT);
            assertEquals(502, r.statusCode());
            JsonNode e = Http.error(r.body());
            assertEquals("upstream_unavailable", e.get("code").asText());
            assertTrue(e.get("message").asText().contains("WATCHLLM_TEST_UNSET_KEY"), e.get("message").asText());
            assertEquals(0, gw.provider.requestCount());
        }
    }

    @Test
    void missingProviderKeyVariableFallsBackFirst() throws Exception {
        try (Gateway gw = new Gateway((p, b) -> {
            String yaml = "upstreams:\n  - name: openai\n    baseUrl: http://127.0.0.1:9/v1\n    apiKey: ${WATCHLLM_TEST_UNSET_KEY}\n"
                    + "    fallbacks: [local]\n  - name: local\n    baseUrl: " + p.baseUrl() + "\n    models: [\"local-*\"]\n";
            WatchLlmConfig.Builder fromFile = ConfigLoader.loadBuilder(new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8)), n -> null);
            b.clearUpstreams();
            fromFile.build().upstreams().forEach(b::upstream);
            return b;
        })) {
            HttpResponse<String> r = Http.postChat(gw, Http.CHAT);
            assertEquals(200, r.statusCode(), r.body());
            assertEquals("local", r.headers().firstValue("X-WatchLLM-Provider").orElseThrow());
            assertEquals(null, gw.provider.takeRequest().header("Authorization"), "an upstream without apiKey gets no Authorization");
        }
    }

    @Test
    void providerErrorToAStreamRequestIsPassedThroughAsJson() throws Exception {
        try (Gateway gw = new Gateway()) {
            String body = "{\"error\":{\"message\":\"bad\",\"type\":\"invalid_request_error\",\"param\":\"messages\",\"code\":null}}";
            gw.provider.enqueue(FakeProvider.status(400, body));
            HttpResponse<String> r = Http.postChat(gw, Http.CHAT_STREAM);
            assertEquals(400, r.statusCode());
            assertEquals(body, r.body());
            assertTrue(r.headers().firstValue("Content-Type").orElseThrow().startsWith("application/json"));
            gw.provider.enqueue(FakeProvider.status(400, body));
            assertThrows(com.openai.errors.BadRequestException.class, () -> {
                try (StreamResponse<ChatCompletionChunk> s = gw.client().chat().completions().createStreaming(params("x"))) {
                    s.stream().count();
                }
            });
        }
    }

    @Test
    void providerStallingMidStreamEndsTheStreamWithATimeoutError() throws Exception {
        try (Gateway gw = new Gateway((p, b) -> b.clearUpstreams()
                .upstream(UpstreamConfig.of("stalls", p.baseUrl(), "sk", List.of("*")).withTimeout(Duration.ofMillis(300))))) {
            String first = FakeProvider.chatStreamEvents("gpt-4o-mini", true, "only").get(0);
            gw.provider.enqueue((req, resp, cb, rec) -> {
                resp.setStatus(200);
                resp.getHeaders().put("Content-Type", "text/event-stream");
                resp.write(false, java.nio.ByteBuffer.wrap(first.getBytes(StandardCharsets.UTF_8)), org.eclipse.jetty.util.Callback.NOOP);
                // ...and nothing more: the gateway's idle timeout must end the client's stream
            });
            long t0 = System.nanoTime();
            HttpResponse<String> r = assertTimeoutPreemptively(Duration.ofSeconds(10), () -> Http.postChat(gw, Http.CHAT_STREAM));
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertEquals(200, r.statusCode());
            assertTrue(r.body().startsWith(first), r.body());
            assertTrue(r.body().contains("\"code\":\"upstream_timeout\""), r.body());
            assertFalse(r.body().contains("[DONE]"));
            assertTrue(ms < 3000, "ended after " + ms + " ms");
        }
    }
}
