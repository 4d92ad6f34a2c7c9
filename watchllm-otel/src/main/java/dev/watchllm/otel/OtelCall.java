package dev.watchllm.otel;

import static dev.watchllm.otel.WatchLlmTelemetry.CACHE_SIMILARITY;
import static dev.watchllm.otel.WatchLlmTelemetry.CACHE_STATUS;
import static dev.watchllm.otel.WatchLlmTelemetry.COST_USD;
import static dev.watchllm.otel.WatchLlmTelemetry.ERROR_TYPE;
import static dev.watchllm.otel.WatchLlmTelemetry.FINISH_REASONS;
import static dev.watchllm.otel.WatchLlmTelemetry.INPUT_MESSAGES;
import static dev.watchllm.otel.WatchLlmTelemetry.INPUT_TOKENS;
import static dev.watchllm.otel.WatchLlmTelemetry.MAX_TOKENS;
import static dev.watchllm.otel.WatchLlmTelemetry.OPERATION;
import static dev.watchllm.otel.WatchLlmTelemetry.OUTPUT_MESSAGES;
import static dev.watchllm.otel.WatchLlmTelemetry.OUTPUT_TOKENS;
import static dev.watchllm.otel.WatchLlmTelemetry.PROJECT;
import static dev.watchllm.otel.WatchLlmTelemetry.PROVIDER;
import static dev.watchllm.otel.WatchLlmTelemetry.REJECTION;
import static dev.watchllm.otel.WatchLlmTelemetry.REQUEST_MODEL;
import static dev.watchllm.otel.WatchLlmTelemetry.RESPONSE_ID;
import static dev.watchllm.otel.WatchLlmTelemetry.RESPONSE_MODEL;
import static dev.watchllm.otel.WatchLlmTelemetry.SERVER_ADDRESS;
import static dev.watchllm.otel.WatchLlmTelemetry.SERVER_PORT;
import static dev.watchllm.otel.WatchLlmTelemetry.TEMPERATURE;
import static dev.watchllm.otel.WatchLlmTelemetry.TOKEN_TYPE;
import static dev.watchllm.otel.WatchLlmTelemetry.TOP_P;

import com.fasterxml.jackson.databind.JsonNode;
import dev.watchllm.internal.CallResult;
import dev.watchllm.metering.UsageRecord;
import dev.watchllm.observe.CallObservation;
import dev.watchllm.observe.CallStart;
import dev.watchllm.openai.ParsedRequest;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.common.AttributesBuilder;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.context.Context;
import java.net.URI;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;

/** One LLM call's span and measurements. */
final class OtelCall implements CallObservation {
    private final WatchLlmTelemetry t;
    private final Context context;
    private final Span span;
    private final String operation;
    private final String requestModel;
    private final String project;
    private final boolean stream;
    private final long startNanos = System.nanoTime();
    private volatile String provider;
    private volatile long firstChunkNanos;

    OtelCall(WatchLlmTelemetry t, Context parent, CallStart start) {
        this.t = t;
        ParsedRequest req = start.request();
        this.operation = req.endpoint().operation();
        this.requestModel = req.model();
        this.project = start.projectId();
        this.stream = req.stream();
        JsonNode b = req.body();
        var sb = t.tracer.spanBuilder(operation + " " + requestModel)
                .setParent(parent)
                .setSpanKind(SpanKind.CLIENT)
                .setStartTimestamp(start.startEpochNanos(), TimeUnit.NANOSECONDS)
                .setAttribute(OPERATION, operation)
                .setAttribute(REQUEST_MODEL, requestModel)
                .setAttribute(PROJECT, project);
        JsonNode v = b.get("temperature");
        if (v != null && v.isNumber()) sb.setAttribute(TEMPERATURE, v.asDouble());
        v = b.get("max_completion_tokens");
        if (v == null || !v.isIntegralNumber()) v = b.get("max_tokens");
        if (v != null && v.isIntegralNumber()) sb.setAttribute(MAX_TOKENS, v.asLong());
        v = b.get("top_p");
        if (v != null && v.isNumber()) sb.setAttribute(TOP_P, v.asDouble());
        if (t.captureContent) {
            JsonNode input = b.has("messages") ? b.get("messages") : b.has("prompt") ? b.get("prompt") : b.get("input");
            if (input != null) sb.setAttribute(INPUT_MESSAGES, input.toString());
        }
        this.span = sb.startSpan();
        this.context = parent.with(span);
    }

    @Override
    public void upstreamHeaders(BiConsumer<String, String> add) {
        t.propagator.inject(context, add, (carrier, k, val) -> carrier.accept(k, val));
    }

    @Override
    public void upstream(String name, String url) {
        provider = name;
        span.setAttribute(PROVIDER, name);
        try {
            URI u = URI.create(url);
            if (u.getHost() != null) span.setAttribute(SERVER_ADDRESS, u.getHost());
            int port = u.getPort() > 0 ? u.getPort() : "https".equals(u.getScheme()) ? 443 : 80;
            span.setAttribute(SERVER_PORT, (long) port);
        } catch (IllegalArgumentException e) {
            // an unparsable URL: no server attributes
        }
    }

    @Override
    public void firstChunk() {
        if (firstChunkNanos == 0) firstChunkNanos = System.nanoTime();
    }

    @Override
    public void end(CallResult r, UsageRecord usage) {
        long now = System.nanoTime();
        String cache = r.cacheStatus();
        AnswerFacts f = AnswerFacts.of(r.body(), r.events(), t.captureContent);
        if (f.id != null) span.setAttribute(RESPONSE_ID, f.id);
        String responseModel = f.model != null ? f.model : usage != null ? usage.model() : null;
        if (responseModel != null) span.setAttribute(RESPONSE_MODEL, responseModel);
        if (!f.finishReasons.isEmpty()) span.setAttribute(FINISH_REASONS, f.finishReasons);
        if (cache != null) span.setAttribute(CACHE_STATUS, cache);
        if (!Double.isNaN(r.similarity())) span.setAttribute(CACHE_SIMILARITY, r.similarity());
        if (provider == null && r.upstream() != null) span.setAttribute(PROVIDER, r.upstream());
        String prov = provider != null ? provider : r.upstream();
        boolean hit = cache != null && cache.startsWith("HIT");
        if (usage != null) {
            span.setAttribute(INPUT_TOKENS, usage.inputTokens());
            span.setAttribute(OUTPUT_TOKENS, usage.outputTokens());
            if (!usage.unpriced()) span.setAttribute(COST_USD, usage.costMicros() / 1_000_000.0);
        }
        if (t.captureContent && f.text != null && f.text.length() > 0) span.setAttribute(OUTPUT_MESSAGES, f.text.toString());
        String error = errorType(r.status(), f);
        if (error != null) {
            span.setAttribute(ERROR_TYPE, error);
            span.setStatus(StatusCode.ERROR);
        }

        AttributesBuilder ab = Attributes.builder().put(OPERATION, operation).put(REQUEST_MODEL, requestModel);
        if (prov != null) ab.put(PROVIDER, prov);
        if (responseModel != null) ab.put(RESPONSE_MODEL, responseModel);
        Attributes base = ab.build();
        Attributes withError = error == null ? base : base.toBuilder().put(ERROR_TYPE, error).build();
        t.duration.record((now - startNanos) / 1e9, withError);
        if (stream && firstChunkNanos != 0 && !hit) t.timeToFirstChunk.record((firstChunkNanos - startNanos) / 1e9, base);
        if (usage != null && !hit && error == null) {
            t.tokenUsage.record(usage.inputTokens(), base.toBuilder().put(TOKEN_TYPE, "input").build());
            t.tokenUsage.record(usage.outputTokens(), base.toBuilder().put(TOKEN_TYPE, "output").build());
        }
        if (cache != null) t.cacheRequests.add(1, Attributes.of(CACHE_STATUS, cache, PROJECT, project));
        if (usage != null && usage.costMicros() > 0) t.cost.add(usage.costMicros() / 1_000_000.0, Attributes.of(PROJECT, project));
        if (r.status() == 429 && r.upstream() == null && f.errorCode != null) {
            // the gateway's own refusal (a provider's 429 names its upstream): requests, tokens or insufficient_quota
            String kind = "insufficient_quota".equals(f.errorCode) || f.errorType == null ? f.errorCode : f.errorType;
            t.rejections.add(1, Attributes.of(PROJECT, project, REJECTION, kind));
        }
        span.end(); // last: whoever waits for the span finds the call's measurements recorded
    }

    /** The error's code (e.g. {@code rate_limit_exceeded}, {@code upstream_timeout}), else the status; null on success. */
    private static String errorType(int status, AnswerFacts f) {
        if (status == 0) return "client_disconnected";
        if (status < 400) return null;
        return f.errorCode != null ? f.errorCode : Integer.toString(status);
    }
}
