package dev.watchllm.admin;

import dev.watchllm.metering.HourlyUsage;
import dev.watchllm.metering.UsageLedger;
import dev.watchllm.metering.UsageTotals;
import dev.watchllm.openai.OpenAiError;
import java.io.IOException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;

/**
 * A project's usage over time for {@code GET <admin>/api/projects/{id}/usage?from=&to=&bucket=hour|day}.
 * Day buckets come from the {@link UsageLedger} (the same totals as {@code GET /v1/watchllm/usage}),
 * hour buckets from {@link HourlyUsage}. Every bucket of the range is listed, empty ones too, so a
 * chart needs no gap filling.
 */
final class UsageSeries {
    /** Bucket sizes, each with the longest range it may span. */
    enum Bucket {
        HOUR(ChronoUnit.HOURS, 24 * 31),
        DAY(ChronoUnit.DAYS, 366);

        final ChronoUnit unit;
        final int maxBuckets;

        Bucket(ChronoUnit unit, int maxBuckets) {
            this.unit = unit;
            this.maxBuckets = maxBuckets;
        }

        String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** A parsed request: bucket size and the half-open range [from, to), both on bucket boundaries. */
    record Range(Bucket bucket, Instant from, Instant to) {
        long buckets() {
            return bucket.unit.between(from, to);
        }
    }

    /** One bucket: its start and its totals. */
    record Point(Instant start, UsageTotals totals) {
    }

    /** Bad query parameters, as the error to answer with. */
    static final class BadQuery extends Exception {
        private static final long serialVersionUID = 1L;
        final transient OpenAiError error;

        BadQuery(String message, String param) {
            super(message, null, false, false);
            this.error = OpenAiError.invalidRequest(message, param);
        }
    }

    private final UsageLedger ledger;
    private final HourlyUsage hourly;

    UsageSeries(UsageLedger ledger, HourlyUsage hourly) {
        this.ledger = ledger;
        this.hourly = hourly;
    }

    /**
     * Reads {@code bucket} (default {@code day}), {@code from} and {@code to} (a date {@code 2026-03-04}
     * meaning its 00:00 UTC, or an instant {@code 2026-03-04T10:00:00Z}; {@code to} is exclusive).
     * Defaults: the last 24 hours for hours, the last 30 days (today included) for days. {@code from}
     * is rounded down and {@code to} up to whole buckets.
     */
    static Range range(QueryString q, Instant now) throws BadQuery {
        String b = q.get("bucket");
        Bucket bucket;
        if (b == null || b.equals("day")) bucket = Bucket.DAY;
        else if (b.equals("hour")) bucket = Bucket.HOUR;
        else throw new BadQuery("'bucket' must be 'hour' or 'day'.", "bucket");
        Instant to = q.get("to") == null ? ceil(now.plusNanos(1), bucket) : ceil(instant(q.get("to"), "to"), bucket);
        Instant from = q.get("from") == null
                ? (bucket == Bucket.HOUR ? to.minus(24, ChronoUnit.HOURS) : to.minus(30, ChronoUnit.DAYS))
                : floor(instant(q.get("from"), "from"), bucket);
        if (!from.isBefore(to)) throw new BadQuery("'from' must be before 'to'.", "from");
        Range r = new Range(bucket, from, to);
        if (r.buckets() > bucket.maxBuckets) {
            throw new BadQuery("At most " + bucket.maxBuckets + " " + bucket.label() + " buckets per request; narrow 'from' and 'to'"
                    + (bucket == Bucket.HOUR ? " or use bucket=day." : "."), "from");
        }
        return r;
    }

    /** The project's totals for every bucket of {@code r}, oldest first. */
    List<Point> points(String project, Range r) throws IOException {
        List<Point> out = new ArrayList<>((int) r.buckets());
        if (r.bucket() == Bucket.DAY) {
            for (Instant t = r.from(); t.isBefore(r.to()); t = t.plus(1, ChronoUnit.DAYS)) {
                out.add(new Point(t, ledger.day(project, LocalDate.ofInstant(t, ZoneOffset.UTC))));
            }
            return out;
        }
        LocalDate day = null;
        UsageTotals[] hours = null;
        for (Instant t = r.from(); t.isBefore(r.to()); t = t.plus(1, ChronoUnit.HOURS)) {
            LocalDate d = LocalDate.ofInstant(t, ZoneOffset.UTC);
            if (!d.equals(day)) {
                day = d;
                hours = hourly.hours(project, d);
            }
            out.add(new Point(t, hours[t.atZone(ZoneOffset.UTC).getHour()]));
        }
        return out;
    }

    private static Instant instant(String v, String param) throws BadQuery {
        try {
            if (v.length() == 10) return LocalDate.parse(v).atStartOfDay(ZoneOffset.UTC).toInstant();
            return OffsetDateTime.parse(v).toInstant();
        } catch (DateTimeParseException e) {
            throw new BadQuery("'" + param + "' must be a date (2026-03-04) or an instant (2026-03-04T10:00:00Z).", param);
        }
    }

    private static Instant floor(Instant t, Bucket b) {
        return t.truncatedTo(b.unit);
    }

    private static Instant ceil(Instant t, Bucket b) {
        Instant f = t.truncatedTo(b.unit);
        return f.equals(t) ? f : f.plus(1, b.unit);
    }
}
