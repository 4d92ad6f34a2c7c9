package dev.watchllm.servlet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.read.ListAppender;
import dev.watchllm.WatchLlm;
import dev.watchllm.auth.ApiKeys;
import dev.watchllm.auth.LocalKeyStore;
import dev.watchllm.config.ConfigLoader;
import dev.watchllm.config.UpstreamConfig;
import dev.watchllm.config.WatchLlmConfig;
import dev.watchllm.testing.FakeProvider;
import java.io.ByteArrayInputStream;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * Keys never reach the logs: every log event (message, arguments, stack trace) is captured while
 * auth fails, upstreams fail and keys are minted, and searched for every key and its secret part.
 */
class KeysNotLoggedTest {
    static final String PROVIDER_KEY = "sk-live-PrOvIdErSeCrEt0123456789abcdefXYZ";
    static final String FALLBACK_KEY = "sk-fallback-FaLlBaCkSeCrEt9876543210zyxwv";

    final ListAppender<ILoggingEvent> captured = new ListAppender<>();
    final Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    final Logger watchllm = (Logger) LoggerFactory.getLogger("dev.watchllm");
    Level watchllmLevel;

    @TempDir
    Path dir;

    @BeforeEach
    void capture() {
        captured.start();
        root.addAppender(captured);
        watchllmLevel = watchllm.getLevel();
        watchllm.setLevel(Level.TRACE);
    }

    @AfterEach
    void release() {
        root.detachAppender(captured);
        watchllm.setLevel(watchllmLevel);
    }

    @Test
    void noKeyAppearsInAnyLogLine() throws Exception {
        List<String> secrets = new ArrayList<>(List.of(PROVIDER_KEY, FALLBACK_KEY));
        int dead = Http.closedPort();
        try (Gateway gw = new Gateway((p, b) -> b.clearUpstreams()
                .upstream(UpstreamConfig.of("fake", p.baseUrl(), PROVIDER_KEY, List.of("gpt-*"))
                        .withTimeout(Duration.ofSeconds(10)).withRetries(1, Duration.ofMillis(5)))
                .upstream(UpstreamConfig.of("impatient", p.baseUrl(), PROVIDER_KEY, List.of("hang-*"))
                        .withTimeout(Duration.ofMillis(300)))
                .upstream(UpstreamConfig.of("dead", "http://127.0.0.1:" + dead + "/v1", FALLBACK_KEY, List.of("dead-*"))
                        .withRetries(1, Duration.ofMillis(5))))) {
            secrets.add(gw.key);
            secrets.add(gw.otherKey);
            String base = gw.baseUrl() + "/chat/completions";
            byte[] chat = Http.CHAT.getBytes(StandardCharsets.UTF_8);

            // auth failures: unknown, malformed, revoked-looking and non-Bearer keys
            String unknown = ApiKeys.mint("prod");
            String openAi = "sk-proj-" + unknown.substring(9);
            String shortKey = "lgw_prod_" + unknown.substring(9, 20);
            secrets.addAll(List.of(unknown, openAi, shortKey));
            assertEquals(401, Http.send(Http.post(base, unknown, chat).build()).statusCode());
            assertEquals(401, Http.send(Http.post(base, openAi, chat).build()).statusCode());
            assertEquals(401, Http.send(Http.post(base, shortKey, chat).build()).statusCode());
            assertEquals(401, Http.send(Http.post(base, null, chat).header("Authorization", "Basic " + gw.key).build()).statusCode());
            assertEquals(401, Http.send(Http.post(base, null, chat).header("Authorization", "Token " + unknown).build()).statusCode());

            // upstream failures: 5xx, provider 401 naming its key, reset, timeout, refused
            gw.provider.enqueue(FakeProvider.status(500, "{}"), FakeProvider.status(500, "{}"));
            assertEquals(500, Http.postChat(gw, Http.CHAT).statusCode());
            gw.provider.enqueue(FakeProvider.status(401, "{\"error\":{\"message\":\"Incorrect API key provided: sk-live-****XYZ\","
                    + "\"type\":\"invalid_request_error\",\"param\":null,\"code\":\"invalid_api_key\"}}"));
            assertEquals(401, Http.postChat(gw, Http.CHAT).statusCode());
            gw.provider.enqueue(FakeProvider.resetAfter(1, "a", "b"));
            assertEquals(200, Http.postChat(gw, Http.CHAT_STREAM).statusCode());
            gw.provider.enqueue(FakeProvider.hang());
            assertEquals(504, Http.postChat(gw, "{\"model\":\"hang-1\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}").statusCode());
            HttpResponse<String> refused = Http.postChat(gw, "{\"model\":\"dead-1\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
            assertEquals(502, refused.statusCode());
            for (String s : secrets) assertFalse(refused.body().contains(s), "error bodies do not carry keys either");
        }

        // minting into a persistent store, and a config whose provider key comes from the environment
        String yaml = "upstreams:\n  - name: openai\n    baseUrl: https://api.openai.com/v1\n    apiKey: ${OPENAI_API_KEY}\n"
                + "  - name: other\n    baseUrl: https://example.invalid/v1\n    apiKey: ${UNSET_FOR_THIS_TEST}\n"
                + "projects:\n  - id: demo\n    plan: starter\n";
        WatchLlmConfig cfg = ConfigLoader.loadBuilder(new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8)),
                Map.of("OPENAI_API_KEY", PROVIDER_KEY)::get).build();
        try (WatchLlm engine = WatchLlm.builder().config(cfg).keyStore(new LocalKeyStore(dir)).build()) {
            String minted = engine.mintKey("demo", "prod");
            secrets.add(minted);
            assertTrue(Files.readString(dir.resolve("keys.jsonl")).contains(ApiKeys.sha256Hex(minted)));
            assertFalse(Files.readString(dir.resolve("keys.jsonl")).contains(minted), "only the hash is stored");
        }
        Files.writeString(dir.resolve("keys.jsonl"), "not json " + secrets.get(0) + "\n", java.nio.file.StandardOpenOption.APPEND);
        new LocalKeyStore(dir).close(); // replays the file, warns about the unreadable line

        List<String> lines = new ArrayList<>();
        for (ILoggingEvent e : captured.list) {
            lines.add(e.getFormattedMessage() + (e.getThrowableProxy() == null ? "" : "\n" + ThrowableProxyUtil.asString(e.getThrowableProxy())));
        }
        assertTrue(lines.size() >= 5, "the scenarios above log problems; captured: " + lines);
        for (String line : lines) {
            for (String s : secrets) {
                assertFalse(line.contains(s), "a key was logged: " + line);
                String secretPart = s.substring(s.length() - Math.min(s.length(), 16));
                assertFalse(line.contains(secretPart), "part of a key was logged: " + line);
            }
        }
    }
}
