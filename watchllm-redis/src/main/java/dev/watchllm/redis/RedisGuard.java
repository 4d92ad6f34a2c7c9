package dev.watchllm.redis;

import dev.watchllm.store.StoreUnavailableException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How every Redis call fails: with {@code failOpen} the caller's local fallback answers and a
 * warning is logged at most once a minute (and one line when Redis answers again); without it,
 * calls that guard limits throw {@link StoreUnavailableException} (the engine answers 503). Calls
 * that must never fail a request (cache, usage writes) always fall back.
 */
final class RedisGuard {
    private static final Logger LOG = LoggerFactory.getLogger("dev.watchllm.redis");
    private static final long MINUTE_NANOS = 60_000_000_000L;

    private final boolean failOpen;
    private final String where;
    private final AtomicLong lastWarning = new AtomicLong(Long.MIN_VALUE);
    private volatile boolean down;

    RedisGuard(boolean failOpen, String where) {
        this.failOpen = failOpen;
        this.where = where;
    }

    boolean failOpen() {
        return failOpen;
    }

    /** True while the last call failed. */
    boolean down() {
        return down;
    }

    /** A call that guards a limit: falls back when failing open, else throws {@link StoreUnavailableException}. */
    <T> T limit(String what, Supplier<T> remote, Supplier<T> fallback) {
        try {
            T v = remote.get();
            ok();
            return v;
        } catch (RuntimeException e) {
            failed(what, e);
            if (!failOpen) throw new StoreUnavailableException("Redis at " + where + " did not answer " + what, e);
            return fallback.get();
        }
    }

    /** A call that never fails a request: the fallback answers whatever {@code failOpen} says. */
    <T> T quiet(String what, Supplier<T> remote, Supplier<T> fallback) {
        try {
            T v = remote.get();
            ok();
            return v;
        } catch (RuntimeException e) {
            failed(what, e);
            return fallback.get();
        }
    }

    void ok() {
        if (down) {
            down = false;
            LOG.info("Redis at {} answers again; shared limits, cache and usage are back", where);
        }
    }

    void failed(String what, Throwable e) {
        down = true;
        long now = System.nanoTime();
        long last = lastWarning.get();
        if ((last == Long.MIN_VALUE || now - last >= MINUTE_NANOS) && lastWarning.compareAndSet(last, now)) {
            LOG.warn("Redis at {} failed a {} ({}); {} (this warning repeats at most once a minute while it lasts)", where, what,
                    rootCause(e), failOpen ? "serving on local limits without the shared cache" : "answering 503 store_unavailable");
        }
    }

    private static String rootCause(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) t = t.getCause();
        return t.getClass().getSimpleName() + ": " + t.getMessage();
    }
}
