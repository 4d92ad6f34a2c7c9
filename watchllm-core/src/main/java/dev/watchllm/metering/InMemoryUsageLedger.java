package dev.watchllm.metering;

import java.time.LocalDate;
import java.time.YearMonth;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A {@link UsageLedger} in memory: totals per project per month and per day (UTC). Adding is a
 * per-bucket atomic update; readers never block writers.
 */
public class InMemoryUsageLedger implements UsageLedger {
    /** A project's bucket in a month: the month itself ({@code 2025-06}) or one of its days ({@code 2025-06-03}). */
    record Bucket(String project, String period) {
    }

    private record Periods(long epochDay, String month, String day) {
    }

    /** month (YYYY-MM) -> buckets of that month */
    final ConcurrentHashMap<String, ConcurrentHashMap<Bucket, UsageTotals>> months = new ConcurrentHashMap<>();
    /** months changed since the last flush */
    final Set<String> dirty = ConcurrentHashMap.newKeySet();
    private volatile Periods periods = new Periods(Long.MIN_VALUE, null, null);

    @Override
    public void add(UsageRecord r) {
        Periods p = periodsOf(r);
        ConcurrentHashMap<Bucket, UsageTotals> m = months.computeIfAbsent(p.month, k -> new ConcurrentHashMap<>());
        m.compute(new Bucket(r.project(), p.month), (k, v) -> (v == null ? UsageTotals.EMPTY : v).plus(r));
        m.compute(new Bucket(r.project(), p.day), (k, v) -> (v == null ? UsageTotals.EMPTY : v).plus(r));
        dirty.add(p.month); // after the update, so a concurrent flush that missed it writes this month again
    }

    /** The record's month and day strings, reused while the day does not change. */
    private Periods periodsOf(UsageRecord r) {
        long epochDay = Math.floorDiv(r.time().getEpochSecond(), 86_400L);
        Periods p = periods;
        if (p.epochDay != epochDay) {
            LocalDate d = LocalDate.ofEpochDay(epochDay);
            p = new Periods(epochDay, YearMonth.from(d).toString(), d.toString());
            periods = p;
        }
        return p;
    }

    @Override
    public UsageTotals month(String project, YearMonth month) {
        String m = month.toString();
        return get(m, new Bucket(project, m));
    }

    @Override
    public UsageTotals day(String project, LocalDate day) {
        return get(YearMonth.from(day).toString(), new Bucket(project, day.toString()));
    }

    private UsageTotals get(String month, Bucket b) {
        Map<Bucket, UsageTotals> m = months.get(month);
        UsageTotals t = m == null ? null : m.get(b);
        return t == null ? UsageTotals.EMPTY : t;
    }
}
