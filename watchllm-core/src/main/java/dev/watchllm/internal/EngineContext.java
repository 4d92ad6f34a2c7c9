package dev.watchllm.internal;

import dev.watchllm.metering.UsageMeter;
import dev.watchllm.upstream.Upstream;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
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
    /** Prices answers for the cost headers; also one of the settlers. */
    final UsageMeter meter;

    EngineContext(Upstream upstream, ScheduledExecutorService scheduler, Clock clock, List<Consumer<CallResult>> settlers,
                  UsageMeter meter) {
        this.upstream = upstream;
        this.scheduler = scheduler;
        this.clock = clock;
        this.settlers = List.copyOf(settlers);
        this.meter = meter;
    }

    void settle(CallResult r) {
        for (Consumer<CallResult> s : settlers) {
            try {
                s.accept(r);
            } catch (RuntimeException e) {
                problems.warn("settle:" + s.getClass().getName(), "A settle step failed (the request was answered): {}", e.toString());
            }
        }
    }
}
