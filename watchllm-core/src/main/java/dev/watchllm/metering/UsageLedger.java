package dev.watchllm.metering;

import java.time.LocalDate;
import java.time.YearMonth;

/**
 * Per-project usage totals per month and per day (UTC). The engine adds every metered request
 * ({@link #add} must be quick and must not do I/O), answers {@code GET /v1/watchllm/usage} from
 * {@link #month}, calls {@link #flush} now and then from a background thread, and {@link #close}
 * when it closes. Implementations are thread-safe.
 */
public interface UsageLedger extends AutoCloseable {
    void add(UsageRecord record);

    /** The project's totals for the month; {@link UsageTotals#EMPTY} when nothing was recorded. */
    UsageTotals month(String project, YearMonth month);

    /** The project's totals for the day; {@link UsageTotals#EMPTY} when nothing was recorded. */
    UsageTotals day(String project, LocalDate day);

    /** Makes what was added so far durable (no-op for a ledger that is not persistent). */
    default void flush() {
    }

    /** Flushes and releases resources. */
    @Override
    default void close() {
        flush();
    }
}
