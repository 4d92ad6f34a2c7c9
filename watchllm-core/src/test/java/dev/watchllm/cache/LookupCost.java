package dev.watchllm.cache;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.watchllm.config.CacheConfig;
import dev.watchllm.openai.Endpoint;
import dev.watchllm.openai.ParsedRequest;
import dev.watchllm.openai.RequestParser;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;

/**
 * A quick look at what a cache lookup costs on the hit path, JSON parsing excluded: the key of a
 * request with a 1 KB prompt, then the lookup in the heap tier. Not a test (it asserts nothing and
 * times nothing in CI); run it by hand:
 * {@code java -cp <test-classes>:<classes>:<deps> dev.watchllm.cache.LookupCost}.
 */
public final class LookupCost {
    private LookupCost() {
    }

    public static void main(String[] args) throws Exception {
        String prompt = "The quick brown fox jumps over the lazy dog. ".repeat(23).substring(0, 1024);
        String json = "{\"model\":\"gpt-4o-mini\",\"temperature\":0.2,\"max_tokens\":256,\"messages\":["
                + "{\"role\":\"system\",\"content\":\"You are a helpful assistant.\"},{\"role\":\"user\",\"content\":\"" + prompt + "\"}]}";
        ParsedRequest req = RequestParser.parse(Endpoint.CHAT_COMPLETIONS, json.getBytes(StandardCharsets.UTF_8)).request();
        ObjectNode body = req.body();
        Path dir = Files.createTempDirectory("lookup-cost");
        ResponseCache store = EhcacheResponseCache.open(new CacheConfig(1000, 16L << 20, 64L << 20, 1 << 20, Duration.ofSeconds(5)), dir);
        ExactCache cache = new ExactCache(store, Clock.systemUTC(), 1 << 20);
        String key = cache.key("proj", req);
        long now = System.currentTimeMillis();
        store.put(key, CachedAnswer.plain("proj", "fake", now, now + 3_600_000, "{\"choices\":[]}".getBytes(StandardCharsets.UTF_8)));
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long tid = Thread.currentThread().getId();
        int n = 2_000_000;
        long sink = 0;
        // thread CPU time, not wall time: on a shared machine the wall clock also counts time spent descheduled
        for (int round = 0; round < 5; round++) {
            long a0 = mx.getThreadAllocatedBytes(tid);
            long t0 = mx.getCurrentThreadCpuTime();
            for (int i = 0; i < n; i++) sink += CacheKey.of("proj", Endpoint.CHAT_COMPLETIONS, body).length();
            long t1 = mx.getCurrentThreadCpuTime();
            long a1 = mx.getThreadAllocatedBytes(tid);
            for (int i = 0; i < n; i++) sink += cache.lookup(cache.key("proj", req), "proj", -1) != null ? 1 : 0;
            long t2 = mx.getCurrentThreadCpuTime();
            long a2 = mx.getThreadAllocatedBytes(tid);
            System.out.printf("round %d: key %.0f ns/op, %d B/op; key + lookup %.0f ns/op, %d B/op (CPU time)%n", round,
                    (t1 - t0) / (double) n, (a1 - a0) / n, (t2 - t1) / (double) n, (a2 - a1) / n);
        }
        System.out.println("(checksum " + sink + ", body " + json.length() + " bytes)");
        cache.close();
    }
}
