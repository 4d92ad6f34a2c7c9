package dev.watchllm.admin;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.watchllm.metering.Usd;
import dev.watchllm.metering.UsageTotals;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;

/** The admin API's JSON: usage figures in the same shape and units as {@code GET /v1/watchllm/usage}. */
final class AdminJson {
    static final JsonFactory FACTORY = new JsonFactory();

    /** Writes one JSON document. */
    interface Body {
        void write(JsonGenerator g) throws IOException;
    }

    private AdminJson() {
    }

    static byte[] of(Body body) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(1024);
        try (JsonGenerator g = FACTORY.createGenerator(out)) {
            body.write(g);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** The usage fields of {@code t} (inside an object being written). */
    static void usage(JsonGenerator g, UsageTotals t) throws IOException {
        dev.watchllm.metering.UsageJson.writeContractFields(g, t);
    }

    /** An amount of micro-dollars as a USD number with up to 6 decimals. */
    static void usd(JsonGenerator g, String field, long micros) throws IOException {
        g.writeFieldName(field);
        g.writeNumber(Usd.format(micros));
    }

    static void time(JsonGenerator g, String field, Instant t) throws IOException {
        if (t == null) g.writeNullField(field);
        else g.writeStringField(field, t.toString());
    }
}
