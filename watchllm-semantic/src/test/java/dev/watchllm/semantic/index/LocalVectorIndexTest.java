package dev.watchllm.semantic.index;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.watchllm.semantic.VectorIndex.Entry;
import dev.watchllm.semantic.VectorIndex.Match;
import dev.watchllm.semantic.VectorIndex.Partition;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalVectorIndexTest {
    private static final Instant T0 = Instant.parse("2026-03-01T10:00:00Z");
    private static final Partition P = new Partition("proj", "ctx");

    static float[] random(Random r, int dim) {
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

    /** {@code v} moved a little: similarity about 1 - noise^2/2. */
    static float[] near(Random r, float[] v, double noise) {
        float[] out = v.clone();
        float[] d = random(r, v.length);
        double sum = 0;
        for (int i = 0; i < v.length; i++) {
            out[i] += (float) (noise * d[i]);
            sum += out[i] * out[i];
        }
        float inv = (float) (1 / Math.sqrt(sum));
        for (int i = 0; i < v.length; i++) out[i] *= inv;
        return out;
    }

    private static Entry entry(String key, float[] v, Instant stored, Duration ttl) {
        return new Entry(key, v, "text of " + key, stored, stored.plus(ttl));
    }

    @Test
    void exactScanFindsTheNearestAboveTheThreshold() {
        Random r = new Random(1);
        try (LocalVectorIndex index = LocalVectorIndex.inMemory(LocalVectorIndex.Settings.DEFAULT)) {
            float[] a = random(r, 16);
            float[] b = random(r, 16);
            assertTrue(index.put(P, entry("a", a, T0, Duration.ofHours(1))));
            assertTrue(index.put(P, entry("b", b, T0, Duration.ofHours(1))));
            List<Match> m = index.nearest(P, near(r, a, 0.1), 5, 0.9, T0);
            assertEquals(1, m.size());
            assertEquals("a", m.get(0).entry().key());
            assertTrue(m.get(0).similarity() > 0.99 && m.get(0).similarity() <= 1.0001);
            assertEquals(2, index.nearest(P, a, 5, -1, T0).size());
            assertEquals("a", index.nearest(P, a, 1, -1, T0).get(0).entry().key());
            assertFalse(index.approximate(P));
        }
    }

    @Test
    void partitionsAndProjectsNeverMeet() {
        Random r = new Random(2);
        try (LocalVectorIndex index = LocalVectorIndex.inMemory(LocalVectorIndex.Settings.DEFAULT)) {
            float[] a = random(r, 8);
            index.put(P, entry("a", a, T0, Duration.ofHours(1)));
            assertEquals(1, index.nearest(P, a, 3, 0.5, T0).size());
            assertTrue(index.nearest(new Partition("other-project", "ctx"), a, 3, -1, T0).isEmpty());
            assertTrue(index.nearest(new Partition("proj", "other-context"), a, 3, -1, T0).isEmpty());
            assertTrue(index.nearest(P, new float[4], 3, -1, T0).isEmpty(), "another dimension never matches");
            assertFalse(index.put(P, entry("x", random(r, 4), T0, Duration.ofHours(1))), "a partition keeps one dimension");
            assertEquals(1, index.size("proj"));
            assertEquals(0, index.size("other-project"));
        }
    }

    @Test
    void replaceRemoveAndExpire() {
        Random r = new Random(3);
        try (LocalVectorIndex index = LocalVectorIndex.inMemory(LocalVectorIndex.Settings.DEFAULT)) {
            float[] a = random(r, 8);
            float[] a2 = random(r, 8);
            index.put(P, entry("a", a, T0, Duration.ofMinutes(10)));
            index.put(P, entry("a", a2, T0, Duration.ofMinutes(10)));
            assertEquals(1, index.size("proj"));
            assertTrue(index.nearest(P, a, 1, 0.99, T0).isEmpty(), "the replaced vector is gone");
            assertEquals(1, index.nearest(P, a2, 1, 0.99, T0).size());
            assertTrue(index.nearest(P, a2, 1, 0.99, T0.plus(Duration.ofMinutes(10))).isEmpty(), "expired entries are never returned");
            index.put(P, entry("b", a, T0, Duration.ofHours(1)));
            assertEquals(1, index.evictExpired(T0.plus(Duration.ofMinutes(11))));
            assertEquals(1, index.size("proj"));
            assertTrue(index.remove(P, "b"));
            assertFalse(index.remove(P, "b"));
            assertEquals(0, index.size("proj"));
            index.evictExpired(T0.plus(Duration.ofMinutes(12))); // retires the empty partition
            assertTrue(index.put(P, entry("c", a, T0.plus(Duration.ofMinutes(12)), Duration.ofHours(1))), "a retired partition is recreated");
            assertEquals(1, index.nearest(P, a, 1, 0.99, T0.plus(Duration.ofMinutes(12))).size());
        }
    }

    @Test
    void aFullProjectRefusesNewEntries() {
        Random r = new Random(4);
        LocalVectorIndex.Settings s = new LocalVectorIndex.Settings(4096, 3, 16, 100, 64);
        try (LocalVectorIndex index = LocalVectorIndex.inMemory(s)) {
            for (int i = 0; i < 3; i++) assertTrue(index.put(new Partition("proj", "c" + i), entry("k" + i, random(r, 8), T0, Duration.ofHours(1))));
            assertFalse(index.put(P, entry("k3", random(r, 8), T0, Duration.ofHours(1))));
            assertTrue(index.put(new Partition("other", "c"), entry("k", random(r, 8), T0, Duration.ofHours(1))), "other projects are not affected");
        }
    }

    @Test
    void largePartitionsSwitchToHnswWithHighRecall() throws Exception {
        Random r = new Random(5);
        int n = 3000;
        float[][] vs = new float[n][];
        LocalVectorIndex.Settings s = new LocalVectorIndex.Settings(500, 100_000, 16, 100, 64);
        try (LocalVectorIndex index = LocalVectorIndex.inMemory(s)) {
            for (int i = 0; i < n; i++) {
                vs[i] = random(r, 64);
                index.put(P, entry("k" + i, vs[i], T0, Duration.ofHours(1)));
            }
            index.awaitMaintenance();
            assertTrue(index.approximate(P));
            int found = 0;
            for (int q = 0; q < 200; q++) {
                int target = r.nextInt(n);
                List<Match> m = index.nearest(P, near(r, vs[target], 0.2), 1, 0.5, T0);
                if (!m.isEmpty() && m.get(0).entry().key().equals("k" + target)) found++;
            }
            assertTrue(found >= 196, "recall@1 " + found + "/200");
            // entries added after the graph was built are found through it
            float[] late = random(r, 64);
            index.put(P, entry("late", late, T0, Duration.ofHours(1)));
            assertEquals("late", index.nearest(P, late, 1, 0.9, T0).get(0).entry().key());
            // removed entries are filtered out of graph results
            index.remove(P, "late");
            assertTrue(index.nearest(P, late, 1, 0.9, T0).isEmpty());
        }
    }

    /** A unit vector at exactly {@code similarity} to {@code x}. */
    private static float[] at(Random r, float[] x, double similarity) {
        float[] y = random(r, x.length);
        double d = 0;
        for (int i = 0; i < x.length; i++) d += x[i] * y[i];
        double n = 0;
        for (int i = 0; i < x.length; i++) {
            y[i] -= (float) (d * x[i]);
            n += y[i] * y[i];
        }
        double side = Math.sqrt(1 - similarity * similarity) / Math.sqrt(n);
        for (int i = 0; i < x.length; i++) y[i] = (float) (similarity * x[i] + side * y[i]);
        return y;
    }

    @Test
    void theSketchGateNeverDropsAVectorAtTheThresholdButDropsUnrelatedOnes() {
        Random r = new Random(9);
        for (int dim : new int[]{16, 384}) {
            BinaryCodes codes = BinaryCodes.forDimension(dim);
            for (double t : new double[]{0.5, 0.8, 0.95, 0.99, 1.0}) {
                int max = codes.maxDistance(t);
                int worst = 0;
                for (int i = 0; i < 5000; i++) {
                    float[] x = random(r, dim);
                    long[] a = codes.encode(x);
                    long[] b = codes.encode(at(r, x, t));
                    worst = Math.max(worst, VectorStore.hamming(a, b, 0));
                }
                assertTrue(worst <= max, dim + " dimensions at " + t + ": " + worst + " bits apart, gate " + max);
            }
            assertEquals(codes.bits(), codes.maxDistance(-1), "no threshold, no gate");
        }
        BinaryCodes codes = BinaryCodes.forDimension(384);
        int max = codes.maxDistance(0.80);
        int kept = 0;
        for (int i = 0; i < 2000; i++) {
            if (VectorStore.hamming(codes.encode(random(r, 384)), codes.encode(random(r, 384)), 0) <= max) kept++;
        }
        assertTrue(kept < 20, "unrelated vectors are not rescored: " + kept + "/2000 passed the gate");
    }

    @Test
    void theScanAndTheGraphAgreeWithABruteForceSearch() throws Exception {
        Random r = new Random(10);
        int n = 4000;
        int dim = 384;
        float[][] topics = new float[200][];
        for (int i = 0; i < topics.length; i++) topics[i] = random(r, dim);
        float[][] vs = new float[n][];
        LocalVectorIndex.Settings graphFrom1000 = new LocalVectorIndex.Settings(1000, 100_000, 32, 100, 40);
        LocalVectorIndex.Settings neverGraph = new LocalVectorIndex.Settings(100_000, 100_000, 32, 100, 40);
        try (LocalVectorIndex graph = LocalVectorIndex.inMemory(graphFrom1000); LocalVectorIndex scan = LocalVectorIndex.inMemory(neverGraph)) {
            for (int i = 0; i < n; i++) {
                vs[i] = near(r, topics[r.nextInt(topics.length)], 0.6);
                graph.put(P, entry("k" + i, vs[i], T0, Duration.ofHours(1)));
                scan.put(P, entry("k" + i, vs[i], T0, Duration.ofHours(1)));
            }
            graph.awaitMaintenance();
            assertTrue(graph.approximate(P));
            assertFalse(scan.approximate(P));
            int expected = 0;
            int returned = 0;
            for (int q = 0; q < 200; q++) {
                float[] query = near(r, vs[r.nextInt(n)], 0.5);
                double threshold = q % 2 == 0 ? 0.80 : 0.60;
                List<String> exact = bruteForce(vs, query, 8, threshold);
                assertEquals(exact, keys(scan.nearest(P, query, 8, threshold, T0)), "the scan is exact");
                List<String> approx = keys(graph.nearest(P, query, 8, threshold, T0));
                expected += exact.size();
                for (String k : exact) if (approx.contains(k)) returned++;
            }
            assertTrue(expected > 400, "the queries have neighbours: " + expected);
            assertTrue(returned >= expected * 0.95, "recall@8 of the graph " + returned + "/" + expected);
        }
    }

    private static List<String> bruteForce(float[][] vs, float[] q, int k, double threshold) {
        List<double[]> all = new java.util.ArrayList<>();
        for (int i = 0; i < vs.length; i++) {
            double s = org.apache.lucene.util.VectorUtil.dotProduct(q, vs[i]);
            if (s >= threshold) all.add(new double[]{s, i});
        }
        all.sort((a, b) -> Double.compare(b[0], a[0]));
        List<String> out = new java.util.ArrayList<>();
        for (int i = 0; i < Math.min(k, all.size()); i++) out.add("k" + (int) all.get(i)[1]);
        return out;
    }

    private static List<String> keys(List<Match> m) {
        return m.stream().map(x -> x.entry().key()).toList();
    }

    @Test
    void searchesRunWhileEntriesAreAddedToTheGraph() throws Exception {
        Random r = new Random(8);
        LocalVectorIndex.Settings s = new LocalVectorIndex.Settings(300, 100_000, 16, 100, 64);
        float[][] vs = new float[2000][];
        for (int i = 0; i < vs.length; i++) vs[i] = random(r, 32);
        try (LocalVectorIndex index = LocalVectorIndex.inMemory(s)) {
            for (int i = 0; i < 1000; i++) index.put(P, entry("k" + i, vs[i], T0, Duration.ofHours(1)));
            index.awaitMaintenance();
            assertTrue(index.approximate(P));
            java.util.concurrent.ExecutorService readers = java.util.concurrent.Executors.newFixedThreadPool(3);
            java.util.List<java.util.concurrent.Future<Integer>> done = new java.util.ArrayList<>();
            for (int t = 0; t < 3; t++) {
                int seed = t;
                done.add(readers.submit(() -> {
                    Random rr = new Random(seed);
                    int found = 0;
                    for (int q = 0; q < 1500; q++) {
                        int target = rr.nextInt(1000);
                        List<Match> m = index.nearest(P, vs[target], 1, 0.99, T0);
                        if (!m.isEmpty() && m.get(0).entry().key().equals("k" + target)) found++;
                    }
                    return found;
                }));
            }
            for (int i = 1000; i < vs.length; i++) index.put(P, entry("k" + i, vs[i], T0, Duration.ofHours(1)));
            for (java.util.concurrent.Future<Integer> f : done) assertTrue(f.get(2, java.util.concurrent.TimeUnit.MINUTES) >= 1450);
            readers.shutdown();
            assertEquals(2000, index.size("proj"));
            assertEquals("k1999", index.nearest(P, vs[1999], 1, 0.99, T0).get(0).entry().key());
        }
    }

    @Test
    void entriesPersistAndExpiredOnesAreNotReloaded(@TempDir Path dir) throws Exception {
        Random r = new Random(6);
        float[] a = random(r, 32);
        float[] b = random(r, 32);
        float[] c = random(r, 32);
        try (LocalVectorIndex index = LocalVectorIndex.open(dir, LocalVectorIndex.Settings.DEFAULT, T0)) {
            index.put(P, entry("a", a, T0, Duration.ofHours(1)));
            index.put(P, entry("b", b, T0, Duration.ofMinutes(5)));
            index.put(new Partition("proj/with odd:id", "ctx"), entry("c", c, T0, Duration.ofHours(1)));
            index.put(P, entry("gone", c, T0, Duration.ofHours(1)));
            index.remove(P, "gone");
            index.awaitMaintenance();
        }
        Instant later = T0.plus(Duration.ofMinutes(30));
        try (LocalVectorIndex index = LocalVectorIndex.open(dir, LocalVectorIndex.Settings.DEFAULT, later)) {
            assertEquals(1, index.size("proj"), "a kept; b expired; gone removed");
            Match m = index.nearest(P, a, 1, 0.99, later).get(0);
            assertEquals("a", m.entry().key());
            assertEquals("text of a", m.entry().text());
            assertEquals(T0, m.entry().storedAt());
            assertEquals(1, index.size("proj/with odd:id"));
        }
    }

    @Test
    void compactionDropsDeadEntriesAndKeepsTheLiveOnes(@TempDir Path dir) throws Exception {
        Random r = new Random(7);
        LocalVectorIndex.Settings s = new LocalVectorIndex.Settings(1000, 100_000, 16, 100, 64);
        float[] keep = random(r, 16);
        try (LocalVectorIndex index = LocalVectorIndex.open(dir, s, T0)) {
            for (int i = 0; i < 3000; i++) index.put(P, entry("short" + i, random(r, 16), T0, Duration.ofMinutes(1)));
            index.put(P, entry("keep", keep, T0, Duration.ofHours(1)));
            index.awaitMaintenance();
            Instant later = T0.plus(Duration.ofMinutes(2));
            assertEquals(3000, index.evictExpired(later));
            index.awaitMaintenance();
            index.put(P, entry("after", random(r, 16), later, Duration.ofHours(1)));
            assertEquals(2, index.size("proj"));
            assertEquals("keep", index.nearest(P, keep, 1, 0.99, later).get(0).entry().key());
        }
        try (LocalVectorIndex index = LocalVectorIndex.open(dir, s, T0.plus(Duration.ofMinutes(3)))) {
            assertEquals(2, index.size("proj"));
        }
        long size = java.nio.file.Files.size(dir.resolve("proj.vectors"));
        assertTrue(size < 3000L * 16 * 4, "the file was rewritten without the 3000 dead entries: " + size + " bytes");
    }
}
