package dev.watchllm.internal;

import dev.watchllm.config.UpstreamConfig;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.concurrent.ThreadLocalRandom;

/**
 * When to try an upstream again: connect failures, 429 and 5xx (not 501/505), at most
 * {@code maxRetries} times, with exponential backoff and jitter. A provider's {@code retry-after}
 * (or {@code retry-after-ms}) is honoured up to {@code maxRetryAfter}; a longer wait, or
 * {@code x-should-retry: false}, ends retries on that upstream.
 */
final class RetryPolicy {
    private RetryPolicy() {
    }

    static boolean retriableStatus(int status) {
        return status == 429 || status == 408 || (status >= 500 && status != 501 && status != 505);
    }

    /** Delay before retry number {@code retry} (1-based) in ms, or -1 when the provider's wait is too long. */
    static long delayMs(UpstreamConfig u, int retry, String retryAfter, String retryAfterMs) {
        long cap = u.maxRetryAfter().toMillis();
        long asked = parseRetryAfter(retryAfter, retryAfterMs);
        if (asked >= 0) {
            return asked > cap ? -1 : asked;
        }
        long base = u.retryBackoff().toMillis() << Math.min(retry - 1, 10);
        long max = Math.min(base, cap);
        return max / 2 + ThreadLocalRandom.current().nextLong(max / 2 + 1);
    }

    static long parseRetryAfter(String retryAfter, String retryAfterMs) {
        if (retryAfterMs != null) {
            try {
                return Math.max(0, (long) Double.parseDouble(retryAfterMs.trim()));
            } catch (NumberFormatException ignored) {
                // fall through to retry-after
            }
        }
        if (retryAfter == null) return -1;
        String s = retryAfter.trim();
        try {
            return Math.max(0, (long) (Double.parseDouble(s) * 1000));
        } catch (NumberFormatException e) {
            try {
                long at = ZonedDateTime.parse(s, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant().toEpochMilli();
                return Math.max(0, at - Instant.now().toEpochMilli());
            } catch (DateTimeParseException e2) {
                return -1;
            }
        }
    }
}
