package dev.watchllm.limit;

import io.github.bucket4j.TimeMeter;
import java.time.Clock;

/**
 * Bucket4j's time source driven by the engine's {@link Clock}, so rate windows follow the same
 * (injectable) time as months and TTLs and tests move time instead of sleeping. Millisecond
 * resolution: {@link Clock#millis()} allocates nothing.
 */
public final class ClockTimeMeter implements TimeMeter {
    private final Clock clock;

    public ClockTimeMeter(Clock clock) {
        this.clock = clock;
    }

    @Override
    public long currentTimeNanos() {
        return clock.millis() * 1_000_000L;
    }

    @Override
    public boolean isWallClockBased() {
        return true;
    }
}
