package dev.watchllm.testing;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicLong;

/** A clock tests move by hand ({@link #advance}) instead of sleeping. Thread-safe; millisecond resolution. */
public final class TestClock extends Clock {
    private final AtomicLong millis;

    public TestClock(Instant start) {
        this.millis = new AtomicLong(start.toEpochMilli());
    }

    public TestClock(String isoInstant) {
        this(Instant.parse(isoInstant));
    }

    public void advance(Duration d) {
        millis.addAndGet(d.toMillis());
    }

    public void set(Instant t) {
        millis.set(t.toEpochMilli());
    }

    @Override
    public long millis() {
        return millis.get();
    }

    @Override
    public Instant instant() {
        return Instant.ofEpochMilli(millis.get());
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        throw new UnsupportedOperationException("tests run in UTC");
    }
}
