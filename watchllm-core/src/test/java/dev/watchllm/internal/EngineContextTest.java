package dev.watchllm.internal;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.watchllm.metering.InMemoryUsageLedger;
import dev.watchllm.metering.Pricing;
import dev.watchllm.metering.UsageMeter;
import dev.watchllm.upstream.JettyUpstream;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Closing waits for calls that were answered but are not settled yet (their cache store and usage come after the answer). */
class EngineContextTest {
    final CountDownLatch inSettle = new CountDownLatch(1);
    final CountDownLatch release = new CountDownLatch(1);
    final ScheduledThreadPoolExecutor scheduler = new ScheduledThreadPoolExecutor(1);
    final UsageMeter meter = new UsageMeter(Pricing.builtIn(), new InMemoryUsageLedger(), List.of(), Clock.systemUTC());
    final JettyUpstream upstream = new JettyUpstream();
    final EngineContext ctx = new EngineContext(upstream, scheduler, Clock.systemUTC(), List.of(r -> {
        inSettle.countDown();
        try {
            release.await(20, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }), meter);

    @AfterEach
    void stop() {
        release.countDown();
        meter.close();
        scheduler.shutdownNow();
        upstream.close();
    }

    static CallResult refused() {
        return new CallResult("req_1", null, null, null, 429, new byte[0], null, false, "BYPASS", Double.NaN, 0);
    }

    @Test
    void nothingInFlightIsSettledAtOnce() {
        assertTrue(ctx.awaitSettled(0));
    }

    @Test
    void closingWaitsForACallStillSettling() throws Exception {
        ctx.admitting();
        CompletableFuture.runAsync(() -> ctx.refuse(refused()));
        assertTrue(inSettle.await(20, TimeUnit.SECONDS));
        assertFalse(ctx.awaitSettled(20), "a call is still in its settle step");
        CompletableFuture<Boolean> closing = CompletableFuture.supplyAsync(() -> ctx.awaitSettled(20_000));
        assertFalse(closing.isDone());
        release.countDown();
        assertTrue(closing.get(20, TimeUnit.SECONDS), "settled once the step finished");
    }

    @Test
    void aCallAdmittedButNeverSettledLetsClosingGoOnAfterTheBound() {
        ctx.admitting();
        long start = System.nanoTime();
        assertFalse(ctx.awaitSettled(100));
        assertTrue(System.nanoTime() - start >= TimeUnit.MILLISECONDS.toNanos(100));
    }
}
