package dev.watchllm.semantic.index;

import dev.watchllm.semantic.VectorIndex.Entry;
import dev.watchllm.semantic.VectorIndex.Match;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.apache.lucene.util.VectorUtil;
import org.apache.lucene.util.hnsw.HnswGraphBuilder;
import org.apache.lucene.util.hnsw.OnHeapHnswGraph;

/**
 * The entries of one partition. Small partitions are scanned: every live entry's
 * {@link BinaryCodes} code, and the float vector of those whose code is near enough to reach the
 * threshold ({@link BinaryCodes#maxDistance}). From {@code hnswThreshold} live entries on, a Lucene
 * HNSW graph (built off the lock, then caught up) answers instead: {@link GraphSearch} walks it
 * with the Hamming distance of the codes, and of its {@code searchBeam} candidates those near
 * enough are rescored with the float vectors. Replaced and expired entries stay in the store as
 * dead ordinals, filtered out, until {@link #compacted} rebuilds the partition without them. Reads
 * share a lock, writes take it alone; no I/O happens under it.
 */
final class PartitionIndex {
    private final LocalVectorIndex.Settings settings;
    private final int dimension;
    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    private final VectorStore store;
    private final List<Entry> entries = new ArrayList<>();
    private final BitSet live = new BitSet();
    private final Map<String, Integer> byKey = new HashMap<>();
    private OnHeapHnswGraph graph;
    private HnswGraphBuilder builder;
    private boolean building;
    /** Set when a compacted copy replaced this partition: late writers follow it. */
    private PartitionIndex replacedBy;
    /** Set when this empty partition was dropped from its project: late writers must look it up again. */
    private boolean retired;

    PartitionIndex(LocalVectorIndex.Settings settings, int dimension, int capacity) {
        this.settings = settings;
        this.dimension = dimension;
        this.store = new VectorStore(dimension, capacity);
    }

    int dimension() {
        return dimension;
    }

    /**
     * Adds or replaces; returns 1 when the partition grew, 0 when an entry was replaced, -1 when
     * this partition was retired (look the partition up again and retry).
     */
    int put(Entry e) {
        PartitionIndex next;
        lock.writeLock().lock();
        try {
            if (retired) return -1;
            next = replacedBy;
            if (next == null) return putLocked(e);
        } finally {
            lock.writeLock().unlock();
        }
        return next.put(e);
    }

    private int putLocked(Entry e) {
        Integer old = byKey.remove(e.key());
        if (old != null) live.clear(old);
        int ord = store.add(e.vector());
        entries.add(e);
        live.set(ord);
        byKey.put(e.key(), ord);
        if (builder != null) addToGraph(ord);
        return old == null ? 1 : 0;
    }

    boolean remove(String key) {
        PartitionIndex next;
        lock.writeLock().lock();
        try {
            next = replacedBy;
            if (next == null) return removeLocked(key);
        } finally {
            lock.writeLock().unlock();
        }
        return next.remove(key);
    }

    private boolean removeLocked(String key) {
        Integer ord = byKey.remove(key);
        if (ord == null) return false;
        live.clear(ord);
        return true;
    }

    /** When no entry is live, runs {@code unpublish} and retires this partition, under its lock; true if retired. */
    boolean retireIfEmpty(Runnable unpublish) {
        lock.writeLock().lock();
        try {
            if (retired || replacedBy != null || !live.isEmpty() || building) return false;
            unpublish.run();
            retired = true;
            return true;
        } finally {
            lock.writeLock().unlock();
        }
    }

    /** Marks every entry expired by {@code now} dead; returns how many. */
    int expire(Instant now) {
        lock.writeLock().lock();
        try {
            int n = 0;
            for (int ord = live.nextSetBit(0); ord >= 0; ord = live.nextSetBit(ord + 1)) {
                Entry e = entries.get(ord);
                if (!e.expiresAt().isAfter(now)) {
                    live.clear(ord);
                    byKey.remove(e.key(), ord);
                    n++;
                }
            }
            return n;
        } finally {
            lock.writeLock().unlock();
        }
    }

    int liveCount() {
        lock.readLock().lock();
        try {
            return live.cardinality();
        } finally {
            lock.readLock().unlock();
        }
    }

    /** Dead ordinals still held. */
    int deadCount() {
        lock.readLock().lock();
        try {
            return store.size() - live.cardinality();
        } finally {
            lock.readLock().unlock();
        }
    }

    boolean approximate() {
        lock.readLock().lock();
        try {
            return graph != null;
        } finally {
            lock.readLock().unlock();
        }
    }

    /** Live entries, for the log's compaction. */
    List<Entry> liveEntries() {
        lock.readLock().lock();
        try {
            List<Entry> out = new ArrayList<>(live.cardinality());
            for (int ord = live.nextSetBit(0); ord >= 0; ord = live.nextSetBit(ord + 1)) out.add(entries.get(ord));
            return out;
        } finally {
            lock.readLock().unlock();
        }
    }

    List<Match> nearest(float[] query, int k, double minSimilarity, Instant now) {
        lock.readLock().lock();
        try {
            if (graph == null) return scan(query, k, minSimilarity, now);
            return searchGraph(query, k, minSimilarity, now);
        } finally {
            lock.readLock().unlock();
        }
    }

    /**
     * Every live entry, but the float comparison only for those whose code is near enough to reach
     * {@code minSimilarity} ({@link BinaryCodes#maxDistance}): a few nanoseconds an entry instead of
     * a 384-dimension dot product.
     */
    private List<Match> scan(float[] query, int k, double minSimilarity, Instant now) {
        long[] code = GraphSearch.forThisThread().encode(store.coder(), query);
        long[] codes = store.codes();
        int words = store.words();
        int maxDistance = store.coder().maxDistance(minSimilarity);
        List<Match> best = new ArrayList<>(k + 1);
        for (int ord = live.nextSetBit(0); ord >= 0; ord = live.nextSetBit(ord + 1)) {
            if (VectorStore.hamming(code, codes, ord * words) > maxDistance) continue;
            collect(best, k, query, ord, minSimilarity, now);
        }
        return best;
    }

    private List<Match> searchGraph(float[] query, int k, double minSimilarity, Instant now) {
        GraphSearch search = GraphSearch.forThisThread();
        long[] code = search.encode(store.coder(), query);
        int found = search.search(graph, store.codes(), store.words(), store.size(), code, Math.max(k, settings.searchBeam()), live);
        // nearest codes first: past the distance no vector at minSimilarity reaches, stop rescoring
        int maxDistance = store.coder().maxDistance(minSimilarity);
        List<Match> best = new ArrayList<>(k + 1);
        for (int i = 0; i < found && search.distance(i) <= maxDistance; i++) collect(best, k, query, search.ordinal(i), minSimilarity, now);
        return best;
    }

    /** Adds {@code ord} to {@code best} (at most {@code k}, most similar first) if it is similar enough and unexpired. */
    private void collect(List<Match> best, int k, float[] query, int ord, double minSimilarity, Instant now) {
        float sim = VectorUtil.dotProduct(query, store.vector(ord));
        if (sim < minSimilarity) return;
        if (best.size() == k && sim <= best.get(k - 1).similarity()) return;
        Entry e = entries.get(ord);
        if (!e.expiresAt().isAfter(now)) return;
        int at = best.size();
        while (at > 0 && best.get(at - 1).similarity() < sim) at--;
        best.add(at, new Match(e, sim));
        if (best.size() > k) best.remove(k);
    }

    /** True when the partition has grown into HNSW territory and no graph exists or is being built. */
    boolean wantsGraph() {
        lock.readLock().lock();
        try {
            return graph == null && !building && live.cardinality() >= settings.hnswThreshold();
        } finally {
            lock.readLock().unlock();
        }
    }

    /**
     * Builds the HNSW graph over the ordinals present now without holding the lock (written
     * ordinals never change), then, under the write lock, adds those written meanwhile and
     * switches searches over to it.
     */
    void buildGraph() {
        int upTo;
        lock.writeLock().lock();
        try {
            if (graph != null || building) return;
            building = true;
            upTo = store.size();
        } finally {
            lock.writeLock().unlock();
        }
        try {
            HnswGraphBuilder b = HnswGraphBuilder.create(store, settings.hnswM(), settings.hnswBeamWidth(), 42L);
            for (int ord = 0; ord < upTo; ord++) b.addGraphNode(ord);
            lock.writeLock().lock();
            try {
                builder = b;
                for (int ord = upTo; ord < store.size(); ord++) addToGraph(ord);
                graph = b.getGraph();
            } finally {
                lock.writeLock().unlock();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            lock.writeLock().lock();
            building = false;
            lock.writeLock().unlock();
        }
    }

    private void addToGraph(int ord) {
        try {
            builder.addGraphNode(ord);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * A copy without dead ordinals (HNSW rebuilt when large), made without holding this
     * partition's lock for the build; the caller swaps it in with {@link #catchUp}.
     */
    PartitionIndex compacted() {
        List<Entry> snapshot = liveEntries();
        PartitionIndex fresh = new PartitionIndex(settings, dimension, snapshot.size() + 16);
        for (Entry e : snapshot) fresh.putUnlocked(e);
        if (snapshot.size() >= settings.hnswThreshold()) fresh.buildGraph();
        return fresh;
    }

    private void putUnlocked(Entry e) {
        int ord = store.add(e.vector());
        entries.add(e);
        live.set(ord);
        byKey.put(e.key(), ord);
    }

    /**
     * Makes {@code fresh} (built from an earlier snapshot of this partition) agree with this one
     * now (entries stored since are added, entries removed since are removed), runs {@code swap}
     * (which publishes {@code fresh}) and sends later writers of this partition to {@code fresh};
     * all under this partition's write lock, so no write is lost.
     */
    void replaceWith(PartitionIndex fresh, Runnable swap) {
        lock.writeLock().lock();
        try {
            for (Map.Entry<String, Integer> e : new ArrayList<>(fresh.byKey.entrySet())) {
                Integer mine = byKey.get(e.getKey());
                if (mine == null || entries.get(mine) != fresh.entries.get(e.getValue())) fresh.remove(e.getKey());
            }
            for (Map.Entry<String, Integer> e : byKey.entrySet()) {
                Entry current = entries.get(e.getValue());
                Integer theirs = fresh.byKey.get(e.getKey());
                if (theirs == null || fresh.entries.get(theirs) != current) fresh.put(current);
            }
            swap.run();
            replacedBy = fresh;
        } finally {
            lock.writeLock().unlock();
        }
    }
}
