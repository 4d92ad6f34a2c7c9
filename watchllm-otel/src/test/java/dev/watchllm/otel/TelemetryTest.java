package dev.watchllm.otel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.watchllm.WatchLlm;
import dev.watchllm.auth.ApiKeys;
import dev.watchllm.auth.InMemoryKeyStore;
import dev.watchllm.config.KeyEntry;
import dev.watchllm.config.PlanConfig;
import dev.watchllm.config.ProjectConfig;
import dev.watchllm.config.StoreConfig;
import dev.watchllm.config.UpstreamConfig;
import dev.watchllm.config.WatchLlmConfig;
import dev.watchllm.observe.ProxyObserver;
import dev.watchllm.servlet.WatchLlmFilter;
import dev.watchllm.testing.FakeProvider;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.opentelemetry.sdk.metrics.data.MetricData;
import io.opentelemetry.sdk.testing.exporter.InMemoryMetricReader;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.Filter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** GenAI spans and metrics from real calls: the filter on Jetty, a real HTTP provider, the OTel SDK's in-memory exporters. */
class TelemetryTest {
    static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    static final AttributeKey<String> OP = AttributeKey.stringKey("gen_ai.operation.name");

    final InMemorySpanExporter spans = InMemorySpanExporter.create();
    /** One permit per exported span: tests wait on it instead of polling or sleeping. */
    final java.util.concurrent.Semaphore exported = new java.util.concurrent.Semaphore(0);
    final InMemoryMetricReader metrics = InMemoryMetricReader.create();
    final String key = ApiKeys.mint("test");
    FakeProvider provider;
    WatchLlm engine;
    Server server;
    Path store;
    OpenTelemetrySdk otel;

    OpenTelemetrySdk sdk(SpanExporter exporter) {
        return OpenTelemetrySdk.builder()
                .setTracerProvider(SdkTracerProvider.builder().addSpanProcessor(SimpleSpanProcessor.create(exporter))
                        .addSpanProcessor(new io.opentelemetry.sdk.trace.SpanProcessor() {
                            @Override public void onStart(Context c, io.opentelemetry.sdk.trace.ReadWriteSpan span) { }
                            @Override public boolean isStartRequired() { return false; }
                            @Override public void onEnd(io.opentelemetry.sdk.trace.ReadableSpan span) { exported.release(); }
                            @Override public boolean isEndRequired() { return true; }
                        }).build())
                .setMeterProvider(SdkMeterProvider.builder().registerMetricReader(metrics).build())
                .setPropagators(ContextPropagators.create(W3CTraceContextPropagator.getInstance()))
                .build();
    }

    void start(ProxyObserver observer, PlanConfig plan, Filter before) throws Exception {
        provider = new FakeProvider();
        store = Files.createTempDirectory("watchllm-otel");
        WatchLlmConfig.Builder b = WatchLlmConfig.builder()
                .store(new StoreConfig("local", store, null))
                .upstream(UpstreamConfig.of("openai", provider.baseUrl(), "sk-test", List.of("*")).withTimeout(Duration.ofSeconds(5)))
                .project(ProjectConfig.of("shop-prod", plan.name(), List.of(new KeyEntry("k1", ApiKeys.sha256Hex(key)))));
        if (!PlanConfig.BUILT_IN.containsKey(plan.name()) || !PlanConfig.BUILT_IN.get(plan.name()).equals(plan)) b.plan(plan);
        engine = WatchLlm.builder().config(b.build()).keyStore(new InMemoryKeyStore()).observer(observer).build();
        server = new Server();
        ServerConnector c = new ServerConnector(server);
        c.setHost("127.0.0.1");
        c.setPort(0);
        server.addConnector(c);
        ServletContextHandler ctx = new ServletContextHandler("/");
        if (before != null) {
            FilterHolder h = new FilterHolder(before);
            h.setAsyncSupported(true);
            ctx.addFilter(h, "/*", EnumSet.of(DispatcherType.REQUEST));
        }
        FilterHolder fh = new FilterHolder(new WatchLlmFilter(engine));
        fh.setAsyncSupported(true);
        ctx.addFilter(fh, "/*", EnumSet.of(DispatcherType.REQUEST));
        server.setHandler(ctx);
        server.start();
    }

    void start(ProxyObserver observer) throws Exception {
        start(observer, PlanConfig.BUILT_IN.get("pro"), null);
    }

    @AfterEach
    void stop() throws Exception {
        if (server != null) server.stop();
        if (engine != null) engine.close();
        if (provider != null) provider.close();
        if (otel != null) otel.close();
    }

    HttpResponse<String> chat(String body, String... headers) throws Exception {
        HttpRequest.Builder r = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + ((ServerConnector) server.getConnectors()[0]).getLocalPort()
                + "/v1/chat/completions")).header("Authorization", "Bearer " + key).header("Content-Type", "application/json")
                .timeout(Duration.ofSeconds(20)).POST(HttpRequest.BodyPublishers.ofString(body));
        for (int i = 0; i < headers.length; i += 2) r.header(headers[i], headers[i + 1]);
        return HTTP.send(r.build(), HttpResponse.BodyHandlers.ofString());
    }

    static String body(String prompt, boolean stream) {
        return "{\"model\":\"gpt-4o-mini\",\"temperature\":0.2,\"top_p\":0.9,\"max_tokens\":50,\"messages\":[{\"role\":\"user\",\"content\":\""
                + prompt + "\"}]" + (stream ? ",\"stream\":true" : "") + "}";
    }

    /** The span settles just after the answer went out: wait for it on the exporter, never sleep. */
    SpanData awaitSpan(int count) throws InterruptedException {
        int missing = count - spans.getFinishedSpanItems().size();
        if (missing > 0 && !exported.tryAcquire(missing, 10, TimeUnit.SECONDS)) throw new AssertionError("no span within 10s");
        exported.drainPermits();
        List<SpanData> all = spans.getFinishedSpanItems();
        return all.get(count - 1);
    }

    MetricData metric(String name) {
        Collection<MetricData> all = metrics.collectAllMetrics();
        return all.stream().filter(m -> m.getName().equals(name)).findFirst().orElse(null);
    }

    @Test
    void aPlainCallIsAGenAiClientSpanWithEveryAttribute() throws Exception {
        otel = sdk(spans);
        start(WatchLlmTelemetry.create(otel));
        provider.enqueue(FakeProvider.chat("Paris."));
        HttpResponse<String> r = chat(body("Capital of France?", false));
        assertEquals(200, r.statusCode(), r.body());
        SpanData s = awaitSpan(1);
        assertEquals("chat gpt-4o-mini", s.getName());
        assertEquals(SpanKind.CLIENT, s.getKind());
        Attributes a = s.getAttributes();
        assertEquals("chat", a.get(OP));
        assertEquals("openai", a.get(AttributeKey.stringKey("gen_ai.provider.name")));
        assertEquals("gpt-4o-mini", a.get(AttributeKey.stringKey("gen_ai.request.model")));
        assertEquals(0.2, a.get(AttributeKey.doubleKey("gen_ai.request.temperature")));
        assertEquals(0.9, a.get(AttributeKey.doubleKey("gen_ai.request.top_p")));
        assertEquals(50L, a.get(AttributeKey.longKey("gen_ai.request.max_tokens")));
        assertEquals("chatcmpl-fake1", a.get(AttributeKey.stringKey("gen_ai.response.id")));
        assertEquals("gpt-4o-mini", a.get(AttributeKey.stringKey("gen_ai.response.model")));
        assertEquals(List.of("stop"), a.get(AttributeKey.stringArrayKey("gen_ai.response.finish_reasons")));
        assertEquals(12L, a.get(AttributeKey.longKey("gen_ai.usage.input_tokens")));
        assertEquals(7L, a.get(AttributeKey.longKey("gen_ai.usage.output_tokens")));
        assertEquals("127.0.0.1", a.get(AttributeKey.stringKey("server.address")));
        assertEquals((long) provider.port(), a.get(AttributeKey.longKey("server.port")));
        assertEquals("shop-prod", a.get(AttributeKey.stringKey("watchllm.project")));
        assertEquals("MISS", a.get(AttributeKey.stringKey("watchllm.cache.status")));
        assertEquals(Double.parseDouble(r.headers().firstValue("X-WatchLLM-Cost-USD").orElseThrow()), a.get(AttributeKey.doubleKey("watchllm.cost.usd")), 1e-12);
        assertNull(a.get(AttributeKey.stringKey("error.type")));
        assertNull(a.get(AttributeKey.stringKey("gen_ai.input.messages")), "no prompt text unless enabled");
        assertNull(a.get(AttributeKey.stringKey("gen_ai.output.messages")), "no completion text unless enabled");

        MetricData tokens = metric("gen_ai.client.token.usage");
        assertNotNull(tokens);
        assertEquals("{token}", tokens.getUnit());
        assertEquals(2, tokens.getHistogramData().getPoints().size(), "input and output");
        assertTrue(tokens.getHistogramData().getPoints().stream().anyMatch(p -> "input".equals(p.getAttributes().get(AttributeKey.stringKey("gen_ai.token.type"))) && p.getSum() == 12));
        MetricData duration = metric("gen_ai.client.operation.duration");
        assertEquals("s", duration.getUnit());
        assertEquals(1, duration.getHistogramData().getPoints().iterator().next().getCount());
        MetricData cache = metric("watchllm.cache.requests");
        assertEquals(1, cache.getLongSumData().getPoints().iterator().next().getValue());
        MetricData cost = metric("watchllm.cost");
        assertTrue(cost.getDoubleSumData().getPoints().iterator().next().getValue() > 0);
    }

    @Test
    void theIncomingTraceparentIsTheParentAndTheProviderGetsTheSpansContext() throws Exception {
        otel = sdk(spans);
        start(WatchLlmTelemetry.create(otel));
        provider.enqueue(FakeProvider.chat("ok"));
        String traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
        String parentId = "00f067aa0ba902b7";
        chat(body("traced", false), "traceparent", "00-" + traceId + "-" + parentId + "-01");
        SpanData s = awaitSpan(1);
        assertEquals(traceId, s.getTraceId());
        assertEquals(parentId, s.getParentSpanId());
        String sent = provider.takeRequest().header("traceparent");
        assertEquals("00-" + traceId + "-" + s.getSpanId() + "-01", sent, "W3C trace context propagated to the provider");
    }

    @Test
    void theHostsCurrentSpanIsTheParentWhenTheContainerIsInstrumented() throws Exception {
        otel = sdk(spans);
        Span host = otel.getTracer("host").spanBuilder("GET /v1/chat/completions").setSpanKind(SpanKind.SERVER).startSpan();
        // stands in for an instrumented container: the host's server span is current while filters run
        Filter instrumented = (req, resp, chain) -> {
            try (Scope ignored = Context.current().with(host).makeCurrent()) {
                chain.doFilter(req, resp);
            }
        };
        start(WatchLlmTelemetry.create(otel), PlanConfig.BUILT_IN.get("pro"), instrumented);
        provider.enqueue(FakeProvider.chat("ok"));
        chat(body("host traced", false), "traceparent", "00-11111111111111111111111111111111-2222222222222222-01");
        SpanData s = awaitSpan(1);
        assertEquals(host.getSpanContext().getTraceId(), s.getTraceId(), "the host's span wins over the header");
        assertEquals(host.getSpanContext().getSpanId(), s.getParentSpanId());
        host.end();
    }

    @Test
    void aStreamedCallEndsItsSpanAtTheLastEventAndRecordsTimeToFirstChunk() throws Exception {
        otel = sdk(spans);
        start(WatchLlmTelemetry.create(otel));
        provider.enqueue(FakeProvider.streamEvery(30, "a", "b", "c"));
        long t0 = System.nanoTime();
        HttpResponse<String> r = chat(body("stream me", true));
        long elapsed = System.nanoTime() - t0;
        assertTrue(r.body().endsWith("data: [DONE]\n\n"), r.body());
        SpanData s = awaitSpan(1);
        long spanNanos = s.getEndEpochNanos() - s.getStartEpochNanos();
        assertTrue(spanNanos >= TimeUnit.MILLISECONDS.toNanos(150), "the span covers the stream: " + spanNanos);
        assertTrue(spanNanos <= elapsed + TimeUnit.MILLISECONDS.toNanos(50), "and ends with it");
        assertEquals("chatcmpl-fake2", s.getAttributes().get(AttributeKey.stringKey("gen_ai.response.id")));
        assertEquals(List.of("stop"), s.getAttributes().get(AttributeKey.stringArrayKey("gen_ai.response.finish_reasons")));
        assertEquals(3L, s.getAttributes().get(AttributeKey.longKey("gen_ai.usage.output_tokens")));
        MetricData ttfc = metric("gen_ai.client.operation.time_to_first_chunk");
        assertNotNull(ttfc);
        assertEquals(1, ttfc.getHistogramData().getPoints().iterator().next().getCount());
    }

    @Test
    void aCacheHitHasASpanButNoProviderCall() throws Exception {
        otel = sdk(spans);
        start(WatchLlmTelemetry.create(otel));
        provider.enqueue(FakeProvider.chat("cached"));
        chat(body("same question", false));
        awaitSpan(1);
        int calls = provider.requestCount();
        HttpResponse<String> hit = chat(body("same question", false));
        assertEquals("HIT", hit.headers().firstValue("X-WatchLLM-Cache").orElseThrow());
        SpanData s = awaitSpan(2);
        assertEquals(calls, provider.requestCount());
        assertEquals("chat gpt-4o-mini", s.getName());
        assertEquals("HIT", s.getAttributes().get(AttributeKey.stringKey("watchllm.cache.status")));
        assertEquals(0.0, s.getAttributes().get(AttributeKey.doubleKey("watchllm.cost.usd")));
        assertEquals("openai", s.getAttributes().get(AttributeKey.stringKey("gen_ai.provider.name")));
    }

    @Test
    void errorsAndRejectionsAreMarked() throws Exception {
        otel = sdk(spans);
        start(WatchLlmTelemetry.create(otel), new PlanConfig("tiny", 1, 1000, 0, 0), null);
        provider.enqueue(FakeProvider.status(500, "{\"error\":{\"message\":\"boom\",\"type\":\"server_error\",\"param\":null,\"code\":\"boom\"}}"));
        provider.byDefault(FakeProvider.status(500, "{\"error\":{\"message\":\"boom\",\"type\":\"server_error\",\"param\":null,\"code\":\"boom\"}}"));
        assertEquals(500, chat(body("fails", false)).statusCode());
        SpanData failed = awaitSpan(1);
        assertEquals(StatusCode.ERROR, failed.getStatus().getStatusCode());
        assertEquals("boom", failed.getAttributes().get(AttributeKey.stringKey("error.type")));
        HttpResponse<String> limited = chat(body("over the limit", false));
        assertEquals(429, limited.statusCode());
        SpanData rejected = awaitSpan(2);
        assertEquals("rate_limit_exceeded", rejected.getAttributes().get(AttributeKey.stringKey("error.type")));
        MetricData rej = metric("watchllm.rate_limit.rejections");
        assertNotNull(rej);
        assertEquals("requests", rej.getLongSumData().getPoints().iterator().next().getAttributes().get(AttributeKey.stringKey("watchllm.rejection")));
    }

    @Test
    void contentIsRecordedOnlyWhenEnabled() throws Exception {
        otel = sdk(spans);
        start(WatchLlmTelemetry.builder(otel).captureMessageContent(true).build());
        provider.enqueue(FakeProvider.chat("Paris."));
        chat(body("Capital of France?", false));
        SpanData s = awaitSpan(1);
        assertTrue(s.getAttributes().get(AttributeKey.stringKey("gen_ai.input.messages")).contains("Capital of France?"));
        assertEquals("Paris.", s.getAttributes().get(AttributeKey.stringKey("gen_ai.output.messages")));
    }

    @Test
    void aBrokenExporterOrObserverNeverBreaksARequest() throws Exception {
        AtomicInteger exported = new AtomicInteger();
        SpanExporter broken = new SpanExporter() {
            @Override
            public CompletableResultCode export(Collection<SpanData> s) {
                exported.incrementAndGet();
                throw new IllegalStateException("exporter down");
            }

            @Override
            public CompletableResultCode flush() {
                return CompletableResultCode.ofSuccess();
            }

            @Override
            public CompletableResultCode shutdown() {
                return CompletableResultCode.ofSuccess();
            }
        };
        otel = sdk(broken);
        start(WatchLlmTelemetry.create(otel));
        provider.enqueue(FakeProvider.chat("still fine"));
        HttpResponse<String> r = chat(body("broken exporter", false));
        assertEquals(200, r.statusCode());
        assertTrue(r.body().contains("still fine"));
        stop();
        otel = null;

        ProxyObserver throwing = start -> {
            throw new IllegalStateException("observer bug");
        };
        start(throwing);
        provider.enqueue(FakeProvider.chat("also fine"));
        HttpResponse<String> r2 = chat(body("broken observer", false));
        assertEquals(200, r2.statusCode());
        assertTrue(r2.body().contains("also fine"));
        assertFalse(r2.headers().firstValue("X-WatchLLM-Provider").isEmpty());
    }
}
