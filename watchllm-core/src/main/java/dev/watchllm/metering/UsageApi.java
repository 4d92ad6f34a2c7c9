package dev.watchllm.metering;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.watchllm.auth.Caller;
import dev.watchllm.http.Exchange;
import dev.watchllm.internal.Responses;
import dev.watchllm.openai.OpenAiError;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Clock;
import java.time.LocalDate;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;

/**
 * {@code GET /v1/watchllm/usage[?period=YYYY-MM]}: the calling key's project's totals for the
 * month (default: the current UTC month), or for one day with {@code period=YYYY-MM-DD}. A key
 * only ever sees its own project.
 */
final class UsageApi {
    private final UsageLedger ledger;
    private final Clock clock;

    UsageApi(UsageLedger ledger, Clock clock) {
        this.ledger = ledger;
        this.clock = clock;
    }

    void answer(Exchange ex, Caller caller) {
        String period = param(ex.query(), "period");
        String project = caller.projectId();
        UsageTotals t;
        String label;
        try {
            if (period == null || period.isEmpty()) {
                YearMonth m = YearMonth.from(clock.instant().atZone(ZoneOffset.UTC));
                t = ledger.month(project, m);
                label = m.toString();
            } else if (period.length() == 7) {
                YearMonth m = YearMonth.parse(period);
                t = ledger.month(project, m);
                label = m.toString();
            } else if (period.length() == 10) {
                LocalDate d = LocalDate.parse(period);
                t = ledger.day(project, d);
                label = d.toString();
            } else {
                throw new DateTimeParseException("bad length", period, 0);
            }
        } catch (DateTimeParseException e) {
            Responses.error(ex, OpenAiError.invalidRequest("'period' must be a month as YYYY-MM (or a day as YYYY-MM-DD).", "period"));
            return;
        } catch (dev.watchllm.store.StoreUnavailableException e) {
            Responses.error(ex, dev.watchllm.store.StoreUnavailableException.ERROR); // a shared ledger that cannot answer: no partial totals
            return;
        }
        ex.header("Cache-Control", "no-store");
        Responses.json(ex, 200, json(project, label, t));
    }

    static byte[] json(String project, String period, UsageTotals t) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(384);
        try (JsonGenerator g = UsageJson.factory().createGenerator(out)) {
            g.writeStartObject();
            g.writeStringField("project", project);
            g.writeStringField("period", period);
            UsageJson.writeContractFields(g, t);
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** The raw value of {@code name} in a query string (no decoding needed for the values we accept), or null. */
    static String param(String query, String name) {
        if (query == null) return null;
        int i = 0;
        while (i <= query.length()) {
            int amp = query.indexOf('&', i);
            if (amp < 0) amp = query.length();
            int eq = query.indexOf('=', i);
            if (eq > i && eq < amp && query.regionMatches(i, name, 0, name.length()) && eq - i == name.length()) {
                return query.substring(eq + 1, amp);
            }
            i = amp + 1;
        }
        return null;
    }
}
