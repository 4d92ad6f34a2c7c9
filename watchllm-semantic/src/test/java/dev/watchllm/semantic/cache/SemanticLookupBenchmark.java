package dev.watchllm.semantic.cache;

import dev.watchllm.cache.CachedAnswer;
import dev.watchllm.cache.EhcacheResponseCache;
import dev.watchllm.cache.ExactCache;
import dev.watchllm.config.CacheConfig;
import dev.watchllm.openai.ParsedRequest;
import dev.watchllm.semantic.Embedder;
import dev.watchllm.semantic.SemanticCache;
import dev.watchllm.semantic.SemanticScope;
import dev.watchllm.semantic.VectorIndex;
import dev.watchllm.semantic.VectorIndex.Match;
import dev.watchllm.semantic.embed.EmbeddingExecutor;
import dev.watchllm.semantic.embed.LocalEmbedder;
import dev.watchllm.semantic.index.LocalVectorIndex;
import dev.watchllm.semantic.verify.ParaphraseVerifier;
import dev.watchllm.semantic.verify.WordNetLexicon;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Semantic lookup latency with the embedding excluded, at 100,000 entries in one project (one
 * partition, the worst case: every prompt shares the context). Vectors are 384-dimension unit
 * vectors (the local model's size), uniformly random or ({@code -Dbench.data=clustered}) around
 * 2,000 topics; queries are stored vectors moved slightly (similarity about 0.91) so most searches
 * have a candidate above the threshold, plus random ones that match nothing.
 *
 * <ol>
 * <li>{@code index}: {@link LocalVectorIndex#nearest} alone (HNSW, k = 8, threshold 0.80), in wall
 *     time and in the thread's CPU time (which a loaded machine's scheduling does not inflate),
 *     with its recall: against the moved vectors' twins, and against an exact scan of every
 *     entry;</li>
 * <li>{@code lookup}: what the engine does on an exact miss ({@code CacheStep}):
 *     {@link VerifiedSemanticCache#lookup} (the hand-off to the pool, scope hash, prompt analysis,
 *     search, verification of the candidates) and, on the thread that completes it, the fetch of a
 *     hit's answer from the exact cache (Ehcache, heap and off-heap tiers, 100,000 answers). The
 *     embedder answers from a precomputed table, so no model time is counted. Timed from the call
 *     to the fetched answer on the completing thread; also split at the moment the pool asks for
 *     the embedding, and in the CPU time of the pool's threads.</li>
 * </ol>
 *
 * <pre>mvn -B -pl watchllm-semantic -am -Pbench -DskipTests test</pre>
 * (options: {@code -Dbench.data=clustered -Dbench.entries=100000 -Dbench.queries=20000
 * -Dbench.m=32 -Dbench.buildBeam=100 -Dbench.searchBeam=40})
 */
public final class SemanticLookupBenchmark {
    private static final int DIM = LocalEmbedder.DIMENSIONS;
    private static final double THRESHOLD = 0.80;
    private static final int K = 8;
    private static final byte[] ANSWER = ("{\"id\":\"chatcmpl-bench\",\"object\":\"chat.completion\",\"created\":1767225600,"
            + "\"model\":\"gpt-4o-mini\",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"A short "
            + "answer of about the length a cached explanation has, a sentence or two: enough bytes to be copied.\"},"
            + "\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":14,\"completion_tokens\":31,\"total_tokens\":45}}")
            .getBytes(StandardCharsets.UTF_8);

    private SemanticLookupBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int entries = Integer.getInteger("bench.entries", 100_000);
        int queries = Integer.getInteger("bench.queries", 20_000);
        boolean clustered = "clustered".equals(System.getProperty("bench.data", "random"));
        LocalVectorIndex.Settings d = LocalVectorIndex.Settings.DEFAULT;
        LocalVectorIndex.Settings settings = new LocalVectorIndex.Settings(d.hnswThreshold(), Math.max(entries, d.maxEntriesPerProject()),
                Integer.getInteger("bench.m", d.hnswM()), Integer.getInteger("bench.buildBeam", d.hnswBeamWidth()),
                Integer.getInteger("bench.searchBeam", d.searchBeam()));
        System.out.printf(Locale.ROOT, "data: %s; %s; %d cores, load average %.2f; %s%n", clustered ? "clustered (2,000 topics)" : "uniform random",
                settings, Runtime.getRuntime().availableProcessors(), ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage(),
                System.getProperty("java.vm.name") + " " + System.getProperty("java.version"));
        Random r = new Random(42);
        Instant now = Instant.parse("2026-03-01T10:00:00Z");
        Clock clock = Clock.fixed(now, ZoneOffset.UTC);
        float[][] vectors = new float[entries][];
        Map<String, float[]> table = new ConcurrentHashMap<>();

        float[][] topics = new float[2000][];
        for (int i = 0; i < topics.length; i++) topics[i] = unit(r, DIM);
        try (LocalVectorIndex index = LocalVectorIndex.inMemory(settings);
             ExactCache answers = new ExactCache(EhcacheResponseCache.open(CacheConfig.DEFAULT, null), clock, CacheConfig.DEFAULT.maxEntryBytes())) {
            // the partition a real request lands in: the cache derives it from the request's context
            ParsedRequest template = SemanticEval.request("question 0");
            String scope = SemanticScope.of("bench", template).partition() + "/bench-space";
            VectorIndex.Partition p = new VectorIndex.Partition("bench", scope);
            long t0 = System.nanoTime();
            for (int i = 0; i < entries; i++) {
                // clustered: prompts about the same topic sit near each other (about 0.6 apart), as real ones do
                vectors[i] = clustered ? near(r, topics[r.nextInt(topics.length)], 0.8) : unit(r, DIM);
                String text = "Explain topic " + i + " in simple terms";
                table.put(normalizedOf(text), vectors[i]);
                index.put(p, new VectorIndex.Entry("ref-" + i, vectors[i], text, now, now.plus(Duration.ofDays(1))));
                answers.store("ref-" + i, CachedAnswer.plain("bench", "openai", now.toEpochMilli(), now.plus(Duration.ofDays(1)).toEpochMilli(), ANSWER));
            }
            index.awaitMaintenance();
            System.out.printf(Locale.ROOT, "built: %,d entries in one partition in %.1f s (HNSW: %s)%n", entries,
                    (System.nanoTime() - t0) / 1e9, index.approximate(p));

            // 1. the index alone
            float[][] qs = new float[queries][];
            int[] targets = new int[queries];
            for (int i = 0; i < queries; i++) {
                targets[i] = i % 4 == 3 ? -1 : r.nextInt(entries);
                qs[i] = targets[i] < 0 ? unit(r, DIM) : near(r, vectors[targets[i]], 0.45);
            }
            for (int i = 0; i < Math.min(5000, queries); i++) index.nearest(p, qs[i], K, THRESHOLD, now); // warm-up
            long[] ns = new long[queries];
            long[] cpu = new long[queries];
            com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
            long self = Thread.currentThread().getId();
            int found = 0;
            int expected = 0;
            long allocated = threads.getThreadAllocatedBytes(self);
            for (int i = 0; i < queries; i++) {
                long c = threads.getCurrentThreadCpuTime();
                long s = System.nanoTime();
                List<Match> m = index.nearest(p, qs[i], K, THRESHOLD, now);
                ns[i] = System.nanoTime() - s;
                cpu[i] = threads.getCurrentThreadCpuTime() - c;
                if (targets[i] >= 0) {
                    expected++;
                    if (!m.isEmpty() && m.get(0).entry().key().equals("ref-" + targets[i])) found++;
                }
            }
            allocated = threads.getThreadAllocatedBytes(self) - allocated;
            report("index.nearest (k=8, >= 0.80), wall time", ns);
            report("index.nearest (k=8, >= 0.80), thread CPU time", cpu);
            System.out.printf(Locale.ROOT, "  recall@1 for the moved vectors (their twin first): %d/%d = %.2f%%; about %,d bytes allocated a search%n",
                    found, expected, 100.0 * found / expected, allocated / queries);
            recallAgainstExactScan(index, p, vectors, qs, now, Integer.getInteger("bench.exactQueries", 300));

            // 2. the whole lookup as the engine runs it, embedding excluded
            java.util.concurrent.atomic.AtomicLong asked = new java.util.concurrent.atomic.AtomicLong();
            Embedder precomputed = new Embedder() {
                @Override
                public String space() {
                    return "bench-space";
                }

                @Override
                public int dimensions() {
                    return DIM;
                }

                @Override
                public CompletionStage<float[]> embed(String text) {
                    asked.set(System.nanoTime()); // one lookup at a time here: read after it completes
                    float[] v = table.get(text);
                    return v != null ? CompletableFuture.completedFuture(v) : CompletableFuture.failedFuture(new IllegalArgumentException(text));
                }
            };
            try (EmbeddingExecutor pool = EmbeddingExecutor.standard("watchllm-semantic");
                 VerifiedSemanticCache cache = VerifiedSemanticCache.builder().index(index).embedder(precomputed).pool(pool)
                         .verifier(new ParaphraseVerifier(WordNetLexicon.load())).lookupTimeout(Duration.ofSeconds(10)).sweepEvery(null)
                         .clock(clock).build()) {
                int n = Math.min(queries, 10_000);
                ParsedRequest[] reqs = new ParsedRequest[n];
                for (int i = 0; i < n; i++) {
                    // a rewording of a stored prompt: its own vector (moved), verified against the stored text
                    int target = targets[i] >= 0 ? targets[i] : r.nextInt(entries);
                    // half reworded only in filler (equal once normalised), half in content (full verification, refused)
                    String text = i % 2 == 0 ? "Could you explain topic " + target + " in simple terms?"
                            : "Describe topic " + target + " in plain words";
                    table.put(normalizedOf(text), qs[i]);
                    reqs[i] = SemanticEval.request(text);
                }
                for (int i = 0; i < Math.min(3000, n); i++) lookup(cache, answers, reqs[i]).get(10, TimeUnit.SECONDS); // warm-up
                long[] poolThreads = poolThreadIds();
                long[] whole = new long[n];
                long[] handOff = new long[n];
                long[] afterEmbedding = new long[n];
                long[] poolCpu = new long[n];
                int hits = 0;
                int served = 0;
                for (int i = 0; i < n; i++) {
                    long c = cpuOf(threads, poolThreads);
                    long s = System.nanoTime();
                    Fetched f = lookup(cache, answers, reqs[i]).get(10, TimeUnit.SECONDS);
                    whole[i] = f.doneAt - s;
                    handOff[i] = asked.get() - s;
                    afterEmbedding[i] = f.doneAt - asked.get();
                    poolCpu[i] = cpuOf(threads, poolThreads) - c;
                    if (f.hit) hits++;
                    if (f.answer != null) served++;
                }
                report("lookup + answer fetch, embedding excluded, wall time", whole);
                report("  of which call -> embedding asked (hand-off to the pool, scope hash, analysis)", handOff);
                report("  of which embedding -> answer fetched (search, verification, fetch)", afterEmbedding);
                report("lookup + answer fetch, CPU time of the pool's threads", poolCpu);
                System.out.printf(Locale.ROOT, "  verified hits: %d/%d, answers fetched: %d; pool threads measured: %d%n", hits, n, served, poolThreads.length);
            }
        }
        System.out.printf(Locale.ROOT, "load average at the end: %.2f%n", ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
    }

    /** A lookup's outcome and when its answer was in hand. */
    private record Fetched(boolean hit, CachedAnswer answer, long doneAt) {
    }

    /**
     * As {@code CacheStep} does on an exact miss: the lookup, then, on the thread that completes it,
     * a hit's answer from the exact cache (a gone answer removes the hit, as there).
     */
    private static CompletableFuture<Fetched> lookup(SemanticCache cache, ExactCache answers, ParsedRequest req) {
        CompletableFuture<Fetched> done = new CompletableFuture<>();
        cache.lookup("bench", req, THRESHOLD, null).whenComplete((hit, failure) -> {
            CachedAnswer a = null;
            if (hit != null && hit.isPresent()) {
                SemanticCache.Hit h = hit.get();
                a = answers.lookup(h.responseRef(), "bench", -1);
                if (a == null) cache.remove("bench", h);
            }
            done.complete(new Fetched(hit != null && hit.isPresent(), a, System.nanoTime()));
        });
        return done;
    }

    /**
     * Of {@code probes} queries, how the index's answer compares with an exact scan of every entry
     * (k = 8, same threshold): the share of the exact top-k the index returned, and how often the
     * best match is the same.
     */
    private static void recallAgainstExactScan(LocalVectorIndex index, VectorIndex.Partition p, float[][] vectors, float[][] qs, Instant now,
                                               int probes) {
        int exactTotal = 0;
        int returned = 0;
        int firstSame = 0;
        int withMatch = 0;
        for (int q = 0; q < Math.min(probes, qs.length); q++) {
            List<Integer> exact = exactTopK(vectors, qs[q]);
            Set<String> got = new HashSet<>();
            List<Match> m = index.nearest(p, qs[q], K, THRESHOLD, now);
            for (Match x : m) got.add(x.entry().key());
            exactTotal += exact.size();
            for (int e : exact) if (got.contains("ref-" + e)) returned++;
            if (!exact.isEmpty()) {
                withMatch++;
                if (!m.isEmpty() && m.get(0).entry().key().equals("ref-" + exact.get(0))) firstSame++;
            }
        }
        System.out.printf(Locale.ROOT, "  against an exact scan (%d queries, %d with a match >= %.2f): recall@%d %d/%d = %.2f%%, same best match %d/%d = %.2f%%%n",
                Math.min(probes, qs.length), withMatch, THRESHOLD, K, returned, exactTotal, exactTotal == 0 ? 100.0 : 100.0 * returned / exactTotal,
                firstSame, withMatch, withMatch == 0 ? 100.0 : 100.0 * firstSame / withMatch);
    }

    private static List<Integer> exactTopK(float[][] vectors, float[] q) {
        List<double[]> best = new ArrayList<>();
        for (int i = 0; i < vectors.length; i++) {
            double s = 0;
            float[] v = vectors[i];
            for (int j = 0; j < v.length; j++) s += q[j] * v[j];
            if (s >= THRESHOLD) best.add(new double[]{s, i});
        }
        best.sort((a, b) -> Double.compare(b[0], a[0]));
        List<Integer> out = new ArrayList<>();
        for (int i = 0; i < Math.min(K, best.size()); i++) out.add((int) best.get(i)[1]);
        return out;
    }

    private static long[] poolThreadIds() {
        return Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().startsWith("watchllm-semantic-"))
                .filter(t -> !t.getName().startsWith("watchllm-semantic-index") && !t.getName().startsWith("watchllm-semantic-sweep"))
                .mapToLong(Thread::getId).toArray();
    }

    private static long cpuOf(java.lang.management.ThreadMXBean threads, long[] ids) {
        long sum = 0;
        for (long id : ids) sum += Math.max(0, threads.getThreadCpuTime(id));
        return sum;
    }

    private static String normalizedOf(String text) {
        return dev.watchllm.semantic.verify.PromptText.of(text).normalized();
    }

    private static void report(String what, long[] ns) {
        long[] s = ns.clone();
        Arrays.sort(s);
        System.out.printf(Locale.ROOT, "%s over %,d calls: p50 %.3f ms, p90 %.3f ms, p99 %.3f ms, p99.9 %.3f ms, max %.3f ms%n", what, s.length,
                at(s, 0.50), at(s, 0.90), at(s, 0.99), at(s, 0.999), s[s.length - 1] / 1e6);
    }

    private static double at(long[] sorted, double q) {
        return sorted[Math.min(sorted.length - 1, (int) Math.floor(q * sorted.length))] / 1e6;
    }

    private static float[] unit(Random r, int dim) {
        float[] v = new float[dim];
        double sum = 0;
        for (int i = 0; i < dim; i++) {
            v[i] = (float) r.nextGaussian();
            sum += v[i] * v[i];
        }
        float inv = (float) (1 / Math.sqrt(sum));
        for (int i = 0; i < dim; i++) v[i] *= inv;
        return v;
    }

    private static float[] near(Random r, float[] v, double noise) {
        float[] d = unit(r, v.length);
        float[] out = new float[v.length];
        double sum = 0;
        for (int i = 0; i < v.length; i++) {
            out[i] = v[i] + (float) (noise * d[i]);
            sum += out[i] * out[i];
        }
        float inv = (float) (1 / Math.sqrt(sum));
        for (int i = 0; i < v.length; i++) out[i] *= inv;
        return out;
    }
}
