package dev.watchllm.semantic.cache;

import dev.watchllm.openai.ParsedRequest;
import dev.watchllm.semantic.Embedder;
import dev.watchllm.semantic.SemanticCache;
import dev.watchllm.semantic.SemanticScope;
import dev.watchllm.semantic.VectorIndex;
import dev.watchllm.semantic.embed.EmbeddingExecutor;
import dev.watchllm.semantic.verify.ParaphraseVerifier;
import dev.watchllm.semantic.verify.PromptText;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The semantic cache that never serves a wrong answer on purpose: nearest neighbours by embedding
 * within the request's hard partition ({@link SemanticScope}: project + context hash + embedding
 * space), each candidate then checked by the {@link ParaphraseVerifier}; the first one that passes
 * is the hit. Everything, from analysing the prompt to verifying, runs on a small bounded pool, never
 * on the caller's thread; a lookup that cannot finish within {@code lookupTimeout} (model still
 * loading, provider slow, pool full) is a miss.
 *
 * <p>Embedded text: the normalised prompt ({@link PromptText#normalized()}), so "Could you please
 * explain ..." and "explain ..." land close together.
 */
public final class VerifiedSemanticCache implements SemanticCache {
    private static final Logger LOG = LoggerFactory.getLogger(VerifiedSemanticCache.class);

    private final VectorIndex index;
    private final Function<String, Embedder> embedders;
    private final ParaphraseVerifier verifier;
    private final EmbeddingExecutor pool;
    private final boolean ownsPool;
    private final Clock clock;
    private final int candidates;
    private final Duration lookupTimeout;
    private final List<AutoCloseable> owned;
    private final ScheduledExecutorService sweeper;
    private final ConcurrentHashMap<String, Long> problems = new ConcurrentHashMap<>();
    private final CompletableFuture<Void> ready;

    private VerifiedSemanticCache(Builder b) {
        this.index = Objects.requireNonNull(b.index, "index");
        this.embedders = Objects.requireNonNull(b.embedders, "embedder");
        this.verifier = Objects.requireNonNull(b.verifier, "verifier");
        this.ownsPool = b.pool == null;
        this.pool = b.pool != null ? b.pool : EmbeddingExecutor.standard("watchllm-semantic");
        this.clock = b.clock;
        this.candidates = b.candidates;
        this.lookupTimeout = b.lookupTimeout;
        this.owned = List.copyOf(b.owned);
        this.ready = CompletableFuture.allOf(b.readiness.stream().map(CompletionStage::toCompletableFuture).toArray(CompletableFuture[]::new));
        if (b.sweepEvery != null) {
            this.sweeper = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "watchllm-semantic-sweep");
                t.setDaemon(true);
                return t;
            });
            long ms = b.sweepEvery.toMillis();
            sweeper.scheduleWithFixedDelay(this::sweep, ms, ms, TimeUnit.MILLISECONDS);
        } else {
            this.sweeper = null;
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    @Override
    public CompletionStage<Optional<Hit>> lookup(String projectId, ParsedRequest request, double threshold, Duration maxAge) {
        if (!(threshold > 0 && threshold <= 1)) throw new IllegalArgumentException("threshold must be in (0, 1]");
        Embedder embedder = embedders.apply(projectId);
        if (embedder == null) return CompletableFuture.completedFuture(Optional.empty());
        // one hop: the pool task analyses the prompt, asks for the embedding and, when the vector is
        // there at once (remembered) or arrives on the pool (the local model), searches and verifies
        // on the same thread; only a vector from elsewhere (the provider's client) is handed back to
        // the pool. The caller's thread runs none of it, whenever the task finishes.
        CompletableFuture<Optional<Hit>> result = pool.submit(() -> {
            Prepared p = prepare(projectId, request, embedder);
            if (p == null) return CompletableFuture.completedFuture(Optional.<Hit>empty());
            return embedder.embed(p.text.normalized()).thenCompose(v -> pool.inPool()
                    ? CompletableFuture.completedFuture(find(p, v, threshold, maxAge))
                    : pool.submit(() -> find(p, v, threshold, maxAge)));
        }).thenCompose(Function.identity());
        return result.orTimeout(lookupTimeout.toMillis(), TimeUnit.MILLISECONDS).exceptionally(e -> {
            problem("lookup", e);
            return Optional.empty();
        });
    }

    @Override
    public CompletionStage<Boolean> store(String projectId, ParsedRequest request, String responseRef, Duration ttl) {
        Objects.requireNonNull(responseRef, "responseRef");
        if (ttl == null || ttl.isNegative() || ttl.isZero()) return CompletableFuture.completedFuture(false);
        Embedder embedder = embedders.apply(projectId);
        if (embedder == null) return CompletableFuture.completedFuture(false);
        return pool.submit(() -> {
            Prepared p = prepare(projectId, request, embedder);
            if (p == null) return CompletableFuture.completedFuture(false);
            return embedder.embed(p.text.normalized()).thenApply(v -> {
                Instant now = clock.instant();
                return index.put(p.partition, new VectorIndex.Entry(responseRef, v, p.text.original(), now, now.plus(ttl)));
            });
        }).thenCompose(Function.identity())
                .exceptionally(e -> {
                    problem("store", e);
                    return false;
                });
    }

    /** Completes when the embedders have loaded (a local model takes a few seconds); lookups miss until then. */
    @Override
    public CompletionStage<Void> ready() {
        return ready;
    }

    @Override
    public boolean remove(String projectId, Hit hit) {
        if (!hit.partition().projectId().equals(projectId)) return false;
        return index.remove(hit.partition(), hit.responseRef());
    }

    /** Drops expired entries now (the sweeper does this every minute). */
    public int sweep() {
        try {
            return index.evictExpired(clock.instant());
        } catch (RuntimeException e) {
            problem("sweep", e);
            return 0;
        }
    }

    /** A prompt ready to be looked up or stored. */
    private record Prepared(VectorIndex.Partition partition, PromptText text) {
    }

    private static Prepared prepare(String projectId, ParsedRequest request, Embedder embedder) {
        SemanticScope scope = SemanticScope.of(projectId, request);
        if (!scope.eligible()) return null;
        return new Prepared(new VectorIndex.Partition(projectId, scope.partition() + "/" + embedder.space()), PromptText.of(scope.text()));
    }

    private Optional<Hit> find(Prepared p, float[] vector, double threshold, Duration maxAge) {
        Instant now = clock.instant();
        Instant oldest = maxAge == null ? null : now.minus(maxAge);
        for (VectorIndex.Match m : index.nearest(p.partition, vector, candidates, threshold, now)) {
            VectorIndex.Entry e = m.entry();
            if (oldest != null && e.storedAt().isBefore(oldest)) continue;
            double similarity = Math.min(1.0, m.similarity());
            if (verifier.verify(p.text, PromptText.of(e.text()), similarity).accepted()) {
                return Optional.of(new Hit(e.key(), similarity, e.text(), e.storedAt(), p.partition));
            }
        }
        return Optional.empty();
    }

    private void problem(String what, Throwable e) {
        Throwable cause = e instanceof java.util.concurrent.CompletionException && e.getCause() != null ? e.getCause() : e;
        String key = what + ":" + cause.getClass().getName();
        long now = System.nanoTime();
        Long prev = problems.get(key);
        if (prev != null && now - prev < 60_000_000_000L) return;
        problems.put(key, now);
        LOG.warn("Semantic cache {} failed (served as a miss): {}", what, cause.toString());
    }

    /** Stops the sweeper and the pool, then closes the index and embedders it was given to own. */
    @Override
    public void close() {
        if (sweeper != null) sweeper.shutdownNow();
        if (ownsPool) pool.close();
        for (AutoCloseable c : owned) {
            try {
                c.close();
            } catch (Exception e) {
                LOG.warn("Closing {} failed: {}", c.getClass().getSimpleName(), e.toString());
            }
        }
    }

    /** Builds a {@link VerifiedSemanticCache}. {@link #index}, an embedder and {@link #verifier} are required. */
    public static final class Builder {
        private VectorIndex index;
        private Function<String, Embedder> embedders;
        private ParaphraseVerifier verifier;
        private EmbeddingExecutor pool;
        private Clock clock = Clock.systemUTC();
        private int candidates = 8;
        private Duration lookupTimeout = Duration.ofMillis(500);
        private Duration sweepEvery = Duration.ofMinutes(1);
        private final java.util.ArrayList<AutoCloseable> owned = new java.util.ArrayList<>();
        private final java.util.ArrayList<CompletionStage<?>> readiness = new java.util.ArrayList<>();

        private Builder() {
        }

        public Builder index(VectorIndex index) {
            this.index = Objects.requireNonNull(index, "index");
            return this;
        }

        /** One embedder for every project. */
        public Builder embedder(Embedder embedder) {
            Objects.requireNonNull(embedder, "embedder");
            this.embedders = p -> embedder;
            return this;
        }

        /** The embedder of each project; null for a project without semantic caching. */
        public Builder embedders(Function<String, Embedder> byProject) {
            this.embedders = Objects.requireNonNull(byProject, "embedders");
            return this;
        }

        public Builder verifier(ParaphraseVerifier verifier) {
            this.verifier = Objects.requireNonNull(verifier, "verifier");
            return this;
        }

        /** Where prompts are analysed and candidates verified; default: its own two-thread pool. */
        public Builder pool(EmbeddingExecutor pool) {
            this.pool = Objects.requireNonNull(pool, "pool");
            return this;
        }

        /** The clock for TTLs and ages; tests pass a controllable one. */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /** How many nearest neighbours are verified, best first (default 8). */
        public Builder candidates(int k) {
            if (k < 1 || k > 100) throw new IllegalArgumentException("candidates must be between 1 and 100");
            this.candidates = k;
            return this;
        }

        /** A lookup not done within this is a miss (default 500 ms). */
        public Builder lookupTimeout(Duration timeout) {
            if (timeout.isNegative() || timeout.isZero()) throw new IllegalArgumentException("lookupTimeout must be positive");
            this.lookupTimeout = timeout;
            return this;
        }

        /** How often expired entries are dropped; null for never (call {@link #sweep()} yourself). Default: every minute. */
        public Builder sweepEvery(Duration every) {
            if (every != null && (every.isNegative() || every.isZero())) throw new IllegalArgumentException("sweepEvery must be positive");
            this.sweepEvery = every;
            return this;
        }

        /** Closes {@code resource} (index, embedder, lexicon pool) when the cache closes. */
        public Builder owns(AutoCloseable resource) {
            this.owned.add(Objects.requireNonNull(resource, "resource"));
            return this;
        }

        /** {@link #ready()} waits for {@code stage} too (e.g. {@link dev.watchllm.semantic.embed.LocalEmbedder#ready()}). */
        public Builder readyWhen(CompletionStage<?> stage) {
            this.readiness.add(Objects.requireNonNull(stage, "stage"));
            return this;
        }

        public VerifiedSemanticCache build() {
            return new VerifiedSemanticCache(this);
        }
    }
}
