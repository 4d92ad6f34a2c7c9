package dev.watchllm.semantic.cache;

import dev.watchllm.openai.ParsedRequest;
import dev.watchllm.semantic.Embedder;
import dev.watchllm.semantic.SemanticScope;
import dev.watchllm.semantic.VectorIndex;
import dev.watchllm.semantic.VectorIndex.Match;
import dev.watchllm.semantic.embed.LocalEmbedder;
import dev.watchllm.semantic.index.LocalVectorIndex;
import dev.watchllm.semantic.verify.ParaphraseVerifier;
import dev.watchllm.semantic.verify.WordNetLexicon;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Semantic lookup latency with the embedding excluded, at 100,000 entries in one project (one
 * partition, the worst case: every prompt shares the context). Vectors are random 384-dimension
 * unit vectors (the local model's size); queries are stored vectors moved slightly (similarity
 * about 0.9) so every search has candidates above the threshold, plus random ones that match
 * nothing.
 *
 * <ol>
 * <li>{@code index}: {@link LocalVectorIndex#nearest} alone (HNSW, k = 8, threshold 0.80), in wall
 *     time and in the thread's CPU time (which a loaded machine's scheduling does not inflate);</li>
 * <li>{@code lookup}: {@link VerifiedSemanticCache#lookup} end to end (scope hash, prompt analysis,
 *     search, verification of the candidates, two hops through the pool) with an embedder that
 *     answers from a precomputed table, so no model time is counted.</li>
 * </ol>
 *
 * <pre>mvn -B -pl watchllm-semantic -am -Pbench -DskipTests test</pre>
 * (options: {@code -Dbench.entries=100000 -Dbench.queries=20000})
 */
public final class SemanticLookupBenchmark {
    private static final int DIM = LocalEmbedder.DIMENSIONS;

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
        System.out.printf(Locale.ROOT, "data: %s; %s; %d cores, load average %.1f%n", clustered ? "clustered (2,000 topics)" : "uniform random",
                settings, Runtime.getRuntime().availableProcessors(),
                java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        Random r = new Random(42);
        Instant now = Instant.parse("2026-03-01T10:00:00Z");
        float[][] vectors = new float[entries][];
        Map<String, float[]> table = new ConcurrentHashMap<>();

        float[][] topics = new float[2000][];
        for (int i = 0; i < topics.length; i++) topics[i] = unit(r, DIM);
        try (LocalVectorIndex index = LocalVectorIndex.inMemory(settings)) {
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
            for (int i = 0; i < Math.min(5000, queries); i++) index.nearest(p, qs[i], 8, 0.80, now); // warm-up
            long[] ns = new long[queries];
            long[] cpu = new long[queries];
            java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
            int found = 0;
            int expected = 0;
            for (int i = 0; i < queries; i++) {
                long c = threads.getCurrentThreadCpuTime();
                long s = System.nanoTime();
                List<Match> m = index.nearest(p, qs[i], 8, 0.80, now);
                ns[i] = System.nanoTime() - s;
                cpu[i] = threads.getCurrentThreadCpuTime() - c;
                if (targets[i] >= 0) {
                    expected++;
                    if (!m.isEmpty() && m.get(0).entry().key().equals("ref-" + targets[i])) found++;
                }
            }
            report("index.nearest (k=8, >= 0.80), wall time", ns);
            report("index.nearest (k=8, >= 0.80), thread CPU time", cpu);
            System.out.printf(Locale.ROOT, "  recall@1 of the HNSW search for the moved vectors: %d/%d = %.2f%%%n", found, expected,
                    100.0 * found / expected);

            // 2. the whole lookup, embedding excluded
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
                    float[] v = table.get(text);
                    return v != null ? CompletableFuture.completedFuture(v) : CompletableFuture.failedFuture(new IllegalArgumentException(text));
                }
            };
            try (VerifiedSemanticCache cache = VerifiedSemanticCache.builder().index(index).embedder(precomputed)
                    .verifier(new ParaphraseVerifier(WordNetLexicon.load())).lookupTimeout(Duration.ofSeconds(10)).sweepEvery(null)
                    .clock(java.time.Clock.fixed(now, java.time.ZoneOffset.UTC)).build()) {
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
                for (int i = 0; i < Math.min(3000, n); i++) cache.lookup("bench", reqs[i], 0.80).toCompletableFuture().get(10, TimeUnit.SECONDS);
                long[] lns = new long[n];
                int hits = 0;
                for (int i = 0; i < n; i++) {
                    long s = System.nanoTime();
                    if (cache.lookup("bench", reqs[i], 0.80).toCompletableFuture().get(10, TimeUnit.SECONDS).isPresent()) hits++;
                    lns[i] = System.nanoTime() - s;
                }
                report("cache.lookup, embedding excluded", lns);
                System.out.printf(Locale.ROOT, "  verified hits: %d/%d%n", hits, n);
            }
        }
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
