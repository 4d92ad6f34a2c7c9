package dev.watchllm.servlet;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.watchllm.admin.AdminKeys;
import dev.watchllm.auth.ApiKeys;
import dev.watchllm.config.AdminConfig;
import dev.watchllm.config.CacheSettings;
import dev.watchllm.config.KeyEntry;
import dev.watchllm.config.ProjectConfig;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;

/**
 * The admin API's test setup: a {@link Gateway} whose config has an admin key ({@link #ADMIN_KEY},
 * id {@code ops}), project {@code test-proj} (plan pro, $0.05 monthly budget, key {@code k1}) and
 * {@code other-proj} (plan starter, no budget, key {@code k2}).
 */
final class AdminFixture {
    static final String ADMIN_KEY = AdminKeys.mint();
    /** Reads JSON numbers as BigDecimal, so USD amounts compare as the exact decimals sent. */
    static final ObjectMapper JSON = JsonMapper.builder()
            .enable(com.fasterxml.jackson.databind.DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS).build();

    private static final java.util.concurrent.atomic.AtomicLong PROMPTS = new java.util.concurrent.atomic.AtomicLong();

    private AdminFixture() {
    }

    /** A started gateway with the admin API; {@code store} null for a temporary one. */
    static Gateway gateway(Path store, Clock clock) throws Exception {
        return new Gateway(clock, store, (gw, b) -> b.clearProjects()
                .project(new ProjectConfig("test-proj", "pro", List.of(new KeyEntry("k1", ApiKeys.sha256Hex(gw.key))),
                        CacheSettings.DEFAULT, 0.05))
                .project(ProjectConfig.of("other-proj", "starter", List.of(new KeyEntry("k2", ApiKeys.sha256Hex(gw.otherKey)))))
                .admin(new AdminConfig(AdminConfig.DEFAULT_PREFIX, List.of(new KeyEntry("ops", ApiKeys.sha256Hex(ADMIN_KEY))))));
    }

    static String base(Gateway gw) {
        return "http://127.0.0.1:" + gw.port() + "/watchllm";
    }

    /** An admin API call: {@code path} below {@code /watchllm/api}; {@code key} null for none, {@code body} null for none. */
    static HttpResponse<String> api(Gateway gw, String method, String path, String key, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base(gw) + "/api" + path)).timeout(Duration.ofSeconds(20))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) b.header("Content-Type", "application/json");
        if (key != null) b.header("Authorization", "Bearer " + key);
        return Http.send(b.build());
    }

    /** An admin API call with the admin key that must answer {@code status}; returns its JSON. */
    static JsonNode ok(Gateway gw, int status, String method, String path, String body) throws Exception {
        HttpResponse<String> r = api(gw, method, path, ADMIN_KEY, body);
        assertEquals(status, r.statusCode(), method + " " + path + ": " + r.body());
        assertEquals("application/json", r.headers().firstValue("Content-Type").orElseThrow());
        return JSON.readTree(r.body());
    }

    static JsonNode get(Gateway gw, String path) throws Exception {
        return ok(gw, 200, "GET", path, null);
    }

    /**
     * A chat completion through the gateway with {@code key}, answered by the fake provider; returns
     * the status. Every prompt is new, so no response cache answers it: each call costs $0.000006.
     */
    static int chat(Gateway gw, String key) throws Exception {
        String body = "{\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":\"user\",\"content\":\"question "
                + PROMPTS.incrementAndGet() + "\"}]}";
        HttpResponse<String> r = Http.send(Http.post(gw.baseUrl() + "/chat/completions", key, body.getBytes(StandardCharsets.UTF_8)).build());
        if (r.statusCode() == 200) gw.nextUsage(); // metered (ledger, hourly totals) before the next step looks
        return r.statusCode();
    }

    /** The project's entry of {@code GET /projects}. */
    static JsonNode project(Gateway gw, String id) throws Exception {
        for (JsonNode p : get(gw, "/projects").get("data")) {
            if (p.get("id").asText().equals(id)) return p;
        }
        throw new AssertionError("no project " + id);
    }

    /** A USD amount as the exact decimal the API sent. */
    static String usd(JsonNode n, String field) {
        return n.get(field).decimalValue().toPlainString();
    }
}
