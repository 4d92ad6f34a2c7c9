package dev.watchllm.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.watchllm.config.UpstreamConfig;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import org.junit.jupiter.api.Test;

class RetryPolicyTest {
    final UpstreamConfig u = UpstreamConfig.of("u", "http://h/v1", null, List.of("*")).withRetries(3, Duration.ofMillis(100));

    @Test
    void retriableStatuses() {
        for (int s : new int[] {408, 429, 500, 502, 503, 504, 529}) assertTrue(RetryPolicy.retriableStatus(s), "" + s);
        for (int s : new int[] {200, 400, 401, 403, 404, 409, 422, 501, 505}) assertFalse(RetryPolicy.retriableStatus(s), "" + s);
    }

    @Test
    void exponentialBackoffWithJitterWithinBounds() {
        for (int i = 0; i < 200; i++) {
            long d1 = RetryPolicy.delayMs(u, 1, null, null);
            long d3 = RetryPolicy.delayMs(u, 3, null, null);
            assertTrue(d1 >= 50 && d1 <= 100, "retry 1: " + d1);
            assertTrue(d3 >= 200 && d3 <= 400, "retry 3: " + d3);
        }
        long capped = RetryPolicy.delayMs(u, 20, null, null);
        assertTrue(capped <= u.maxRetryAfter().toMillis(), "never longer than maxRetryAfter: " + capped);
    }

    @Test
    void providerWaitsAreHonouredUpToTheCap() {
        assertEquals(2000, RetryPolicy.delayMs(u, 1, "2", null));
        assertEquals(1500, RetryPolicy.delayMs(u, 1, "1.5", null));
        assertEquals(250, RetryPolicy.delayMs(u, 1, "2", "250"), "retry-after-ms wins");
        assertEquals(-1, RetryPolicy.delayMs(u, 1, "3600", null), "longer than maxRetryAfter (10s): give up");
        assertEquals(0, RetryPolicy.delayMs(u, 1, "-3", null));
        String date = ZonedDateTime.now().plusSeconds(5).format(DateTimeFormatter.RFC_1123_DATE_TIME);
        long d = RetryPolicy.delayMs(u, 1, date, null);
        assertTrue(d > 3000 && d <= 5000, "an HTTP date: " + d);
        long fallback = RetryPolicy.delayMs(u, 1, "soon", "later");
        assertTrue(fallback >= 50 && fallback <= 100, "unreadable values: own backoff, " + fallback);
    }
}
