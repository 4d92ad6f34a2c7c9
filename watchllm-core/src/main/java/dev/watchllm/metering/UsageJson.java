package dev.watchllm.metering;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;

/** The JSON shapes of usage records (one line each in the usage files) and of totals. */
public final class UsageJson {
    static final ObjectMapper MAPPER = JsonMapper.builder().enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS).build();
    private static final JsonFactory FACTORY = MAPPER.getFactory();

    /** The fields of a record, in file and CSV column order. */
    static final List<String> FIELDS = List.of("time", "requestId", "project", "keyId", "endpoint", "requestedModel", "model",
            "provider", "stream", "cacheStatus", "similarity", "inputTokens", "cachedInputTokens", "outputTokens", "reasoningTokens",
            "estimated", "unpriced", "costUsd", "potentialCostUsd", "latencyMs", "status");

    private UsageJson() {
    }

    /**
     * One record as a compact JSON object: the same text Jackson's generator writes, written by
     * hand because the usage thread writes one per request (Jackson's generator set-up and its
     * escaping loop were most of that thread's time). {@code UsageJsonTest} checks it against Jackson.
     */
    static String line(UsageRecord r) {
        StringBuilder b = new StringBuilder(448);
        b.append("{\"time\":");
        string(b, r.time().toString());
        b.append(",\"requestId\":");
        string(b, r.requestId());
        b.append(",\"project\":");
        string(b, r.project());
        b.append(",\"keyId\":");
        string(b, r.keyId());
        b.append(",\"endpoint\":");
        string(b, r.endpoint());
        b.append(",\"requestedModel\":");
        string(b, r.requestedModel());
        b.append(",\"model\":");
        string(b, r.model());
        b.append(",\"provider\":");
        string(b, r.provider());
        b.append(",\"stream\":").append(r.stream());
        b.append(",\"cacheStatus\":");
        string(b, r.cacheStatus());
        b.append(",\"similarity\":");
        if (Double.isNaN(r.similarity())) b.append("null");
        else if (Double.isInfinite(r.similarity())) string(b, Double.toString(r.similarity())); // Jackson quotes non-finite numbers
        else b.append(r.similarity());
        b.append(",\"inputTokens\":").append(r.inputTokens());
        b.append(",\"cachedInputTokens\":").append(r.cachedInputTokens());
        b.append(",\"outputTokens\":").append(r.outputTokens());
        b.append(",\"reasoningTokens\":").append(r.reasoningTokens());
        b.append(",\"estimated\":").append(r.estimated());
        b.append(",\"unpriced\":").append(r.unpriced());
        b.append(",\"costUsd\":").append(Usd.format(r.costMicros()));
        b.append(",\"potentialCostUsd\":").append(Usd.format(r.potentialCostMicros()));
        b.append(",\"latencyMs\":").append(r.latencyMs());
        b.append(",\"status\":").append(r.status());
        return b.append('}').toString();
    }

    private static final char[] HEX = "0123456789ABCDEF".toCharArray();

    /** {@code s} as a JSON string (null: {@code null}), escaped as Jackson escapes by default. */
    static void string(StringBuilder b, String s) {
        if (s == null) {
            b.append("null");
            return;
        }
        b.append('"');
        int n = s.length();
        int from = 0;
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            if (c >= 0x20 && c != '"' && c != '\\') continue;
            b.append(s, from, i);
            from = i + 1;
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\b' -> b.append("\\b");
                case '\t' -> b.append("\\t");
                case '\n' -> b.append("\\n");
                case '\f' -> b.append("\\f");
                case '\r' -> b.append("\\r");
                default -> b.append("\\u00").append(HEX[c >> 4]).append(HEX[c & 0xF]);
            }
        }
        b.append(s, from, n).append('"');
    }

    /** The values of {@link #FIELDS} as text (null for a null), as a CSV row holds them. */
    static List<String> values(UsageRecord r) {
        return Arrays.asList(r.time().toString(), r.requestId(), r.project(), r.keyId(), r.endpoint(), r.requestedModel(), r.model(),
                r.provider(), Boolean.toString(r.stream()), r.cacheStatus(), Double.isNaN(r.similarity()) ? null : Double.toString(r.similarity()),
                Long.toString(r.inputTokens()), Long.toString(r.cachedInputTokens()), Long.toString(r.outputTokens()),
                Long.toString(r.reasoningTokens()), Boolean.toString(r.estimated()), Boolean.toString(r.unpriced()),
                Usd.format(r.costMicros()), Usd.format(r.potentialCostMicros()), Long.toString(r.latencyMs()), Integer.toString(r.status()));
    }

    static UsageRecord record(JsonNode n) {
        JsonNode sim = n.get("similarity");
        return new UsageRecord(Instant.parse(n.get("time").asText()), text(n, "requestId"), text(n, "project"), text(n, "keyId"),
                text(n, "endpoint"), text(n, "requestedModel"), text(n, "model"), text(n, "provider"), n.path("stream").asBoolean(),
                text(n, "cacheStatus"), sim == null || sim.isNull() ? Double.NaN : sim.asDouble(), n.path("inputTokens").asLong(),
                n.path("cachedInputTokens").asLong(), n.path("outputTokens").asLong(), n.path("reasoningTokens").asLong(),
                n.path("estimated").asBoolean(), n.path("unpriced").asBoolean(), micros(n, "costUsd"), micros(n, "potentialCostUsd"),
                n.path("latencyMs").asLong(), n.path("status").asInt());
    }

    private static String text(JsonNode n, String f) {
        JsonNode v = n.get(f);
        return v == null || v.isNull() ? null : v.asText();
    }

    private static long micros(JsonNode n, String f) {
        JsonNode v = n.get(f);
        if (v == null || v.isNull()) return 0;
        return Usd.toMicros(v.isNumber() ? v.decimalValue() : new BigDecimal(v.asText()), f);
    }

    static void writeTotals(JsonGenerator g, UsageTotals t) throws IOException {
        g.writeStartObject();
        g.writeNumberField("requests", t.requests());
        g.writeNumberField("cacheHits", t.cacheHits());
        g.writeNumberField("semanticHits", t.semanticHits());
        g.writeNumberField("inputTokens", t.inputTokens());
        g.writeNumberField("cachedInputTokens", t.cachedInputTokens());
        g.writeNumberField("outputTokens", t.outputTokens());
        g.writeNumberField("reasoningTokens", t.reasoningTokens());
        g.writeNumberField("costMicros", t.costMicros());
        g.writeNumberField("potentialCostMicros", t.potentialCostMicros());
        g.writeNumberField("unpricedRequests", t.unpricedRequests());
        g.writeNumberField("estimatedRequests", t.estimatedRequests());
        g.writeEndObject();
    }

    static UsageTotals totals(JsonNode n) {
        return new UsageTotals(n.path("requests").asLong(), n.path("cacheHits").asLong(), n.path("semanticHits").asLong(),
                n.path("inputTokens").asLong(), n.path("cachedInputTokens").asLong(), n.path("outputTokens").asLong(),
                n.path("reasoningTokens").asLong(), n.path("costMicros").asLong(), n.path("potentialCostMicros").asLong(),
                n.path("unpricedRequests").asLong(), n.path("estimatedRequests").asLong());
    }

    static JsonFactory factory() {
        return FACTORY;
    }

    /** The contract's usage fields of {@code t} ({@code requests} ... {@code unpricedRequests}), inside an object being written. */
    public static void writeContractFields(JsonGenerator g, UsageTotals t) throws IOException {
        g.writeNumberField("requests", t.requests());
        g.writeNumberField("cacheHits", t.cacheHits());
        g.writeNumberField("semanticHits", t.semanticHits());
        g.writeFieldName("cacheHitRate");
        g.writeNumber(t.requests() == 0 ? "0" : java.math.BigDecimal.valueOf(t.cacheHits())
                .divide(java.math.BigDecimal.valueOf(t.requests()), 4, java.math.RoundingMode.HALF_UP).stripTrailingZeros().toPlainString());
        g.writeNumberField("inputTokens", t.inputTokens());
        g.writeNumberField("outputTokens", t.outputTokens());
        g.writeFieldName("costUsd");
        g.writeNumber(Usd.format(t.costMicros()));
        g.writeFieldName("potentialCostUsd");
        g.writeNumber(Usd.format(t.potentialCostMicros()));
        g.writeFieldName("savingsUsd");
        g.writeNumber(Usd.format(t.savingsMicros()));
        g.writeNumberField("unpricedRequests", t.unpricedRequests());
    }
}
