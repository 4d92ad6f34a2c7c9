package dev.watchllm.metering;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.watchllm.auth.Caller;
import dev.watchllm.config.PlanConfig;
import dev.watchllm.config.ProjectConfig;
import dev.watchllm.internal.CallResult;
import dev.watchllm.openai.Endpoint;
import dev.watchllm.openai.ParsedRequest;
import dev.watchllm.openai.RequestParser;
import dev.watchllm.testing.FakeProvider;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** The settle step on CallResults as the proxy (misses) and the cache (hits) hand them over. */
class UsageMeterTest {
    static final Instant NOW = Instant.parse("2026-03-15T10:00:00Z");
    static final YearMonth MARCH = YearMonth.of(2026, 3);

    InMemoryUsageLedger ledger;
    List<UsageRecord> sunk;
    UsageMeter meter;

    @BeforeEach
    void setUp() {
        ledger = new InMemoryUsageLedger();
        sunk = new ArrayList<>();
        meter = new UsageMeter(Pricing.builtIn(), ledger, List.of(sunk::add), Clock.fixed(NOW, ZoneOffset.UTC));
    }

    @AfterEach
    void tearDown() {
        meter.close();
    }

    static Caller caller(String project, String keyId) {
        return new Caller(keyId, ProjectConfig.of(project, "pro", List.of()), PlanConfig.BUILT_IN.get("pro"));
    }

    static ParsedRequest request(String model, boolean stream) {
        String body = "{\"model\":\"" + model + "\",\"stream\":" + stream + ",\"messages\":[{\"role\":\"user\",\"content\":\"What is the capital of France?\"}]}";
        return RequestParser.parse(Endpoint.CHAT_COMPLETIONS, body.getBytes(StandardCharsets.UTF_8)).request();
    }

    static CallResult plain(String id, Caller c, String model, String body, String cacheStatus, double similarity) {
        return new CallResult(id, c, request(model, false), cacheStatus.startsWith("HIT") ? null : "fake", 200,
                body.getBytes(StandardCharsets.UTF_8), null, true, cacheStatus, similarity, 3_000_000);
    }

    static CallResult streamed(String id, Caller c, String model, List<String> events) {
        List<byte[]> ev = new ArrayList<>();
        for (String e : events) ev.add(e.getBytes(StandardCharsets.UTF_8));
        return new CallResult(id, c, request(model, true), "fake", 200, null, ev, true, "MISS", Double.NaN, 5_000_000);
    }

    static String answer(String model, long in, long cached, long out, long reasoning) {
        return "{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion\",\"model\":\"" + model + "\",\"choices\":[{\"index\":0,"
                + "\"message\":{\"role\":\"assistant\",\"content\":\"Paris.\"},\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":" + in
                + ",\"completion_tokens\":" + out + ",\"total_tokens\":" + (in + out) + ",\"prompt_tokens_details\":{\"cached_tokens\":" + cached
                + "},\"completion_tokens_details\":{\"reasoning_tokens\":" + reasoning + "}}}";
    }

    @Test
    void aMissRecordsEverything() {
        Caller c = caller("p1", "k1");
        meter.accept(plain("req-1", c, "gpt-4o", answer("gpt-4o-2024-08-06", 10_000, 8_000, 1_000, 0), "MISS", Double.NaN));
        UsageRecord r = ledgerRecord();
        assertEquals(new UsageRecord(NOW, "req-1", "p1", "k1", "/chat/completions", "gpt-4o", "gpt-4o-2024-08-06", "fake", false, "MISS",
                Double.NaN, 10_000, 8_000, 1_000, 0, false, false, 25_000, 25_000, 3, 200), r);
        UsageTotals t = ledger.month("p1", MARCH);
        assertEquals(new UsageTotals(1, 0, 0, 10_000, 8_000, 1_000, 0, 25_000, 25_000, 0, 0), t);
        assertEquals(t, ledger.day("p1", LocalDate.of(2026, 3, 15)));
        assertEquals(UsageTotals.EMPTY, ledger.day("p1", LocalDate.of(2026, 3, 14)));
        assertEquals(UsageTotals.EMPTY, ledger.month("p1", YearMonth.of(2026, 2)));
    }

    @Test
    void hitsCostNothingAndSaveWhatTheOriginalAnswerCost() {
        Caller c = caller("p1", "k1");
        String cached = answer("gpt-4o-mini-2024-07-18", 1000, 0, 500, 0); // 450 micro-dollars when bought
        meter.accept(plain("r1", c, "gpt-4o-mini", cached, "MISS", Double.NaN));
        meter.accept(plain("r2", c, "gpt-4o-mini", cached, "HIT", Double.NaN));
        meter.accept(plain("r3", c, "gpt-4o-mini", cached, "HIT-COALESCED", Double.NaN));
        meter.accept(plain("r4", c, "gpt-4o-mini", cached, "HIT-SEMANTIC", 0.9731));
        UsageTotals t = ledger.month("p1", MARCH);
        assertEquals(4, t.requests());
        assertEquals(3, t.cacheHits());
        assertEquals(1, t.semanticHits());
        assertEquals(0.75, t.cacheHitRate());
        assertEquals(450, t.costMicros(), "only the miss was billed");
        assertEquals(4 * 450, t.potentialCostMicros());
        assertEquals(3 * 450, t.savingsMicros());
        assertEquals(1000, t.inputTokens(), "tokens count what the provider billed");
        assertEquals(500, t.outputTokens());
        meter.close();
        UsageRecord semantic = sunk.get(3);
        assertEquals(0, semantic.costMicros());
        assertEquals(450, semantic.potentialCostMicros());
        assertEquals(0.9731, semantic.similarity());
        assertEquals(1000, semantic.inputTokens(), "the record keeps the cached answer's tokens");
    }

    @Test
    void hitHeadersShowZeroCostAndTheSaving() {
        List<String[]> headers = new ArrayList<>();
        byte[] body = answer("gpt-4o-mini", 1000, 0, 500, 0).getBytes(StandardCharsets.UTF_8);
        dev.watchllm.cache.CachedAnswer cached = dev.watchllm.cache.CachedAnswer.plain("p1", "fake", 0, Long.MAX_VALUE, body);
        meter.hitHeaders(new HeaderRecorder(headers), request("gpt-4o-mini", false),
                cached, body, null);
        assertEquals(List.of("X-WatchLLM-Cost-USD=0", "X-WatchLLM-Saved-USD=0.00045"), HeaderRecorder.flat(headers));
        assertTrue(cached.derived() != null, "the answer's usage is kept with the cached object");
        headers.clear();
        meter.hitHeaders(new HeaderRecorder(headers), request("gpt-4o-mini", false), cached, body, null);
        assertEquals(List.of("X-WatchLLM-Cost-USD=0", "X-WatchLLM-Saved-USD=0.00045"), HeaderRecorder.flat(headers), "the next hit reads it from there");
    }

    @Test
    void streamsAreMeteredFromTheUsageChunk() {
        Caller c = caller("p1", "k1");
        meter.accept(streamed("s1", c, "gpt-4o-mini", FakeProvider.chatStreamEvents("gpt-4o-mini-2024-07-18", true, "Hel", "lo", "!")));
        UsageRecord r = ledgerRecord();
        assertEquals(12, r.inputTokens());
        assertEquals(3, r.outputTokens());
        assertFalse(r.estimated());
        assertTrue(r.stream());
        assertEquals("gpt-4o-mini-2024-07-18", r.model());
        assertEquals(4, r.costMicros(), "12 * 0.15 + 3 * 0.60 = 3.6 micro-dollars");
        List<byte[]> ev = new ArrayList<>();
        for (String e : FakeProvider.chatStreamEvents("gpt-4o-mini", true, "Hel", "lo", "!")) ev.add(e.getBytes(StandardCharsets.UTF_8));
        assertEquals(": X-WatchLLM-Cost-USD: 0.000004\n\n", new String(meter.streamCostComment(request("gpt-4o-mini", true), ev), StandardCharsets.UTF_8));
    }

    @Test
    void groqStreamsCarryUsageInXGroq() {
        String head = "data: {\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"model\":\"llama-3.3-70b-versatile\",";
        List<String> ev = List.of(head + "\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hi\"},\"finish_reason\":null}]}\n\n",
                head + "\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}],\"x_groq\":{\"id\":\"req_1\",\"usage\":"
                        + "{\"prompt_tokens\":1000,\"completion_tokens\":1000,\"total_tokens\":2000}}}\n\n",
                "data: [DONE]\n\n");
        meter.accept(streamed("g1", caller("p1", "k1"), "llama-3.3-70b-versatile", ev));
        UsageRecord r = ledgerRecord();
        assertEquals(1000, r.inputTokens());
        assertFalse(r.estimated());
        assertEquals(590 + 790, r.costMicros());
    }

    @Test
    void aStreamWithoutUsageIsEstimatedAndMarked() {
        meter.accept(streamed("s2", caller("p1", "k1"), "gpt-4o-mini",
                FakeProvider.chatStreamEvents("gpt-4o-mini", false, "The capital ", "of France ", "is Paris.")));
        UsageRecord r = ledgerRecord();
        assertTrue(r.estimated());
        // "What is the capital of France?" = 30 chars -> 8 tokens + 4 for the message; the answer's 31 chars -> 8 tokens
        assertEquals(12, r.inputTokens());
        assertEquals(8, r.outputTokens());
        assertEquals(Math.round(12 * 0.15 + 8 * 0.60), r.costMicros());
        assertEquals(1, ledger.month("p1", MARCH).estimatedRequests());
    }

    @Test
    void unknownModelsAreCountedUnpricedAndLoggedOnce() {
        Logger log = (Logger) LoggerFactory.getLogger(UsageMeter.class);
        ListAppender<ILoggingEvent> logs = new ListAppender<>();
        logs.start();
        log.addAppender(logs);
        try {
            Caller c = caller("p1", "k1");
            for (int i = 0; i < 3; i++) {
                meter.accept(plain("u" + i, c, "mystery-model", answer("mystery-model", 100, 0, 100, 0), "MISS", Double.NaN));
            }
            meter.accept(plain("u9", c, "other-mystery", answer("other-mystery", 100, 0, 100, 0), "MISS", Double.NaN));
        } finally {
            log.detachAppender(logs);
        }
        UsageTotals t = ledger.month("p1", MARCH);
        assertEquals(4, t.unpricedRequests());
        assertEquals(0, t.costMicros());
        assertEquals(4, t.requests());
        assertTrue(ledgerRecord().unpriced());
        assertEquals(2, logs.list.size(), "one line per unknown model, not per request");
        assertTrue(logs.list.get(0).getFormattedMessage().contains("mystery-model"));
        List<String[]> headers = new ArrayList<>();
        meter.costHeaders(new HeaderRecorder(headers), request("mystery-model", false), 200,
                answer("mystery-model", 100, 0, 100, 0).getBytes(StandardCharsets.UTF_8));
        assertEquals(List.of(), HeaderRecorder.flat(headers), "no cost header rather than a false $0");
    }

    @Test
    void providerErrorsAreNotBilled() {
        CallResult r = new CallResult("e1", caller("p1", "k1"), request("gpt-4o", false), "fake", 429,
                "{\"error\":{\"message\":\"slow down\",\"type\":\"requests\",\"code\":\"rate_limit_exceeded\"}}".getBytes(StandardCharsets.UTF_8),
                null, false, "MISS", Double.NaN, 1_000_000);
        meter.accept(r);
        UsageRecord rec = ledgerRecord();
        assertEquals(0, rec.costMicros());
        assertFalse(rec.unpriced());
        assertFalse(rec.estimated());
        assertEquals(429, rec.status());
        assertEquals(new UsageTotals(1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0), ledger.month("p1", MARCH));
        List<String[]> headers = new ArrayList<>();
        meter.costHeaders(new HeaderRecorder(headers), request("gpt-4o", false), 429, r.body());
        assertEquals(List.of("X-WatchLLM-Cost-USD=0"), HeaderRecorder.flat(headers));
    }

    @Test
    void projectsAreSeparate() {
        meter.accept(plain("a", caller("alpha", "ka"), "gpt-4o-mini", answer("gpt-4o-mini", 1000, 0, 500, 0), "MISS", Double.NaN));
        meter.accept(plain("b", caller("beta", "kb"), "gpt-4o", answer("gpt-4o", 1000, 0, 0, 0), "MISS", Double.NaN));
        assertEquals(450, ledger.month("alpha", MARCH).costMicros());
        assertEquals(2500, ledger.month("beta", MARCH).costMicros());
        assertEquals(1, ledger.month("alpha", MARCH).requests());
        assertEquals(UsageTotals.EMPTY, ledger.month("gamma", MARCH));
    }

    @Test
    void usageApiJsonHasExactlyTheContractFields() throws Exception {
        meter.accept(plain("a", caller("alpha", "ka"), "gpt-4o-mini", answer("gpt-4o-mini", 1000, 0, 500, 0), "MISS", Double.NaN));
        meter.accept(plain("b", caller("alpha", "ka"), "gpt-4o-mini", answer("gpt-4o-mini", 1000, 0, 500, 0), "HIT", Double.NaN));
        meter.accept(plain("c", caller("alpha", "ka"), "gpt-4o-mini", answer("gpt-4o-mini", 1000, 0, 500, 0), "MISS", Double.NaN));
        String json = new String(UsageApi.json("alpha", "2026-03", ledger.month("alpha", MARCH)), StandardCharsets.UTF_8);
        assertEquals("{\"project\":\"alpha\",\"period\":\"2026-03\",\"requests\":3,\"cacheHits\":1,\"semanticHits\":0,\"cacheHitRate\":0.3333,"
                + "\"inputTokens\":2000,\"outputTokens\":1000,\"costUsd\":0.0009,\"potentialCostUsd\":0.00135,\"savingsUsd\":0.00045,"
                + "\"unpricedRequests\":0}", json);
    }

    @Test
    void queryParameterParsing() {
        assertEquals("2026-03", UsageApi.param("period=2026-03", "period"));
        assertEquals("2026-03", UsageApi.param("x=1&period=2026-03&y=2", "period"));
        assertNull(UsageApi.param("periods=2026-03", "period"));
        assertNull(UsageApi.param("x=period=1", "period"));
        assertEquals("", UsageApi.param("period=", "period"));
        assertNull(UsageApi.param(null, "period"));
    }

    /** The one record the ledger got, read back from the sink after draining. */
    private UsageRecord ledgerRecord() {
        meter.close();
        return sunk.get(sunk.size() - 1);
    }

    /** An Exchange that only records response headers (cost headers are all these tests look at). */
    static final class HeaderRecorder implements dev.watchllm.http.Exchange {
        private final List<String[]> headers;

        HeaderRecorder(List<String[]> headers) {
            this.headers = headers;
        }

        static List<String> flat(List<String[]> h) {
            List<String> l = new ArrayList<>();
            for (String[] kv : h) l.add(kv[0] + "=" + kv[1]);
            return l;
        }

        @Override public String method() { return "POST"; }
        @Override public String path() { return "/v1/chat/completions"; }
        @Override public String query() { return null; }
        @Override public String header(String name) { return null; }
        @Override public long contentLength() { return 0; }
        @Override public java.io.InputStream body() { return java.io.InputStream.nullInputStream(); }
        @Override public void status(int code) { }
        @Override public void header(String name, String value) { headers.add(new String[] {name, value}); }
        @Override public void write(byte[] bytes, boolean flush, Runnable written) { }
        @Override public void end() { }
        @Override public void abort() { }
        @Override public void onClientGone(Runnable callback) { }
    }
}
