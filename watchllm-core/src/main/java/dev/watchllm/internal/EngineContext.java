package dev.watchllm.internal;

import dev.watchllm.metering.UsageMeter;
import dev.watchllm.metering.UsageRecord;
import dev.watchllm.observe.CallObservation;
import dev.watchllm.observe.CallStart;
import dev.watchllm.observe.GuardedObserver;
import dev.watchllm.observe.ProxyObserver;
import dev.watchllm.openai.ParsedRequest;
import dev.watchllm.upstream.Upstream;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.slf4j.LoggerFactory;

/** What every call shares: the upstream client, the scheduler for retries, the problem log. */
final class EngineContext {
    final Upstream upstream;
    final ScheduledExecutorService scheduler;
    /** Wall-clock time for everything time-dependent (TTLs, windows, months); injected so tests never sleep. */
    final Clock clock;
    final OncePerMinuteLog problems = new OncePerMinuteLog(LoggerFactory.getLogger("dev.watchllm.upstream"));
    /** Steps run after every forwarded call (cache store, metering, limit settlement); none may throw. */
    final List<Consumer<CallResult>> settlers;
    /** Prices answers for the cost headers, and meters every settled call (after the settle steps). */
    final UsageMeter meter;

    /** Watches calls (tracing, metrics); guarded, {@link ProxyObserver#NONE} when none is set. */
    final ProxyObserver observer;
    private final ConcurrentHashMap<byte[], CallObservation> observations = new ConcurrentHashMap<>();
    /** Calls that reached admission and are not settled yet: closing waits for them (their cache store, their usage). */
    private final AtomicInteger unsettled = new AtomicInteger();
    private volatile boolean closing;

    EngineContext(Upstream upstream, ScheduledExecutorService scheduler, Clock clock, List<Consumer<CallResult>> settlers,
                  UsageMeter meter) {
        this(upstream, scheduler, clock, settlers, meter, ProxyObserver.NONE);
    }

    EngineContext(Upstream upstream, ScheduledExecutorService scheduler, Clock clock, List<Consumer<CallResult>> settlers,
                  UsageMeter meter, ProxyObserver observer) {
        this.observer = GuardedObserver.of(observer);
        this.upstream = upstream;
        this.scheduler = scheduler;
        this.clock = clock;
        this.settlers = List.copyOf(settlers);
        this.meter = meter;
    }

    /**
     * Ends a call: the settle steps (limits, cache store), then metering, then the observer's end
     * with the metered record. Every path that answered a started call comes through here once.
     */
    void settle(CallResult r) {
        settle(r, true);
    }

    /**
     * Ends a call the gateway refused after it started (a plan limit, a bad cache header): the
     * settle steps release what admission held and the observer sees it, but it is not metered
     * (a refused request is not usage).
     */
    void refuse(CallResult r) {
        settle(r, false);
    }

    /**
     * A call reached admission: from here it ends in exactly one {@link #settle} or
     * {@link #refuse}, which {@link #awaitSettled} waits for.
     */
    void admitting() {
        unsettled.incrementAndGet();
    }

    /**
     * Waits until every call that reached admission is settled, up to {@code timeoutMillis}: a
     * client has its answer before its call is settled (the cache store, the usage record come
     * just after), so a host that stops right after its last answer would lose them otherwise.
     * Returns false on timeout.
     */
    boolean awaitSettled(long timeoutMillis) {
        closing = true;
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        synchronized (unsettled) {
            while (unsettled.get() > 0) {
                long leftNanos = deadline - System.nanoTime();
                if (leftNanos <= 0) return false;
                try {
                    unsettled.wait((leftNanos + 999_999) / 1_000_000); // rounded up: never back before the deadline
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            }
        }
        return true;
    }

    private void settle(CallResult r, boolean metered) {
        try {
            settleSteps(r, metered);
        } finally {
            if (unsettled.decrementAndGet() <= 0 && closing) {
                synchronized (unsettled) {
                    unsettled.notifyAll();
                }
            }
        }
    }

    private void settleSteps(CallResult r, boolean metered) {
        for (Consumer<CallResult> s : settlers) {
            try {
                s.accept(r);
            } catch (RuntimeException e) {
                problems.warn("settle:" + s.getClass().getName(), "A settle step failed (the request was answered): {}", e.toString());
            }
        }
        UsageRecord rec = null;
        if (metered) try {
            rec = meter.meter(r);
        } catch (RuntimeException e) {
            problems.warn("settle:meter", "Metering failed (the request was answered): {}", e.toString());
        }
        if (observer != ProxyObserver.NONE && r.request() != null) {
            CallObservation o = observations.remove(r.request().raw());
            if (o != null) o.end(r, rec);
        }
    }

    /** Starts observing a call (keyed by its body array, which is unique to the request). */
    CallObservation observe(CallStart start) {
        if (observer == ProxyObserver.NONE) return CallObservation.NONE;
        CallObservation o = observer.start(start);
        if (o != CallObservation.NONE) observations.put(start.request().raw(), o);
        return o;
    }

    /** The observation of a started call, or {@link CallObservation#NONE}. */
    CallObservation observation(ParsedRequest req) {
        if (observer == ProxyObserver.NONE) return CallObservation.NONE;
        CallObservation o = observations.get(req.raw());
        return o != null ? o : CallObservation.NONE;
    }
}
