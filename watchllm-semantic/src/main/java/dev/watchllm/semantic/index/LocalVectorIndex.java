package dev.watchllm.semantic.index;

import dev.watchllm.semantic.VectorIndex;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The default {@link VectorIndex}: in memory, per project, per partition; optionally persisted to
 * a directory (one append-only file per project, replayed at start). A partition is scanned
 * while it is small and searched through a Lucene HNSW graph (Lucene 9.12, on-heap) from
 * {@link Settings#hnswThreshold()} entries on; the graph is built on a background thread while the
 * scan keeps answering. A project holds at most {@link Settings#maxEntriesPerProject()}
 * entries (about 1.7 KB each at 384 dimensions, and about 0.65 KB more of graph in a partition
 * that has one); beyond that, stores are refused until entries expire. Expired entries are never
 * returned and are dropped by {@link #evictExpired}.
 */
public final class LocalVectorIndex implements VectorIndex {
    private static final Logger LOG = LoggerFactory.getLogger(LocalVectorIndex.class);

    /**
     * Tuning. {@code hnswM} and {@code hnswBeamWidth} are Lucene's graph degree and build beam;
     * {@code searchBeam} is how many candidates a graph search keeps (recall against speed). The
     * defaults (M 32, beam 40) were chosen with {@code SemanticLookupBenchmark} at 100,000 entries:
     * against M 16 and beam 64 a search takes about as long and finds more (recall@1 on uniform
     * random vectors 85% instead of about 72%; on clustered ones 99.99% either way), for a graph
     * about 60% larger (0.64 KB an entry instead of 0.41) and a build about a third longer.
     */
    public record Settings(int hnswThreshold, int maxEntriesPerProject, int hnswM, int hnswBeamWidth, int searchBeam) {
        public static final Settings DEFAULT = new Settings(4096, 100_000, 32, 100, 40);

        public Settings {
            if (hnswThreshold < 1 || maxEntriesPerProject < 1 || hnswM < 2 || hnswBeamWidth < 1 || searchBeam < 1) {
                throw new IllegalArgumentException("index settings must be positive (hnswM at least 2)");
            }
        }
    }

    private static final class Project {
        final ConcurrentHashMap<String, PartitionIndex> partitions = new ConcurrentHashMap<>();
        final AtomicInteger live = new AtomicInteger();
        final AtomicInteger logRecords = new AtomicInteger();
    }

    private final Settings settings;
    private final IndexLog log;
    private final ConcurrentHashMap<String, Project> projects = new ConcurrentHashMap<>();
    private final ExecutorService maintenance;
    private final ConcurrentHashMap<String, Long> refusals = new ConcurrentHashMap<>();

    private LocalVectorIndex(Settings settings, IndexLog log) {
        this.settings = settings;
        this.log = log;
        ThreadPoolExecutor m = new ThreadPoolExecutor(1, 1, 0, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), r -> {
            Thread t = new Thread(r, "watchllm-semantic-index");
            t.setDaemon(true);
            t.setPriority(Thread.MIN_PRIORITY);
            return t;
        });
        this.maintenance = m;
    }

    /** An index that lives only in memory. */
    public static LocalVectorIndex inMemory(Settings settings) {
        return new LocalVectorIndex(settings, null);
    }

    /**
     * An index persisted under {@code dir} (created if needed); what is there is loaded now, without
     * the entries expired by {@code now}.
     */
    public static LocalVectorIndex open(Path dir, Settings settings, Instant now) {
        IndexLog log;
        List<IndexLog.Loaded> loaded;
        try {
            log = new IndexLog(dir);
            loaded = log.readAll(now);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the semantic index in " + dir, e);
        }
        LocalVectorIndex index = new LocalVectorIndex(settings, log);
        for (IndexLog.Loaded l : loaded) {
            Project p = index.projects.computeIfAbsent(l.projectId(), k -> new Project());
            int live = 0;
            for (Map.Entry<String, Map<String, Entry>> s : l.scopes().entrySet()) {
                for (Entry e : s.getValue().values()) {
                    if (p.live.get() >= settings.maxEntriesPerProject()) break;
                    PartitionIndex part = p.partitions.computeIfAbsent(s.getKey(), k -> new PartitionIndex(settings, e.vector().length, s.getValue().size()));
                    if (part.dimension() != e.vector().length) continue;
                    live += part.put(e);
                    p.live.set(live);
                }
            }
            p.logRecords.set(l.records());
            if (l.torn() || l.records() > 2 * live + 1024) index.rewriteLog(l.projectId(), p);
            for (PartitionIndex part : p.partitions.values()) index.maybeBuildGraph(part);
        }
        return index;
    }

    public Settings settings() {
        return settings;
    }

    @Override
    public boolean put(Partition partition, Entry entry) {
        int dim = entry.vector().length;
        if (dim == 0) return false;
        Project p = projects.computeIfAbsent(partition.projectId(), k -> new Project());
        if (p.live.get() >= settings.maxEntriesPerProject()) {
            refused(partition.projectId());
            return false;
        }
        while (true) {
            PartitionIndex part = p.partitions.computeIfAbsent(partition.scope(), k -> new PartitionIndex(settings, dim, 16));
            if (part.dimension() != dim) return false;
            int grew = part.put(entry);
            if (grew < 0) continue; // retired while empty: a fresh one takes its place
            p.live.addAndGet(grew);
            if (log != null) {
                log.put(partition.projectId(), partition.scope(), entry);
                p.logRecords.incrementAndGet();
            }
            maybeBuildGraph(part);
            return true;
        }
    }

    @Override
    public List<Match> nearest(Partition partition, float[] query, int k, double minSimilarity, Instant now) {
        if (k < 1) return List.of();
        Project p = projects.get(partition.projectId());
        if (p == null) return List.of();
        PartitionIndex part = p.partitions.get(partition.scope());
        if (part == null || part.dimension() != query.length) return List.of();
        return part.nearest(query, k, minSimilarity, now);
    }

    @Override
    public boolean remove(Partition partition, String key) {
        Project p = projects.get(partition.projectId());
        if (p == null) return false;
        PartitionIndex part = p.partitions.get(partition.scope());
        if (part == null || !part.remove(key)) return false;
        p.live.decrementAndGet();
        if (log != null) {
            log.remove(partition.projectId(), partition.scope(), key);
            p.logRecords.incrementAndGet();
        }
        return true;
    }

    @Override
    public int size(String projectId) {
        Project p = projects.get(projectId);
        if (p == null) return 0;
        int n = 0;
        for (PartitionIndex part : p.partitions.values()) n += part.liveCount();
        return n;
    }

    /** Whether a partition is searched through its HNSW graph (false: exact scan, or no such partition). */
    public boolean approximate(Partition partition) {
        Project p = projects.get(partition.projectId());
        PartitionIndex part = p == null ? null : p.partitions.get(partition.scope());
        return part != null && part.approximate();
    }

    /**
     * Drops expired entries, retires empty partitions, and compacts partitions and files that hold
     * many dead entries (in the background).
     */
    @Override
    public int evictExpired(Instant now) {
        int total = 0;
        for (Map.Entry<String, Project> pe : projects.entrySet()) {
            Project p = pe.getValue();
            int gone = 0;
            for (Map.Entry<String, PartitionIndex> e : p.partitions.entrySet()) {
                PartitionIndex part = e.getValue();
                gone += part.expire(now);
                String scope = e.getKey();
                if (part.retireIfEmpty(() -> p.partitions.remove(scope, part))) continue;
                int dead = part.deadCount();
                if (dead > 1024 && dead > part.liveCount()) compact(p, scope, part);
            }
            p.live.addAndGet(-gone);
            total += gone;
            if (log != null && p.logRecords.get() > 2 * Math.max(0, p.live.get()) + 1024) rewriteLog(pe.getKey(), p);
        }
        return total;
    }

    private void compact(Project p, String scope, PartitionIndex part) {
        submit(() -> {
            PartitionIndex fresh = part.compacted();
            part.replaceWith(fresh, () -> p.partitions.replace(scope, part, fresh));
        });
    }

    private void rewriteLog(String projectId, Project p) {
        p.logRecords.set(Math.max(0, p.live.get()));
        log.rewrite(projectId, () -> {
            Map<String, List<Entry>> live = new LinkedHashMap<>();
            for (Map.Entry<String, PartitionIndex> e : p.partitions.entrySet()) {
                List<Entry> l = e.getValue().liveEntries();
                if (!l.isEmpty()) live.put(e.getKey(), l);
            }
            return live;
        });
    }

    private void maybeBuildGraph(PartitionIndex part) {
        if (part.wantsGraph()) submit(part::buildGraph);
    }

    private void submit(Runnable task) {
        try {
            maintenance.execute(() -> {
                try {
                    task.run();
                } catch (RuntimeException e) {
                    LOG.warn("Semantic index maintenance failed (searches go on): {}", e.toString());
                }
            });
        } catch (RejectedExecutionException e) {
            // closing: nothing left to maintain
        }
    }

    private void refused(String projectId) {
        long now = System.nanoTime();
        Long prev = refusals.get(projectId);
        if (prev != null && now - prev < 60_000_000_000L) return;
        refusals.put(projectId, now);
        LOG.warn("The semantic index of project '{}' is full ({} entries); new prompts are not stored until entries expire",
                projectId, settings.maxEntriesPerProject());
    }

    /** Waits until background work queued so far (graph builds, compactions, file writes) is done. For tests and benchmarks. */
    public void awaitMaintenance() throws InterruptedException {
        java.util.concurrent.CountDownLatch done = new java.util.concurrent.CountDownLatch(1);
        submit(done::countDown);
        done.await(10, TimeUnit.MINUTES);
        if (log != null) log.flush();
    }

    /** Projects that hold entries. */
    public List<String> projects() {
        return new ArrayList<>(projects.keySet());
    }

    /** Stops background work and writes what is queued to disk. */
    @Override
    public void close() {
        maintenance.shutdownNow();
        try {
            maintenance.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (log != null) log.close();
    }
}
