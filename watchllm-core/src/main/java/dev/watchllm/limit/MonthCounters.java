package dev.watchllm.limit;

import java.time.YearMonth;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One project's counters for one calendar month (UTC): requests admitted, and the budget as two
 * numbers, {@code committed} (spent plus in-flight reservations, what admission checks) and
 * {@code spent} (settled real cost). Lock-free: each check-and-add is one CAS loop, so concurrent
 * admissions never both slip under a limit that only one of them fits.
 */
final class MonthCounters extends MonthQuota {
    private final AtomicLong requests = new AtomicLong();
    private final AtomicLong committedMicros = new AtomicLong();
    private final AtomicLong spentMicros = new AtomicLong();

    private MonthCounters(YearMonth period) {
        super(period);
    }

    static MonthCounters of(YearMonth period) {
        return new MonthCounters(period);
    }

    static MonthCounters restored(YearMonth period, long requests, long spentMicros) {
        MonthCounters m = new MonthCounters(period);
        m.requests.set(requests);
        m.spentMicros.set(spentMicros);
        m.committedMicros.set(spentMicros);
        return m;
    }

    @Override
    public long requests() {
        return requests.get();
    }

    /** Counts one request if fewer than {@code limit} were counted this month. */
    @Override
    public boolean tryCountRequest(long limit) {
        long n;
        do {
            n = requests.get();
            if (n >= limit) return false;
        } while (!requests.compareAndSet(n, n + 1));
        return true;
    }

    @Override
    public void uncountRequest() {
        requests.decrementAndGet();
    }

    @Override
    public long committedMicros() {
        return committedMicros.get();
    }

    @Override
    public long spentMicros() {
        return spentMicros.get();
    }

    /**
     * Reserves {@code micros} while spent plus reservations are under {@code budgetMicros}. The
     * check is on what was committed before this request, so the budget is overshot by at most
     * the last admitted request's reservation.
     */
    @Override
    public boolean tryReserve(long micros, long budgetMicros) {
        long c;
        do {
            c = committedMicros.get();
            if (c >= budgetMicros) return false;
        } while (!committedMicros.compareAndSet(c, c + micros));
        return true;
    }

    /** Replaces a reservation by the real cost. */
    @Override
    public void settle(long reservedMicros, long actualMicros) {
        spentMicros.addAndGet(actualMicros);
        committedMicros.addAndGet(actualMicros - reservedMicros);
    }
}
