package dev.watchllm.semantic.index;

import java.util.Arrays;
import java.util.BitSet;
import org.apache.lucene.util.hnsw.NeighborArray;
import org.apache.lucene.util.hnsw.OnHeapHnswGraph;

/**
 * The HNSW search of a partition's Lucene graph by the Hamming distance of {@link BinaryCodes}:
 * greedy through the upper levels, then a beam of {@code beam} nodes on the bottom one (Lucene's
 * {@code HnswGraphSearcher} algorithm). It is written out here rather than called through Lucene
 * because a lookup is dominated by it: the codes are read straight from the store's flat array (no
 * scorer call per node), and every array it needs (the query's code, visited marks, the two heaps)
 * belongs to the calling thread and is reused, so a search allocates nothing. One instance
 * per thread ({@link #forThisThread()}); the semantic cache searches from its small pool, so
 * that is two sets of scratch arrays (visited marks: 4 bytes per entry of the largest partition).
 *
 * <p>Heap elements are {@code distance << 32 | ordinal}: ordering the longs orders by distance,
 * ties by ordinal.
 */
final class GraphSearch {
    private static final ThreadLocal<GraphSearch> BY_THREAD = ThreadLocal.withInitial(GraphSearch::new);

    /** {@code visited[ord] == epoch}: seen by the current search. */
    private int[] visited = new int[0];
    private int epoch;
    /** Min-heap: the nearest unexpanded node on top. */
    private long[] candidates = new long[256];
    private int candidateCount;
    /** Max-heap of live nodes found, at most {@code beam}: the farthest on top; sorted ascending after a search. */
    private long[] results = new long[64];
    private int resultCount;

    /** The query's code and the work space to compute it. */
    private long[] queryCode = new long[8];
    private float[] encoding = new float[512];

    private GraphSearch() {
    }

    /** The code of {@code query} in this thread's buffer: valid until this thread's next call. */
    long[] encode(BinaryCodes coder, float[] query) {
        int bits = coder.bits();
        if (encoding.length < bits) encoding = new float[bits];
        if (queryCode.length != bits / 64) queryCode = new long[bits / 64];
        coder.encode(query, encoding, queryCode);
        return queryCode;
    }

    static GraphSearch forThisThread() {
        return BY_THREAD.get();
    }

    /**
     * Searches {@code graph} for the {@code beam} live nodes (set in {@code live}) whose codes are
     * nearest to {@code query}; returns how many were found, readable nearest first through
     * {@link #distance} and {@link #ordinal}. {@code codes} holds {@code words} longs per ordinal
     * for every node of the graph, {@code ordinals} bounds them. The caller keeps the graph from
     * changing meanwhile (the partition's read lock).
     */
    int search(OnHeapHnswGraph graph, long[] codes, int words, int ordinals, long[] query, int beam, BitSet live) {
        int entry = graph.entryNode();
        if (entry < 0 || graph.size() == 0) return 0;
        startEpoch(ordinals);
        if (results.length < beam) results = new long[Integer.highestOneBit(beam) << 1];
        candidateCount = 0;
        resultCount = 0;
        int entryDistance = VectorStore.hamming(query, codes, entry * words);
        // upper levels: walk greedily to the nearest node, the entry of the level below
        for (int level = graph.numLevels() - 1; level >= 1; level--) {
            boolean moved = true;
            while (moved) {
                moved = false;
                NeighborArray friends = graph.getNeighbors(level, entry);
                int[] nodes = friends.nodes();
                for (int i = 0, n = friends.size(); i < n; i++) {
                    int d = VectorStore.hamming(query, codes, nodes[i] * words);
                    if (d < entryDistance) {
                        entryDistance = d;
                        entry = nodes[i];
                        moved = true;
                    }
                }
            }
        }
        // bottom level: expand the nearest candidate until none is nearer than the worst of a full beam
        int[] seen = visited;
        int mark = epoch;
        seen[entry] = mark;
        long first = (long) entryDistance << 32 | entry;
        pushCandidate(first);
        if (live.get(entry)) pushResult(first);
        while (candidateCount > 0) {
            long c = popCandidate();
            if (resultCount >= beam && (c >>> 32) >= (results[0] >>> 32)) break;
            NeighborArray friends = graph.getNeighbors(0, (int) c);
            int[] nodes = friends.nodes();
            for (int i = 0, n = friends.size(); i < n; i++) {
                int node = nodes[i];
                if (seen[node] == mark) continue;
                seen[node] = mark;
                int d = VectorStore.hamming(query, codes, node * words);
                boolean full = resultCount >= beam;
                if (full && d >= (int) (results[0] >>> 32)) continue;
                long e = (long) d << 32 | node;
                pushCandidate(e);
                if (!live.get(node)) continue; // dead entries are paths, not answers
                if (full) replaceWorstResult(e);
                else pushResult(e);
            }
        }
        Arrays.sort(results, 0, resultCount);
        return resultCount;
    }

    /** The Hamming distance of the {@code i}th result, nearest first. */
    int distance(int i) {
        return (int) (results[i] >>> 32);
    }

    int ordinal(int i) {
        return (int) results[i];
    }

    private void startEpoch(int ordinals) {
        if (visited.length < ordinals) {
            visited = new int[Math.max(ordinals, visited.length + (visited.length >> 1))];
            epoch = 0;
        }
        if (++epoch == 0) { // wrapped after 2^32 searches: forget every mark
            Arrays.fill(visited, 0);
            epoch = 1;
        }
    }

    private void pushCandidate(long e) {
        if (candidateCount == candidates.length) candidates = Arrays.copyOf(candidates, candidateCount << 1);
        long[] h = candidates;
        int i = candidateCount++;
        while (i > 0) {
            int parent = (i - 1) >>> 1;
            if (h[parent] <= e) break;
            h[i] = h[parent];
            i = parent;
        }
        h[i] = e;
    }

    private long popCandidate() {
        long[] h = candidates;
        long top = h[0];
        long e = h[--candidateCount];
        int n = candidateCount;
        int i = 0;
        while (true) {
            int child = 2 * i + 1;
            if (child >= n) break;
            if (child + 1 < n && h[child + 1] < h[child]) child++;
            if (h[child] >= e) break;
            h[i] = h[child];
            i = child;
        }
        h[i] = e;
        return top;
    }

    private void pushResult(long e) {
        long[] h = results;
        int i = resultCount++;
        while (i > 0) {
            int parent = (i - 1) >>> 1;
            if (h[parent] >= e) break;
            h[i] = h[parent];
            i = parent;
        }
        h[i] = e;
    }

    private void replaceWorstResult(long e) {
        long[] h = results;
        int n = resultCount;
        int i = 0;
        while (true) {
            int child = 2 * i + 1;
            if (child >= n) break;
            if (child + 1 < n && h[child + 1] > h[child]) child++;
            if (h[child] <= e) break;
            h[i] = h[child];
            i = child;
        }
        h[i] = e;
    }
}
