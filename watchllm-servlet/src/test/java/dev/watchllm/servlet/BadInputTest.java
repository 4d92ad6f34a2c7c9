package dev.watchllm.servlet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.watchllm.auth.ApiKeys;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Bad input through WatchLlmFilter on Jetty: every case gets the right OpenAI-shaped error and
 * never reaches the provider (its request count stays where it was).
 */
class BadInputTest {
    static Gateway gw;
    int before;

    @BeforeAll
    static void start() throws Exception {
        gw = new Gateway();
    }

    @AfterAll
    static void stop() throws Exception {
        gw.close();
    }

    @BeforeEach
    void count() {
        before = gw.provider.requestCount();
    }

    @AfterEach
    void providerNeverReached() {
        assertEquals(before, gw.provider.requestCount(), "a rejected request must not reach the provider");
    }

    static HttpResponse<String> chat(byte[] body) throws Exception {
        return Http.send(Http.post(gw.baseUrl() + "/chat/completions", gw.key, body).build());
    }

    static JsonNode expectError(HttpResponse<String> r, int status, String code) throws Exception {
        assertEquals(status, r.statusCode(), r.body());
        assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("application/json"));
        JsonNode e = Http.error(r.body());
        assertEquals(code, e.get("code").asText(), r.body());
        return e;
    }

    @Test
    void emptyBody() throws Exception {
        JsonNode e = expectError(chat(new byte[0]), 400, "invalid_request_error");
        assertTrue(e.get("message").asText().contains("empty"), e.toString());
    }

    @Test
    void notJson() throws Exception {
        expectError(chat("model=gpt-4o-mini&messages=hi".getBytes(StandardCharsets.UTF_8)), 400, "invalid_request_error");
        expectError(chat("{\"model\":\"gpt-4o-mini\",".getBytes(StandardCharsets.UTF_8)), 400, "invalid_request_error");
        expectError(chat((Http.CHAT + " {}").getBytes(StandardCharsets.UTF_8)), 400, "invalid_request_error");
    }

    @Test
    void jsonArray() throws Exception {
        JsonNode e = expectError(chat(("[" + Http.CHAT + "]").getBytes(StandardCharsets.UTF_8)), 400, "invalid_request_error");
        assertTrue(e.get("message").asText().contains("JSON object"), e.toString());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}|model",
        "{\"model\":\"gpt-4o-mini\"}|messages",
        "{\"model\":42,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}|model",
        "{\"model\":\"\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}|model",
        "{\"model\":\"gpt-4o-mini\",\"messages\":\"hi\"}|messages",
        "{\"model\":\"gpt-4o-mini\",\"messages\":[]}|messages",
        "{\"model\":\"gpt-4o-mini\",\"messages\":[\"hi\"]}|messages[0]",
        "{\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":\"wizard\",\"content\":\"hi\"}]}|messages[0].role",
        "{\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":\"user\",\"content\":5}]}|messages[0].content",
        "{\"model\":\"gpt-4o-mini\",\"stream\":\"yes\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}|stream",
        "{\"model\":\"gpt-4o-mini\",\"stream\":true,\"stream_options\":{\"include_usage\":\"yes\"},\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}|stream_options.include_usage",
        "{\"model\":\"gpt-4o-mini\",\"max_tokens\":-1,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}|max_tokens",
        "{\"model\":\"gpt-4o-mini\",\"temperature\":\"hot\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}|temperature",
    })
    void missingOrIllTypedFieldIsNamed(String body, String param) throws Exception {
        JsonNode e = expectError(chat(body.getBytes(StandardCharsets.UTF_8)), 400, "invalid_request_error");
        assertEquals("invalid_request_error", e.get("type").asText());
        assertEquals(param, e.get("param").asText(), e.toString());
    }

    @Test
    void otherEndpointsCheckTheirOwnFields() throws Exception {
        HttpResponse<String> r = Http.send(Http.post(gw.baseUrl() + "/embeddings", gw.key,
                "{\"model\":\"text-embedding-3-small\"}".getBytes(StandardCharsets.UTF_8)).build());
        assertEquals("input", expectError(r, 400, "invalid_request_error").get("param").asText());
        r = Http.send(Http.post(gw.baseUrl() + "/completions", gw.key,
                "{\"model\":\"gpt-3.5-turbo-instruct\",\"prompt\":7}".getBytes(StandardCharsets.UTF_8)).build());
        assertEquals("prompt", expectError(r, 400, "invalid_request_error").get("param").asText());
    }

    @Test
    void bodyOverTheLimitIs413() throws Exception {
        byte[] big = new byte[2 * 1024 * 1024];
        Arrays.fill(big, (byte) 'a');
        byte[] head = "{\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":\"user\",\"content\":\"".getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(head, 0, big, 0, head.length);
        String tail = "\"}]}";
        System.arraycopy(tail.getBytes(StandardCharsets.US_ASCII), 0, big, big.length - tail.length(), tail.length());

        // declared length: refused before reading
        String res = Http.raw(gw.port(), concat(("POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + gw.key
                + "\r\nContent-Type: application/json\r\nContent-Length: " + big.length + "\r\nConnection: close\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII), big));
        assertTrue(res.startsWith("HTTP/1.1 413 "), res.lines().findFirst().orElse(""));
        assertTrue(res.contains("\"code\":\"request_too_large\""), res);

        // chunked (no length): refused once the limit is passed
        HttpResponse<String> r = Http.send(HttpRequest.newBuilder(URI.create(gw.baseUrl() + "/chat/completions"))
                .timeout(Duration.ofSeconds(20)).header("Authorization", "Bearer " + gw.key)
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new java.io.ByteArrayInputStream(big))).build());
        expectError(r, 413, "request_too_large");
    }

    @Test
    void invalidUtf8() throws Exception {
        byte[] body = concat("{\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":\"user\",\"content\":\"".getBytes(StandardCharsets.US_ASCII),
                new byte[] {(byte) 0xC3, (byte) 0x28, (byte) 0xFF, (byte) 0xFE}, "\"}]}".getBytes(StandardCharsets.US_ASCII));
        JsonNode e = expectError(chat(body), 400, "invalid_request_error");
        assertTrue(e.get("message").asText().toLowerCase().contains("utf-8"), e.toString());
    }

    @Test
    void authorizationWithoutBearer() throws Exception {
        HttpResponse<String> r = Http.send(Http.post(gw.baseUrl() + "/chat/completions", null, Http.CHAT.getBytes(StandardCharsets.UTF_8))
                .header("Authorization", "Basic " + gw.key).build());
        expectError(r, 401, "missing_api_key");
        assertFalse(r.body().contains(gw.key), "the key is never echoed");
        r = Http.send(Http.post(gw.baseUrl() + "/chat/completions", null, Http.CHAT.getBytes(StandardCharsets.UTF_8))
                .header("Authorization", gw.key).build());
        expectError(r, 401, "missing_api_key");
    }

    @Test
    void wrongKeyPrefix() throws Exception {
        String openAiKey = "sk-proj-" + gw.key.substring(9);
        HttpResponse<String> r = Http.send(Http.post(gw.baseUrl() + "/chat/completions", openAiKey, Http.CHAT.getBytes(StandardCharsets.UTF_8)).build());
        expectError(r, 401, "invalid_api_key");
        assertFalse(r.body().contains(openAiKey));
    }

    @Test
    void unknownKey() throws Exception {
        String unknown = ApiKeys.mint("test");
        HttpResponse<String> r = Http.send(Http.post(gw.baseUrl() + "/chat/completions", unknown, Http.CHAT.getBytes(StandardCharsets.UTF_8)).build());
        expectError(r, 401, "invalid_api_key");
        assertFalse(r.body().contains(unknown));
    }

    @Test
    void noKey() throws Exception {
        expectError(Http.send(Http.post(gw.baseUrl() + "/chat/completions", null, Http.CHAT.getBytes(StandardCharsets.UTF_8)).build()),
                401, "missing_api_key");
        expectError(Http.send(Http.post(gw.baseUrl() + "/chat/completions", null, Http.CHAT.getBytes(StandardCharsets.UTF_8))
                .header("Authorization", "Bearer ").build()), 401, "missing_api_key");
    }

    @Test
    void authIsCheckedBeforeTheBody() throws Exception {
        // an unauthenticated caller learns nothing about the body checks
        expectError(Http.send(Http.post(gw.baseUrl() + "/chat/completions", null, "not json".getBytes(StandardCharsets.UTF_8)).build()),
                401, "missing_api_key");
    }

    @Test
    void saneRequestIdIsKeptAndOthersAreReplaced() throws Exception {
        String unknown = ApiKeys.mint("test"); // a 401 is answered without the provider: enough to see the header
        HttpResponse<String> r = Http.send(Http.post(gw.baseUrl() + "/chat/completions", unknown, new byte[0])
                .header("X-Request-Id", "trace-42.a:b_c").build());
        assertEquals("trace-42.a:b_c", r.headers().firstValue("X-Request-Id").orElseThrow());

        String overlong = "a".repeat(129);
        r = Http.send(Http.post(gw.baseUrl() + "/chat/completions", unknown, new byte[0]).header("X-Request-Id", overlong).build());
        String id = r.headers().firstValue("X-Request-Id").orElseThrow();
        assertNotEquals(overlong, id);
        assertTrue(id.matches("req_[0-9a-f]{32}"), id);

        r = Http.send(Http.post(gw.baseUrl() + "/chat/completions", unknown, new byte[0]).header("X-Request-Id", "a b<script>").build());
        assertTrue(r.headers().firstValue("X-Request-Id").orElseThrow().matches("req_[0-9a-f]{32}"));
    }

    @Test
    void crlfInRequestIdIsNeverEchoed() throws Exception {
        String[] attacks = {
            "X-Request-Id: abc\r\n Set-Cookie: injected=1\r\n",          // obsolete line folding
            "X-Request-Id: abc\rSet-Cookie: injected=1\r\n",             // a bare CR
            "X-Request-Id: abc%0d%0aSet-Cookie:%20injected=1\r\n",       // encoded, reaches the gateway as text
            "X-Request-Id: abc\tSet-Cookie: injected=1\r\n",             // a control character the parser lets through
        };
        for (String attack : attacks) {
            String res = Http.raw(gw.port(), "POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + gw.key
                    + "\r\nContent-Type: application/json\r\n" + attack + "Content-Length: 0\r\nConnection: close\r\n\r\n");
            String head = res.substring(0, Math.max(0, res.indexOf("\r\n\r\n")));
            assertFalse(head.toLowerCase().contains("set-cookie"), head);
            assertFalse(head.contains("injected"), head);
            String status = head.lines().findFirst().orElse("");
            assertTrue(status.startsWith("HTTP/1.1 400 "), status);
            head.lines().filter(l -> l.regionMatches(true, 0, "X-Request-Id:", 0, 13)).forEach(l ->
                    assertTrue(l.substring(13).trim().matches("req_[0-9a-f]{32}"), l));
        }
    }

    @Test
    void unknownPathUnderThePrefixIs404() throws Exception {
        HttpResponse<String> r = Http.send(Http.post(gw.baseUrl() + "/assistants", gw.key, Http.CHAT.getBytes(StandardCharsets.UTF_8)).build());
        expectError(r, 404, "not_found");
        r = Http.send(HttpRequest.newBuilder(URI.create(gw.baseUrl())).GET().build());
        expectError(r, 404, "not_found");
        r = Http.send(Http.post(gw.baseUrl() + "/chat/completions/", gw.key, Http.CHAT.getBytes(StandardCharsets.UTF_8)).build());
        expectError(r, 404, "not_found");
    }

    @Test
    void wrongMethodIs405() throws Exception {
        HttpResponse<String> r = Http.send(HttpRequest.newBuilder(URI.create(gw.baseUrl() + "/chat/completions"))
                .header("Authorization", "Bearer " + gw.key).GET().build());
        expectError(r, 405, "method_not_allowed");
        assertEquals("POST", r.headers().firstValue("Allow").orElseThrow());
        r = Http.send(Http.post(gw.baseUrl() + "/models", gw.key, new byte[0]).build());
        expectError(r, 405, "method_not_allowed");
        assertEquals("GET", r.headers().firstValue("Allow").orElseThrow());
    }

    @Test
    void corsPreflightIsAnsweredWithoutAKey() throws Exception {
        HttpResponse<String> r = Http.send(HttpRequest.newBuilder(URI.create(gw.baseUrl() + "/chat/completions"))
                .method("OPTIONS", HttpRequest.BodyPublishers.noBody())
                .header("Origin", "https://app.example")
                .header("Access-Control-Request-Method", "POST")
                .header("Access-Control-Request-Headers", "authorization, content-type, x-stainless-os").build());
        assertEquals(204, r.statusCode());
        assertEquals("*", r.headers().firstValue("Access-Control-Allow-Origin").orElseThrow());
        assertTrue(r.headers().firstValue("Access-Control-Allow-Methods").orElseThrow().contains("POST"));
        assertEquals("authorization, content-type, x-stainless-os", r.headers().firstValue("Access-Control-Allow-Headers").orElseThrow());
        assertFalse(r.headers().firstValue("Access-Control-Allow-Credentials").isPresent(), "keys travel in a header, never cookies");
    }

    @Test
    void corsExposesTheGatewayHeaders() throws Exception {
        HttpResponse<String> r = Http.send(Http.post(gw.baseUrl() + "/chat/completions", gw.key, new byte[0])
                .header("Origin", "https://app.example").build());
        assertEquals(400, r.statusCode());
        assertEquals("*", r.headers().firstValue("Access-Control-Allow-Origin").orElseThrow());
        String exposed = r.headers().firstValue("Access-Control-Expose-Headers").orElseThrow().toLowerCase();
        for (String h : new String[] {"x-request-id", "x-watchllm-cache", "x-watchllm-provider", "x-watchllm-latency-ms",
            "x-watchllm-cost-usd", "retry-after", "x-ratelimit-remaining-requests"}) {
            assertTrue(exposed.contains(h), h + " not in " + exposed);
        }
    }

    @Test
    void requestsOutsideThePrefixReachTheHostUntouched() throws Exception {
        String base = "http://127.0.0.1:" + gw.port();
        HttpResponse<String> r = Http.send(HttpRequest.newBuilder(URI.create(base + "/health")).GET().build());
        assertEquals(200, r.statusCode());
        assertEquals("host:GET /health", r.body());
        assertFalse(r.headers().firstValue("X-Request-Id").isPresent(), "the gateway adds nothing outside its prefix");
        r = Http.send(HttpRequest.newBuilder(URI.create(base + "/v1x/chat/completions")).POST(HttpRequest.BodyPublishers.ofString("x")).build());
        assertEquals("host:POST /v1x/chat/completions", r.body());
        r = Http.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/chat/completions")).method("OPTIONS", HttpRequest.BodyPublishers.noBody())
                .header("Origin", "https://app.example").build());
        assertEquals("host:OPTIONS /api/v1/chat/completions", r.body());
    }

    static byte[] concat(byte[]... parts) {
        int n = 0;
        for (byte[] p : parts) n += p.length;
        byte[] out = new byte[n];
        int i = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, out, i, p.length);
            i += p.length;
        }
        return out;
    }
}
