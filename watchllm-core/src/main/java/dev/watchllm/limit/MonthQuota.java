package dev.watchllm.limit;

import java.time.YearMonth;
import java.time.ZoneOffset;

/**
 * One project's counters for one calendar month (UTC), as a {@link RateLimitStore} keeps them:
 * requests admitted, and the budget as two numbers in integer micro-dollars, {@code committed}
 * (spent plus in-flight reservations, what admission checks) and {@code spent} (settled real cost).
 * Each check-and-add is atomic in the store, so concurrent admissions, on one engine or on several,
 * never both slip under a limit that only one of them fits.
 */
public abstract class MonthQuota {
    private final YearMonth period;
    private final long startMillis;
    private final long endMillis;

    protected MonthQuota(YearMonth period) {
        this.period = period;
        this.startMillis = period.atDay(1).atStartOfDay().toInstant(ZoneOffset.UTC).toEpochMilli();
        this.endMillis = period.plusMonths(1).atDay(1).atStartOfDay().toInstant(ZoneOffset.UTC).toEpochMilli();
    }

    /** The month of {@code epochMillis} (UTC). */
    public static YearMonth monthOf(long epochMillis) {
        return YearMonth.from(java.time.Instant.ofEpochMilli(epochMillis).atZone(ZoneOffset.UTC));
    }

    public final YearMonth period() {
        return period;
    }

    /** When the month ends (epoch ms): the moment the quota resets. */
    public final long endMillis() {
        return endMillis;
    }

    public final boolean contains(long epochMillis) {
        return epochMillis >= startMillis && epochMillis < endMillis;
    }

    public abstract long requests();

    /** Counts one request if fewer than {@code limit} were counted this month. */
    public abstract boolean tryCountRequest(long limit);

    /**
     * Admission's early check, before any per-minute bucket is touched: true when {@code limit}
     * requests were counted this month. A shared store may answer "not spent" from the count it
     * last saw, without asking (another engine may have counted since: {@link #tryCountRequest}
     * decides), but answers "spent" only after asking.
     */
    public boolean requestsSpent(long limit) {
        return requests() >= limit;
    }

    /** Gives back a request counted by {@link #tryCountRequest} that was not admitted after all. */
    public abstract void uncountRequest();

    public abstract long committedMicros();

    public abstract long spentMicros();

    /** As {@link #requestsSpent} for the budget: true when the committed amount reached {@code budgetMicros}. */
    public boolean budgetSpent(long budgetMicros) {
        return committedMicros() >= budgetMicros;
    }

    /**
     * Reserves {@code micros} while spent plus reservations are under {@code budgetMicros}. The
     * check is on what was committed before this request, so the budget is overshot by at most
     * the last admitted request's reservation.
     */
    public abstract boolean tryReserve(long micros, long budgetMicros);

    /** Replaces a reservation by the real cost. */
    public abstract void settle(long reservedMicros, long actualMicros);
}
