package dev.watchllm.servlet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.openai.core.http.HttpResponseFor;
import com.openai.core.http.StreamResponse;
import com.openai.errors.BadRequestException;
import com.openai.models.ChatModel;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import dev.watchllm.config.CacheConfig;
import dev.watchllm.testing.FakeProvider;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Identical misses in flight make one provider call; the rest wait for it, boundedly. */
class CoalescingTest {
    final ExecutorService clients = Executors.newFixedThreadPool(100);
    final ConcurrentLinkedQueue<Runnable> held = new ConcurrentLinkedQueue<>();

    @AfterEach
    void stopClients() throws Exception {
        clients.shutdownNow();
        assertTrue(clients.awaitTermination(20, TimeUnit.SECONDS));
    }

    /** A provider answer that is given only when the test releases it. */
    FakeProvider.Behavior heldUntilReleased(FakeProvider.Behavior answer) {
        return (req, resp, cb, r) -> held.add(() -> {
            try {
                answer.answer(req, resp, cb, r);
            } catch (Exception e) {
                cb.failed(e);
            }
        });
    }

    void release() {
        for (Runnable r; (r = held.poll()) != null; ) r.run();
    }

    /** Polls a condition that no latch can report (requests parked inside the gateway), up to 20 s. */
    static void await(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) throw new AssertionError("timed out waiting for " + what);
            LockSupport.parkNanos(1_000_000);
        }
    }

    /** All {@code n} requests are in the server and none is still on a container thread: each leads or waits. */
    static void awaitParked(Gateway gw, int n) {
        await(n + " parked requests", () -> gw.stats.getRequestsActive() == n && gw.stats.getHandleActive() == 0);
    }

    static ChatCompletionCreateParams params(String text) {
        return ChatCompletionCreateParams.builder().model(ChatModel.GPT_4O_MINI).addUserMessage(text).build();
    }

    /** One request, plain or streamed: its X-WatchLLM-Cache value and the answer's text. */
    static Map.Entry<String, String> call(Gateway gw, ChatCompletionCreateParams p, boolean stream) {
        if (stream) {
            HttpResponseFor<StreamResponse<ChatCompletionChunk>> r = gw.client().chat().completions().withRawResponse().createStreaming(p);
            try (StreamResponse<ChatCompletionChunk> s = r.parse()) {
                String text = s.stream().flatMap(c -> c.choices().stream()).map(c -> c.delta().content().orElse("")).collect(Collectors.joining());
                return Map.entry(r.headers().values("X-WatchLLM-Cache").get(0), text);
            }
        }
        HttpResponseFor<ChatCompletion> r = gw.client().chat().completions().withRawResponse().create(p);
        return Map.entry(r.headers().values("X-WatchLLM-Cache").get(0), r.parse().choices().get(0).message().content().orElseThrow());
    }

    @Test
    void aHundredIdenticalMissesMakeOneProviderCall() throws Exception {
        try (Gateway gw = new Gateway()) {
            gw.provider.enqueue(heldUntilReleased(FakeProvider.stream("One ", "answer ", "for ", "all.")));
            ChatCompletionCreateParams p = params("Everybody asks this at once");
            List<Future<Map.Entry<String, String>>> answers = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                boolean stream = i % 2 == 0; // the leader streams: plain followers get the assembled answer
                answers.add(clients.submit(() -> call(gw, p, stream)));
                if (i == 0) await("the leader's provider call", () -> gw.provider.requestCount() == 1);
            }
            awaitParked(gw, 100);
            release();
            List<String> statuses = new ArrayList<>();
            for (Future<Map.Entry<String, String>> f : answers) {
                Map.Entry<String, String> a = f.get(30, TimeUnit.SECONDS);
                assertEquals("One answer for all.", a.getValue());
                statuses.add(a.getKey());
            }
            assertEquals(1, gw.provider.requestCount(), "exactly one provider call");
            assertEquals(1, Collections.frequency(statuses, "MISS"));
            assertEquals(99, Collections.frequency(statuses, "HIT-COALESCED"));
            assertEquals("HIT", call(gw, p, false).getKey(), "and the answer was stored");
        }
    }

    @Test
    void aLeadersErrorReachesItsFollowers() throws Exception {
        try (Gateway gw = new Gateway()) {
            String error = "{\"error\":{\"message\":\"This model does not like you.\",\"type\":\"invalid_request_error\",\"param\":null,\"code\":\"nope\"}}";
            gw.provider.enqueue(heldUntilReleased(FakeProvider.status(400, error)));
            ChatCompletionCreateParams p = params("A doomed question");
            List<Future<Map.Entry<String, String>>> answers = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                boolean stream = i % 3 == 1;
                answers.add(clients.submit(() -> call(gw, p, stream)));
                if (i == 0) await("the leader's provider call", () -> gw.provider.requestCount() == 1);
            }
            awaitParked(gw, 10);
            release();
            for (Future<Map.Entry<String, String>> f : answers) {
                Exception e = org.junit.jupiter.api.Assertions.assertThrows(Exception.class, () -> f.get(30, TimeUnit.SECONDS));
                assertTrue(e.getCause() instanceof BadRequestException, String.valueOf(e.getCause()));
                assertTrue(e.getCause().getMessage().contains("This model does not like you."));
            }
            assertEquals(1, gw.provider.requestCount(), "followers were not sent to a provider that just refused");
        }
    }

    @Test
    void whenTheLeadersClientGoesAwayFollowersMakeTheirOwnCall() throws Exception {
        try (Gateway gw = new Gateway()) {
            gw.provider.enqueue(gw.provider.endlessStream(20)).byDefault(FakeProvider.chat("Answered after all."));
            ChatCompletionCreateParams p = params("The leader will hang up");
            StreamResponse<ChatCompletionChunk> leader = gw.client().chat().completions().createStreaming(p);
            Iterator<ChatCompletionChunk> it = leader.stream().iterator();
            it.next(); // the leader is streaming
            List<Future<Map.Entry<String, String>>> answers = new ArrayList<>();
            for (int i = 0; i < 5; i++) answers.add(clients.submit(() -> call(gw, p, false)));
            awaitParked(gw, 6);
            leader.close(); // the leader's client disconnects mid-stream
            List<String> statuses = new ArrayList<>();
            for (Future<Map.Entry<String, String>> f : answers) {
                Map.Entry<String, String> a = f.get(30, TimeUnit.SECONDS);
                assertEquals("Answered after all.", a.getValue());
                statuses.add(a.getKey());
            }
            assertTrue(gw.provider.awaitBrokenStream(10), "the abandoned stream was cancelled upstream");
            assertEquals(2, gw.provider.requestCount(), "one new leader, not one call per follower");
            assertEquals(1, Collections.frequency(statuses, "MISS"));
            // the others waited on the new leader, or (a follower slower to look again than the new leader to answer)
            // found its answer already stored: either way no call of their own
            assertEquals(4, Collections.frequency(statuses, "HIT-COALESCED") + Collections.frequency(statuses, "HIT"), statuses.toString());
        }
    }

    @Test
    void waitingForALeaderIsBounded() throws Exception {
        try (Gateway gw = new Gateway(b -> b.cache(new CacheConfig(1000, 8L << 20, 64L << 20, 1 << 20, Duration.ofMillis(300))))) {
            gw.provider.enqueue(FakeProvider.hang()).byDefault(FakeProvider.chat("Did not wait forever."));
            ChatCompletionCreateParams p = params("A leader that never answers");
            Future<Map.Entry<String, String>> leader = clients.submit(() -> call(gw, p, false));
            await("the leader's provider call", () -> gw.provider.requestCount() == 1);
            long t0 = System.nanoTime();
            Map.Entry<String, String> follower = call(gw, p, false);
            long waitedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            assertEquals("MISS", follower.getKey(), "it gave up waiting and called the provider itself");
            assertEquals("Did not wait forever.", follower.getValue());
            // had it waited for the leader, it would have got the leader's 504 after the upstream timeout (5 s)
            assertTrue(waitedMs >= 300, "waited " + waitedMs + " ms");
            assertEquals(2, gw.provider.requestCount());
            gw.nextUsage(); // the follower's call settled (metering runs after the cache stored it)
            assertEquals("HIT", call(gw, p, false).getKey(), "later requests use the follower's stored answer, not the stuck leader");
            leader.cancel(true);
        }
    }
}
