package dev.watchllm.otel;

import dev.watchllm.observe.CallObservation;
import dev.watchllm.observe.CallStart;
import dev.watchllm.observe.ProxyObserver;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.metrics.DoubleCounter;
import io.opentelemetry.api.metrics.DoubleHistogram;
import io.opentelemetry.api.metrics.LongCounter;
import io.opentelemetry.api.metrics.LongHistogram;
import io.opentelemetry.api.metrics.Meter;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.context.propagation.TextMapPropagator;
import java.util.List;
import java.util.Objects;

/**
 * OpenTelemetry for WatchLLM: a {@link ProxyObserver} that turns every LLM call into a GenAI
 * client span ({@code chat gpt-4o-mini}) and GenAI metrics, following the OpenTelemetry GenAI
 * semantic conventions, with WatchLLM's own facts (project, cache status and similarity, cost)
 * beside them.
 *
 * <pre>{@code
 * WatchLlm engine = WatchLlm.builder().config(config)
 *     .observer(WatchLlmTelemetry.create(openTelemetry))
 *     .build();
 * }</pre>
 *
 * <p>The span's parent is the host's current span when the container is instrumented, else the
 * incoming {@code traceparent}; the span's context is propagated to the provider. Prompt and
 * completion text are never recorded unless {@link Builder#captureMessageContent} is set.
 */
public final class WatchLlmTelemetry implements ProxyObserver {
    static final String SCOPE = "dev.watchllm";
    static final List<Long> TOKEN_BUCKETS = List.of(1L, 4L, 16L, 64L, 256L, 1024L, 4096L, 16384L, 65536L, 262144L, 1048576L,
            4194304L, 16777216L, 67108864L);
    static final List<Double> DURATION_BUCKETS = List.of(0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48,
            40.96, 81.92);
    private static final TextMapGetter<java.util.function.Function<String, String>> GETTER = new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(java.util.function.Function<String, String> carrier) {
            return List.of("traceparent", "tracestate", "baggage");
        }

        @Override
        public String get(java.util.function.Function<String, String> carrier, String key) {
            return carrier == null ? null : carrier.apply(key);
        }
    };

    final Tracer tracer;
    final TextMapPropagator propagator;
    final boolean captureContent;
    final LongHistogram tokenUsage;
    final DoubleHistogram duration;
    final DoubleHistogram timeToFirstChunk;
    final LongCounter cacheRequests;
    final DoubleCounter cost;
    final LongCounter rejections;

    private WatchLlmTelemetry(Builder b) {
        OpenTelemetry otel = b.otel;
        this.tracer = otel.getTracer(SCOPE);
        this.propagator = otel.getPropagators().getTextMapPropagator();
        this.captureContent = b.captureContent;
        Meter meter = otel.getMeter(SCOPE);
        this.tokenUsage = meter.histogramBuilder("gen_ai.client.token.usage").ofLongs().setUnit("{token}")
                .setDescription("Number of input and output tokens used").setExplicitBucketBoundariesAdvice(TOKEN_BUCKETS).build();
        this.duration = meter.histogramBuilder("gen_ai.client.operation.duration").setUnit("s")
                .setDescription("GenAI operation duration").setExplicitBucketBoundariesAdvice(DURATION_BUCKETS).build();
        this.timeToFirstChunk = meter.histogramBuilder("gen_ai.client.operation.time_to_first_chunk").setUnit("s")
                .setDescription("Time to receive the first chunk of a streamed answer").setExplicitBucketBoundariesAdvice(DURATION_BUCKETS).build();
        this.cacheRequests = meter.counterBuilder("watchllm.cache.requests").setUnit("{request}")
                .setDescription("LLM calls by cache status (MISS, HIT, HIT-COALESCED, HIT-SEMANTIC, BYPASS)").build();
        this.cost = meter.counterBuilder("watchllm.cost").ofDoubles().setUnit("USD")
                .setDescription("What providers billed, by project").build();
        this.rejections = meter.counterBuilder("watchllm.rate_limit.rejections").setUnit("{request}")
                .setDescription("Requests refused by a plan limit, quota or budget").build();
    }

    /** Telemetry with the defaults (no message content recorded). */
    public static WatchLlmTelemetry create(OpenTelemetry openTelemetry) {
        return builder(openTelemetry).build();
    }

    public static Builder builder(OpenTelemetry openTelemetry) {
        return new Builder(openTelemetry);
    }

    @Override
    public Object captureHostContext() {
        Context c = Context.current();
        return Span.fromContext(c).getSpanContext().isValid() ? c : null;
    }

    /**
     * False: the callbacks start and end spans and record metrics in memory. OpenTelemetry's SDK
     * exports from its own threads (batch span processor, periodic metric reader), and its
     * exporters' {@code export} is asynchronous.
     */
    @Override
    public boolean mayBlock() {
        return false;
    }

    @Override
    public CallObservation start(CallStart start) {
        Context parent = start.hostContext() instanceof Context c ? c : propagator.extract(Context.root(), start.requestHeader(), GETTER);
        return new OtelCall(this, parent, start);
    }

    /** Builds {@link WatchLlmTelemetry}. */
    public static final class Builder {
        private final OpenTelemetry otel;
        private boolean captureContent;

        private Builder(OpenTelemetry otel) {
            this.otel = Objects.requireNonNull(otel, "openTelemetry");
        }

        /**
         * Records prompts and completions on spans ({@code gen_ai.input.messages},
         * {@code gen_ai.output.messages}). Off by default: they may hold personal data.
         */
        public Builder captureMessageContent(boolean capture) {
            this.captureContent = capture;
            return this;
        }

        public WatchLlmTelemetry build() {
            return new WatchLlmTelemetry(this);
        }
    }

    static final AttributeKey<String> OPERATION = AttributeKey.stringKey("gen_ai.operation.name");
    static final AttributeKey<String> PROVIDER = AttributeKey.stringKey("gen_ai.provider.name");
    static final AttributeKey<String> REQUEST_MODEL = AttributeKey.stringKey("gen_ai.request.model");
    static final AttributeKey<Double> TEMPERATURE = AttributeKey.doubleKey("gen_ai.request.temperature");
    static final AttributeKey<Long> MAX_TOKENS = AttributeKey.longKey("gen_ai.request.max_tokens");
    static final AttributeKey<Double> TOP_P = AttributeKey.doubleKey("gen_ai.request.top_p");
    static final AttributeKey<String> RESPONSE_ID = AttributeKey.stringKey("gen_ai.response.id");
    static final AttributeKey<String> RESPONSE_MODEL = AttributeKey.stringKey("gen_ai.response.model");
    static final AttributeKey<List<String>> FINISH_REASONS = AttributeKey.stringArrayKey("gen_ai.response.finish_reasons");
    static final AttributeKey<Long> INPUT_TOKENS = AttributeKey.longKey("gen_ai.usage.input_tokens");
    static final AttributeKey<Long> OUTPUT_TOKENS = AttributeKey.longKey("gen_ai.usage.output_tokens");
    static final AttributeKey<String> TOKEN_TYPE = AttributeKey.stringKey("gen_ai.token.type");
    static final AttributeKey<String> SERVER_ADDRESS = AttributeKey.stringKey("server.address");
    static final AttributeKey<Long> SERVER_PORT = AttributeKey.longKey("server.port");
    static final AttributeKey<String> ERROR_TYPE = AttributeKey.stringKey("error.type");
    static final AttributeKey<String> INPUT_MESSAGES = AttributeKey.stringKey("gen_ai.input.messages");
    static final AttributeKey<String> OUTPUT_MESSAGES = AttributeKey.stringKey("gen_ai.output.messages");
    static final AttributeKey<String> PROJECT = AttributeKey.stringKey("watchllm.project");
    static final AttributeKey<String> CACHE_STATUS = AttributeKey.stringKey("watchllm.cache.status");
    static final AttributeKey<Double> CACHE_SIMILARITY = AttributeKey.doubleKey("watchllm.cache.similarity");
    static final AttributeKey<Double> COST_USD = AttributeKey.doubleKey("watchllm.cost.usd");
    static final AttributeKey<String> REJECTION = AttributeKey.stringKey("watchllm.rejection");
}
