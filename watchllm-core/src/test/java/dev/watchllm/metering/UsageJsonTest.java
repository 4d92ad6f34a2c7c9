package dev.watchllm.metering;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.StringWriter;
import java.time.Instant;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The hand-written usage line is the text Jackson writes, and reads back as the same record. */
class UsageJsonTest {
    private static final String[] ODD = {"", "plain", "with \"quotes\"", "back\\slash", "tab\tnew\nline\r", "\b\f\u0000\u001f\u007f",
            "é ü 中文 😀", "\u2028\u2029", "</script>", "a/b"};

    @Test
    void everyRecordIsWrittenAsJacksonWritesIt() throws IOException {
        SplittableRandom rnd = new SplittableRandom(42);
        for (int i = 0; i < 20_000; i++) {
            UsageRecord r = new UsageRecord(Instant.ofEpochSecond(rnd.nextLong(0, 4_000_000_000L), rnd.nextInt(1_000_000_000)),
                    text(rnd), text(rnd), text(rnd), text(rnd), text(rnd), text(rnd), text(rnd), rnd.nextBoolean(), text(rnd),
                    similarity(rnd), rnd.nextLong(0, 10_000_000), rnd.nextLong(0, 1000), rnd.nextLong(0, 10_000_000), rnd.nextLong(0, 1000),
                    rnd.nextBoolean(), rnd.nextBoolean(), rnd.nextLong(0, 1L << 40), rnd.nextLong(0, 1L << 40), rnd.nextLong(0, 100_000),
                    rnd.nextInt(100, 600));
            String line = UsageJson.line(r);
            assertEquals(jackson(r), line);
            assertEquals(r, UsageJson.record(UsageJson.MAPPER.readTree(line)));
        }
    }

    private static String text(SplittableRandom rnd) {
        int k = rnd.nextInt(ODD.length + 4);
        if (k == ODD.length) return null;
        if (k > ODD.length) { // random characters, controls and surrogate pairs included
            StringBuilder b = new StringBuilder();
            for (int j = rnd.nextInt(12); j > 0; j--) b.appendCodePoint(rnd.nextInt(3) == 0 ? rnd.nextInt(0x80) : rnd.nextInt(0x1F600));
            return b.toString();
        }
        return ODD[k];
    }

    private static double similarity(SplittableRandom rnd) {
        int k = rnd.nextInt(40);
        return k < 10 ? Double.NaN : k == 10 ? Double.POSITIVE_INFINITY : k == 11 ? Double.NEGATIVE_INFINITY : rnd.nextDouble();
    }

    /** What the line was before: Jackson's generator. */
    private static String jackson(UsageRecord r) throws IOException {
        StringWriter w = new StringWriter();
        try (JsonGenerator g = UsageJson.factory().createGenerator(w)) {
            g.writeStartObject();
            g.writeStringField("time", r.time().toString());
            g.writeStringField("requestId", r.requestId());
            g.writeStringField("project", r.project());
            g.writeStringField("keyId", r.keyId());
            g.writeStringField("endpoint", r.endpoint());
            g.writeStringField("requestedModel", r.requestedModel());
            g.writeStringField("model", r.model());
            g.writeStringField("provider", r.provider());
            g.writeBooleanField("stream", r.stream());
            g.writeStringField("cacheStatus", r.cacheStatus());
            g.writeFieldName("similarity");
            if (Double.isNaN(r.similarity())) g.writeNull();
            else g.writeNumber(r.similarity());
            g.writeNumberField("inputTokens", r.inputTokens());
            g.writeNumberField("cachedInputTokens", r.cachedInputTokens());
            g.writeNumberField("outputTokens", r.outputTokens());
            g.writeNumberField("reasoningTokens", r.reasoningTokens());
            g.writeBooleanField("estimated", r.estimated());
            g.writeBooleanField("unpriced", r.unpriced());
            g.writeFieldName("costUsd");
            g.writeNumber(Usd.format(r.costMicros()));
            g.writeFieldName("potentialCostUsd");
            g.writeNumber(Usd.format(r.potentialCostMicros()));
            g.writeNumberField("latencyMs", r.latencyMs());
            g.writeNumberField("status", r.status());
            g.writeEndObject();
        }
        return w.toString();
    }
}
