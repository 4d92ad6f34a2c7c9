package dev.watchllm.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.slf4j.LoggerFactory;

class ConfigLoaderTest {
    static final String HASH = "a".repeat(64);

    static WatchLlmConfig load(String yaml, Function<String, String> env) {
        return ConfigLoader.loadBuilder(new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8)), env).build();
    }

    static WatchLlmConfig load(String yaml) {
        return load(yaml, n -> null);
    }

    static String error(String yaml) {
        return assertThrows(ConfigException.class, () -> load(yaml)).getMessage();
    }

    @Test
    void theContractFileLoads(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("watchllm.yaml");
        Files.writeString(file, ""
                + "upstreams:\n"
                + "  - name: openai\n"
                + "    baseUrl: https://api.openai.com/v1/\n"
                + "    apiKey: ${OPENAI_API_KEY}\n"
                + "    models: [\"gpt-*\", \"o1*\", \"text-embedding-*\"]\n"
                + "    timeout: 60s\n"
                + "    fallbacks: [openrouter]\n"
                + "  - name: openrouter\n"
                + "    baseUrl: https://openrouter.ai/api/v1\n"
                + "    apiKey: ${OPENROUTER_KEY:-sk-or-default}\n"
                + "    maxRetries: 0\n"
                + "    retryBackoff: 50ms\n"
                + "    maxRetryAfter: 2s\n"
                + "plans:\n"
                + "  free:    { requestsPerMinute: 10,  requestsPerMonth: 50000 }\n"
                + "  pro:     { requestsPerMinute: 200, requestsPerMonth: 1_000_000, tokensPerMinute: 90000, concurrentRequests: 8 }\n"
                + "projects:\n"
                + "  - id: myapp-prod\n"
                + "    plan: pro\n"
                + "    keys: [ { id: prod-1, sha256: \"" + HASH.toUpperCase() + "\" } ]\n"
                + "    cache: { enabled: false, ttl: 24h, semantic: { enabled: true, threshold: 0.9 } }\n"
                + "    budget: { monthlyUsd: 500 }\n"
                + "store: { type: local, dir: /var/lib/watchllm }\n"
                + "http: { prefix: /llm/v1, maxBodySize: 2MiB, cors: { allowedOrigins: [\"https://app.example\"] } }\n");
        WatchLlmConfig c = ConfigLoader.load(file, Map.of("OPENAI_API_KEY", "sk-test")::get);
        UpstreamConfig openai = c.upstream("openai");
        assertEquals("https://api.openai.com/v1", openai.baseUrl(), "a trailing slash is dropped");
        assertEquals("sk-test", openai.apiKey());
        assertNull(openai.missingEnv());
        assertEquals(List.of("gpt-*", "o1*", "text-embedding-*"), openai.models());
        assertEquals(Duration.ofSeconds(60), openai.timeout());
        assertEquals(List.of("openrouter"), openai.fallbacks());
        assertEquals(UpstreamConfig.DEFAULT_MAX_RETRIES, openai.maxRetries());
        UpstreamConfig or = c.upstream("openrouter");
        assertEquals("sk-or-default", or.apiKey(), "${NAME:-default}");
        assertEquals(List.of("*"), or.models(), "no models: serves everything");
        assertEquals(0, or.maxRetries());
        assertEquals(Duration.ofMillis(50), or.retryBackoff());
        assertEquals(Duration.ofSeconds(2), or.maxRetryAfter());
        assertEquals(new PlanConfig("pro", 200, 1_000_000, 90_000, 8), c.plans().get("pro"));
        assertEquals(PlanConfig.BUILT_IN.get("starter"), c.plans().get("starter"), "built-ins not named stay");
        ProjectConfig p = c.project("myapp-prod");
        assertEquals("pro", p.plan());
        assertEquals(List.of(new KeyEntry("prod-1", HASH)), p.keys(), "hex is normalised to lower case");
        assertEquals(new CacheSettings(false, Duration.ofHours(24), true, 0.9), p.cache());
        assertEquals(500.0, p.budgetMonthlyUsd());
        assertEquals(Path.of("/var/lib/watchllm"), c.store().dir());
        assertEquals("/llm/v1", c.prefix());
        assertEquals(2 * 1024 * 1024, c.maxBodyBytes());
        assertEquals(List.of("https://app.example"), c.corsAllowedOrigins());
    }

    @Test
    void defaultsForAnEmptyFile() {
        WatchLlmConfig c = load("");
        assertEquals("/v1", c.prefix());
        assertEquals(1024 * 1024, c.maxBodyBytes());
        assertEquals(List.of("*"), c.corsAllowedOrigins());
        assertEquals(StoreConfig.DEFAULT, c.store());
        assertEquals(PlanConfig.BUILT_IN, c.plans());
    }

    @Test
    void aMissingVariableIsAWarningNamingItAndMarksTheUpstream() {
        Logger log = (Logger) LoggerFactory.getLogger(ConfigLoader.class);
        ListAppender<ILoggingEvent> captured = new ListAppender<>();
        captured.start();
        log.addAppender(captured);
        try {
            WatchLlmConfig c = load("upstreams:\n  - name: openai\n    baseUrl: https://api.openai.com/v1\n    apiKey: ${OPENAI_API_KEY}\n");
            UpstreamConfig u = c.upstream("openai");
            assertNull(u.apiKey());
            assertEquals("OPENAI_API_KEY", u.missingEnv());
            assertEquals(1, captured.list.size());
            assertTrue(captured.list.get(0).getFormattedMessage().contains("OPENAI_API_KEY"), captured.list.get(0).getFormattedMessage());
            assertTrue(captured.list.get(0).getFormattedMessage().contains("'openai'"));
        } finally {
            log.detachAppender(captured);
        }
    }

    @Test
    void anEmptyVariableCountsAsMissing() {
        assertEquals("KEY", load("upstreams:\n  - name: u\n    baseUrl: http://h/v1\n    apiKey: ${KEY}\n", Map.of("KEY", "")::get)
                .upstream("u").missingEnv());
    }

    @Test
    void aMissingVariableInBaseUrlIsAnError() {
        assertEquals("upstreams[0].baseUrl: environment variable HOST is not set",
                error("upstreams:\n  - name: u\n    baseUrl: http://${HOST}/v1\n"));
    }

    @Test
    void variablesExpandInsideValuesButNotIntoYaml() {
        WatchLlmConfig c = load("upstreams:\n  - name: u\n    baseUrl: http://${HOST}:${PORT:-8080}/v1\n    apiKey: \"${K}\"\n",
                Map.of("HOST", "10.0.0.1", "K", "x\n  injected: true")::get);
        assertEquals("http://10.0.0.1:8080/v1", c.upstream("u").baseUrl());
        assertEquals("x\n  injected: true", c.upstream("u").apiKey(), "a value cannot inject YAML");
    }

    @ParameterizedTest
    @CsvSource({"500ms,500", "60s,60000", "5m,300000", "24h,86400000", "7d,604800000", "PT1M,60000", "pt2s,2000", "30,30000", "' 2s ',2000"})
    void durations(String text, long ms) {
        assertEquals(Duration.ofMillis(ms), Durations.parse("f", text));
        assertEquals(Duration.ofMillis(ms), load("upstreams:\n  - name: u\n    baseUrl: http://h/v1\n    timeout: \"" + text + "\"\n")
                .upstream("u").timeout());
    }

    @ParameterizedTest
    @CsvSource({"ten", "1.5s", "5 minutes", "-1s", "0s", "s", "PT0S", "ms"})
    void badDurationsNameTheField(String text) {
        String m = error("upstreams:\n  - name: u\n    baseUrl: http://h/v1\n    timeout: \"" + text + "\"\n");
        assertTrue(m.startsWith("upstreams[0].timeout: "), m);
    }

    @Test
    void durationsFormatRoundTrips() {
        for (String s : new String[] {"500ms", "60s", "5m", "24h", "7d", "1500ms", "90m"}) {
            Duration d = Durations.parse("f", s);
            assertEquals(d, Durations.parse("f", Durations.format(d)));
        }
        assertEquals("1m", Durations.format(Duration.ofSeconds(60)), "the shortest unit");
        assertEquals("300ms", Durations.format(Duration.ofMillis(300)));
    }

    @ParameterizedTest
    @CsvSource({"1MiB,1048576", "512KiB,524288", "64MB,64000000", "2048,2048", "1 mib,1048576", "4kb,4000"})
    void sizes(String text, long bytes) {
        assertEquals(bytes, ByteSizes.parse("f", text));
    }

    @ParameterizedTest
    @CsvSource({"lots", "1.5MiB", "1TiB", "0", "MiB"})
    void badSizesNameTheField(String text) {
        String m = error("http:\n  maxBodySize: \"" + text + "\"\n");
        assertTrue(m.startsWith("http.maxBodySize: ") || m.startsWith("maxBodySize: "), m);
    }

    @Test
    void bodyLimitIsBounded() {
        assertTrue(error("http:\n  maxBodySize: 100\n").startsWith("maxBodySize: must be between"));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "upstream: []|upstream: unknown setting",
        "upstreams:\\n  - name: u\\n    baseUrl: http://h/v1\\n    timout: 5s|upstreams[0].timout: unknown setting",
        "plans:\\n  pro: { requestsPerMin: 5 }|plans.pro.requestsPerMin: unknown setting",
        "projects:\\n  - id: p\\n    cache: { ttll: 1h }|projects[0].cache.ttll: unknown setting",
        "projects:\\n  - id: p\\n    cache: { semantic: { on: true } }|projects[0].cache.semantic.on: unknown setting",
        "projects:\\n  - id: p\\n    keys: [ { id: k, sha256: x, key: lgw } ]|projects[0].keys[0].key: unknown setting",
        "store: { type: local, path: /tmp }|store.path: unknown setting",
        "http: { cors: { origins: [] } }|http.cors.origins: unknown setting",
    })
    void unknownKeysAreRejectedByName(String yaml, String start) {
        String m = error(yaml.replace("\\n", "\n"));
        assertTrue(m.startsWith(start), m);
        assertTrue(m.contains("known: ["), "the message lists what is known: " + m);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "- just a list|the config must be a YAML mapping",
        "upstreams: {name: u}|upstreams: must be a list",
        "upstreams:\\n  - baseUrl: http://h/v1|upstreams[0].name: required",
        "upstreams:\\n  - name: u|upstreams[0].baseUrl: required",
        "upstreams:\\n  - name: u\\n    baseUrl: ftp://h|upstreams[0].baseUrl: 'ftp://h' must start with http:// or https://",
        "upstreams:\\n  - name: u\\n    baseUrl: http://h\\n    models: []|upstreams[0].models: must list at least one model glob",
        "upstreams:\\n  - name: u\\n    baseUrl: http://h\\n    models: gpt-4o|upstreams[0].models: must be a list",
        "upstreams:\\n  - name: u\\n    baseUrl: http://h\\n    maxRetries: many|upstreams[0].maxRetries: 'many' is not a whole number",
        "upstreams:\\n  - name: u\\n    baseUrl: http://h\\n    maxRetries: 11|upstream 'u'.maxRetries: must be between 0 and 10",
        "upstreams:\\n  - name: u\\n    baseUrl: http://h\\n    fallbacks: [v]|upstreams[0].fallbacks: no upstream named 'v'",
        "upstreams:\\n  - name: u\\n    baseUrl: http://h\\n    fallbacks: [u]|upstreams[0].fallbacks: an upstream cannot fall back to itself",
        "upstreams:\\n  - name: u\\n    baseUrl: http://h\\n  - name: u\\n    baseUrl: http://i|upstreams[1].name: 'u' is used twice",
        "plans:\\n  gold: { requestsPerMinute: 5 }|plans.gold.requestsPerMonth: required for a plan that is not built in",
        "plans:\\n  pro: { requestsPerMinute: 0 }|plans.pro.requestsPerMinute: must be greater than zero",
        "plans:\\n  pro: { requestsPerMinute: -5 }|plans.pro.requestsPerMinute: must not be negative",
        "projects:\\n  - plan: pro|projects[0].id: required",
        "projects:\\n  - id: 'a b'|projects[].id: 'a b' must be 1-64 letters, digits, '.', '_' or '-'",
        "projects:\\n  - id: p\\n    plan: gold|projects[0].plan: unknown plan 'gold'",
        "projects:\\n  - id: p\\n  - id: p|projects[1].id: 'p' is used twice",
        "projects:\\n  - id: p\\n    keys: [ { id: k, sha256: lgw_prod_abc } ]|projects[0].keys[0].sha256: must be 64 hex characters",
        "projects:\\n  - id: p\\n    keys: [ { sha256: " + "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" + " } ]|projects[0].keys[0].id: required",
        "projects:\\n  - id: p\\n    cache: { enabled: maybe }|projects[0].cache.enabled: 'maybe' must be true or false",
        "projects:\\n  - id: p\\n    cache: { semantic: { threshold: 1.5 } }|projects[0].cache.semantic.threshold: must be in (0, 1]",
        "projects:\\n  - id: p\\n    cache: { semantic: { threshold: high } }|projects[0].cache.semantic.threshold: must be a number",
        "projects:\\n  - id: p\\n    budget: { monthlyUsd: -1 }|projects[0].budget.monthlyUsd: must be a number greater than zero",
        "store: { type: s3 }|store.type: must be 'local' or 'redis'",
        "store: { type: redis }|store.uri: required when store.type is redis",
        "http: { prefix: v1 }|prefix: 'v1' must start with '/'",
        "http: { prefix: /v1/ }|prefix: '/v1/' must start with '/', not end with '/'",
    })
    void validationMessagesNameTheField(String yaml, String start) {
        String m = error(yaml.replace("\\n", "\n"));
        assertTrue(m.startsWith(start), "expected '" + start + "...' but was: " + m);
    }

    @Test
    void twoKeysWithTheSameHashAreRejected() {
        String m = error("projects:\n  - id: a\n    keys: [ { id: k1, sha256: " + HASH + " } ]\n  - id: b\n    keys: [ { id: k2, sha256: " + HASH + " } ]\n");
        assertEquals("projects[1].keys: key 'k2' has the same sha256 as another key", m);
    }

    @Test
    void builtInPlansAreOverridableAndNewOnesAdded() {
        WatchLlmConfig c = load("plans:\n  free: { requestsPerMinute: 3 }\n  enterprise: { requestsPerMinute: 1000, requestsPerMonth: 9000000 }\n"
                + "projects:\n  - id: big\n    plan: enterprise\n  - id: small\n");
        assertEquals(new PlanConfig("free", 3, 50_000, 0, 0), c.plans().get("free"), "unspecified limits keep the built-in's");
        assertEquals(PlanConfig.BUILT_IN.get("pro"), c.plans().get("pro"));
        assertEquals(new PlanConfig("enterprise", 1000, 9_000_000, 0, 0), c.plans().get("enterprise"));
        assertEquals("free", c.project("small").plan(), "the default plan");
        WatchLlmConfig copy = c.toBuilder().build();
        assertEquals(c.plans(), copy.plans(), "toBuilder keeps overrides");
    }

    @Test
    void configFileErrorsNameTheFile(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("bad.yaml");
        Files.writeString(file, "upstreams:\n  - name: u\n");
        String m = assertThrows(ConfigException.class, () -> ConfigLoader.load(file, n -> null)).getMessage();
        assertTrue(m.startsWith(file + ": upstreams[0].baseUrl: required"), m);
        m = assertThrows(ConfigException.class, () -> ConfigLoader.load(dir.resolve("missing.yaml"), n -> null)).getMessage();
        assertTrue(m.startsWith("config file not found: "), m);
        Files.writeString(file, "upstreams: [\n");
        m = assertThrows(ConfigException.class, () -> ConfigLoader.load(file, n -> null)).getMessage();
        assertTrue(m.contains("not valid YAML"), m);
    }

    @Test
    void overridesFromInitParamsApplyOnTop() {
        WatchLlmConfig.Builder b = ConfigLoader.loadBuilder(new ByteArrayInputStream("http: { prefix: /v1 }\n".getBytes(StandardCharsets.UTF_8)), n -> null);
        java.util.Map<String, String> s = new java.util.LinkedHashMap<>();
        s.put("prefix", " /gateway/v1 ");
        s.put("maxBodySize", "4MiB");
        s.put("storeDir", "/tmp/wl");
        s.put("unrelated", "x");
        s.put("storeDirIgnoredWhenNull", null);
        WatchLlmConfig c = ConfigLoader.applyOverrides(b, s).build();
        assertEquals("/gateway/v1", c.prefix());
        assertEquals(4L * 1024 * 1024, c.maxBodyBytes());
        assertEquals(Path.of("/tmp/wl"), c.store().dir());
        assertFalse(c.toString().isEmpty());
    }

    @Test
    void upstreamToStringNeverShowsTheKey() {
        UpstreamConfig u = UpstreamConfig.of("openai", "https://api.openai.com/v1", "sk-very-secret", List.of("*"));
        assertFalse(u.toString().contains("sk-very-secret"), u.toString());
    }
}
