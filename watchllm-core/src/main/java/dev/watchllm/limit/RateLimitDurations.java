package dev.watchllm.limit;

/**
 * Durations in the form OpenAI's {@code x-ratelimit-reset-*} headers use (Go's): {@code 120ms},
 * {@code 1s}, {@code 1.5s}, {@code 6m0s}, {@code 1h2m3s}; rounded up to the millisecond.
 */
final class RateLimitDurations {
    private RateLimitDurations() {
    }

    static String format(long nanos) {
        long ms = ceilMillis(nanos);
        if (ms == 0) return "0s";
        if (ms < 1000) return ms + "ms";
        StringBuilder sb = new StringBuilder(12);
        long h = ms / 3_600_000;
        long m = ms / 60_000 % 60;
        long s = ms / 1000 % 60;
        long frac = ms % 1000;
        if (h > 0) sb.append(h).append('h');
        if (h > 0 || m > 0) sb.append(m).append('m');
        sb.append(s);
        if (frac > 0) {
            sb.append('.');
            if (frac < 100) sb.append('0');
            if (frac < 10) sb.append('0');
            long f = frac;
            while (f % 10 == 0) f /= 10;
            sb.append(f);
        }
        return sb.append('s').toString();
    }

    static long ceilMillis(long nanos) {
        return nanos <= 0 ? 0 : (nanos + 999_999) / 1_000_000;
    }

    /** Whole seconds for {@code retry-after}: rounded up, at least 1. */
    static long retryAfterSeconds(long nanos) {
        return Math.max(1, (nanos + 999_999_999) / 1_000_000_000);
    }

    /** Milliseconds for {@code retry-after-ms}: rounded up, at least 1. */
    static long retryAfterMillis(long nanos) {
        return Math.max(1, ceilMillis(nanos));
    }
}
