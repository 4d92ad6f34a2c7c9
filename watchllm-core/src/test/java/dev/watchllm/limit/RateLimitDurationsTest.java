package dev.watchllm.limit;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class RateLimitDurationsTest {
    static String f(Duration d) {
        return RateLimitDurations.format(d.toNanos());
    }

    @Test
    void openAiDurationForm() {
        assertEquals("0s", f(Duration.ZERO));
        assertEquals("1ms", f(Duration.ofNanos(1)), "rounded up");
        assertEquals("120ms", f(Duration.ofMillis(120)));
        assertEquals("999ms", f(Duration.ofMillis(999)));
        assertEquals("1s", f(Duration.ofSeconds(1)));
        assertEquals("1.5s", f(Duration.ofMillis(1500)));
        assertEquals("1.05s", f(Duration.ofMillis(1050)));
        assertEquals("1.005s", f(Duration.ofMillis(1005)));
        assertEquals("59.999s", f(Duration.ofMillis(59_999)));
        assertEquals("6m0s", f(Duration.ofMinutes(6)));
        assertEquals("1m30s", f(Duration.ofSeconds(90)));
        assertEquals("1h0m0s", f(Duration.ofHours(1)));
        assertEquals("2h3m4.5s", f(Duration.ofMillis(7_384_500)));
    }

    @Test
    void retryAfterRoundsUpAndIsNeverZero() {
        assertEquals(1, RateLimitDurations.retryAfterSeconds(1));
        assertEquals(1, RateLimitDurations.retryAfterSeconds(0));
        assertEquals(2, RateLimitDurations.retryAfterSeconds(1_000_000_001));
        assertEquals(1, RateLimitDurations.retryAfterMillis(1));
        assertEquals(1500, RateLimitDurations.retryAfterMillis(1_500_000_000));
    }
}
