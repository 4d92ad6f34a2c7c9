package dev.watchllm.metering;

import dev.watchllm.auth.Caller;
import dev.watchllm.cache.CachedAnswer;
import dev.watchllm.http.Exchange;
import dev.watchllm.http.WatchLlmHeaders;
import dev.watchllm.internal.CallResult;
import dev.watchllm.openai.ParsedRequest;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Meters every answered call: the settle step that turns a {@link CallResult} into a
 * {@link UsageRecord} (tokens from the answer's {@code usage}, cost from {@link Pricing}), adds
 * it to the {@link UsageLedger} at once and queues it for the {@link UsageSink}s, which one
 * background thread ({@code watchllm-usage}) feeds as records arrive (in batches under load). That
 * thread also flushes the ledger every 30 s; {@link #close()} writes what is still queued and
 * flushes everything, so a graceful stop loses nothing.
 *
 * <p>A settle step runs just after the client's response ended, so the usage API shows a request
 * a moment (well under a millisecond of work) after its answer arrived, not necessarily before.
 *
 * <p>Money is integer micro-dollars throughout. A model without a price is never counted as free:
 * its record is flagged {@code unpriced}, the project's {@code unpricedRequests} grows, and the
 * model is logged once.
 */
public final class UsageMeter implements Consumer<CallResult>, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(UsageMeter.class);
    private static final int QUEUE_CAPACITY = 65_536;
    private static final int MAX_LOGGED_MODELS = 1_000;
    private static final long LEDGER_FLUSH_NANOS = 30_000_000_000L;
    /** How often the usage thread feeds the sinks (usage files, hourly totals): records reach them within this. */
    static final long SINK_INTERVAL_NANOS = 20_000_000L;
    private static final byte[] COST_COMMENT = ": X-WatchLLM-Cost-USD: ".getBytes(StandardCharsets.US_ASCII);

    private final Pricing pricing;
    private final UsageLedger ledger;
    private final List<UsageSink> sinks;
    private final Clock clock;
    private final UsageApi api;
    private final BlockingQueue<UsageRecord> queue = new ArrayBlockingQueue<>(QUEUE_CAPACITY);
    private final Thread worker;
    private volatile boolean running = true;
    private final Set<String> unpricedLogged = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final AtomicLong lastDropLog = new AtomicLong(Long.MIN_VALUE);
    private final AtomicLong lastSinkLog = new AtomicLong(Long.MIN_VALUE);
    private final AtomicLong lastPriceLog = new AtomicLong(Long.MIN_VALUE);
    private final Object drainLock = new Object();

    /** An answer priced for its headers, by the request's body array (unique per request) until it is settled. */
    private record HeaderPriced(int status, byte[] body, List<byte[]> events, Priced priced) {
    }

    /** Every priced call is settled (and removed) at once; the bound only guards against a path that never settles. */
    private static final int MAX_HEADER_PRICED = 65_536;
    private final ConcurrentHashMap<byte[], HeaderPriced> headerPriced = new ConcurrentHashMap<>();

    /** What an answer costs: its tokens, the model that produced it and that model's price (null: unpriced). */
    private record Priced(String model, TokenUsage usage, ModelPrice price, long micros, AnswerUsage.Found found) {
        boolean unpriced() {
            return price == null && usage.any();
        }
    }

    public UsageMeter(Pricing pricing, UsageLedger ledger, List<UsageSink> sinks, Clock clock) {
        this.pricing = pricing;
        this.ledger = ledger;
        this.sinks = List.copyOf(sinks);
        this.clock = clock;
        this.api = new UsageApi(ledger, clock);
        this.worker = new Thread(this::work, "watchllm-usage");
        worker.setDaemon(true);
        worker.start();
    }

    public Pricing pricing() {
        return pricing;
    }

    public UsageLedger ledger() {
        return ledger;
    }

    /** The settle step: meters one answered call. Never throws for a malformed answer. */
    @Override
    public void accept(CallResult r) {
        meter(r);
    }

    /** Meters {@code r} (ledger at once, sinks soon) and returns its record. */
    public UsageRecord meter(CallResult r) {
        UsageRecord rec = record(r);
        ledger.add(rec);
        if (!queue.offer(rec) && throttle(lastDropLog)) {
            LOG.warn("Usage sinks are {} records behind; records are dropped from the usage files (the totals still count them)", QUEUE_CAPACITY);
        }
        return rec;
    }

    /** The usage record of one call. */
    UsageRecord record(CallResult r) {
        ParsedRequest req = r.request();
        HeaderPriced h = headerPriced.remove(req.raw());
        Priced p = h != null && h.status() == r.status() && h.body() == r.body() && h.events() == r.events()
                ? h.priced() : safePrice(req, r.status(), r.body(), r.events());
        if (p.unpriced()) logUnpriced(p.model());
        boolean hit = UsageRecord.isHit(r.cacheStatus());
        TokenUsage u = p.usage();
        Caller c = r.caller();
        return new UsageRecord(clock.instant(), r.requestId(), c.projectId(), c.keyId(), req.endpoint().path(), req.model(), p.model(),
                r.upstream(), req.stream(), r.cacheStatus(), r.similarity(), u.inputTokens(), u.cachedInputTokens(), u.outputTokens(),
                u.reasoningTokens(), u.estimated(), p.unpriced(), hit ? 0 : p.micros(), p.micros(),
                TimeUnit.NANOSECONDS.toMillis(r.latencyNanos()), r.status());
    }

    private Priced price(ParsedRequest req, int status, byte[] body, List<byte[]> events, AnswerUsage.Found f) {
        TokenUsage u = f.usage();
        if (u == null) {
            // a provider's error is not billed; a success without usage is estimated from the text
            u = status / 100 == 2 && (body != null || events != null) ? AnswerUsage.estimate(req, body, events) : TokenUsage.NONE;
        }
        String model = f.model() != null ? f.model() : req.model();
        ModelPrice price = pricing.resolve(model);
        if (price == null && f.model() != null) price = pricing.resolve(req.model());
        return new Priced(model, u, price, price == null ? 0 : price.costMicros(u), f);
    }

    /**
     * Sets {@code X-WatchLLM-Cost-USD} on a whole (non-streamed) answer from the provider, before it
     * is written: its cost, {@code 0} for a provider error (not billed), none when the model is unpriced.
     */
    public void costHeaders(Exchange ex, ParsedRequest req, int status, byte[] body) {
        if (status / 100 != 2) {
            ex.header(WatchLlmHeaders.COST_USD, "0");
            return;
        }
        Priced p = priceOnce(req, status, body, null);
        if (p.price() != null) ex.header(WatchLlmHeaders.COST_USD, Usd.format(p.micros()));
    }

    /** Pricing runs on the answer's path: whatever a provider sends, it must not break the answer. */
    private Priced safePrice(ParsedRequest req, int status, byte[] body, List<byte[]> events) {
        return safePrice(req, status, body, events, null);
    }

    private Priced safePrice(ParsedRequest req, int status, byte[] body, List<byte[]> events, AnswerUsage.Found known) {
        try {
            return price(req, status, body, events, known != null ? known : body != null ? AnswerUsage.ofBody(body) : AnswerUsage.ofEvents(events));
        } catch (RuntimeException e) {
            if (throttle(lastPriceLog)) LOG.warn("Cannot price an answer of model '{}': {}", req.model(), e.toString());
            return new Priced(req.model(), TokenUsage.NONE, null, 0, null);
        }
    }

    /**
     * Sets the headers of an answer served from the cache: {@code X-WatchLLM-Cost-USD: 0} and
     * {@code X-WatchLLM-Saved-USD} (what the cached answer cost when it was bought; absent when its
     * model is unpriced). Pass the cached answer and the form served: its body, or its events. The
     * answer's model and usage are read once per cached object ({@link CachedAnswer#derived()}),
     * not on every hit.
     */
    public void hitHeaders(Exchange ex, ParsedRequest req, CachedAnswer answer, byte[] body, List<byte[]> events) {
        ex.header(WatchLlmHeaders.COST_USD, "0");
        AnswerUsage.Found f = answer.derived() instanceof AnswerUsage.Found known ? known : null;
        Priced p = priceOnce(req, 200, body, events, f);
        // the same answer in either mode: a body and its replayed events carry the same model and usage
        if (f == null && p.found() != null) answer.derived(p.found());
        if (p.price() != null) ex.header(WatchLlmHeaders.SAVED_USD, Usd.format(p.micros()));
    }

    /**
     * Prices an answer for its headers and keeps the result for the same answer's usage record,
     * so a call's answer is read for its usage once, not twice (the profile of the hit path showed
     * the second read). The record uses it only for the very same body or events.
     */
    private Priced priceOnce(ParsedRequest req, int status, byte[] body, List<byte[]> events) {
        return priceOnce(req, status, body, events, null);
    }

    /** With {@code known}, what the answer was found to hold before (null: read it now). */
    private Priced priceOnce(ParsedRequest req, int status, byte[] body, List<byte[]> events, AnswerUsage.Found known) {
        Priced p = safePrice(req, status, body, events, known);
        if (headerPriced.size() < MAX_HEADER_PRICED) headerPriced.put(req.raw(), new HeaderPriced(status, body, events, p));
        return p;
    }

    /**
     * An SSE comment carrying a streamed answer's cost, to send just before {@code data: [DONE]}
     * (headers were committed before the usage chunk existed): {@code : X-WatchLLM-Cost-USD: 0.000123}.
     * SSE clients ignore comments. Null when the provider sent no usage or the model is unpriced.
     */
    public byte[] streamCostComment(ParsedRequest req, List<byte[]> events) {
        if (events == null) return null;
        AnswerUsage.Found f = AnswerUsage.ofEvents(events);
        if (f.usage() == null) return null;
        String model = f.model() != null ? f.model() : req.model();
        ModelPrice price = pricing.resolve(model);
        if (price == null) price = pricing.resolve(req.model());
        if (price == null) return null;
        byte[] usd = Usd.format(price.costMicros(f.usage())).getBytes(StandardCharsets.US_ASCII);
        byte[] out = new byte[COST_COMMENT.length + usd.length + 2];
        System.arraycopy(COST_COMMENT, 0, out, 0, COST_COMMENT.length);
        System.arraycopy(usd, 0, out, COST_COMMENT.length, usd.length);
        out[out.length - 2] = '\n';
        out[out.length - 1] = '\n';
        return out;
    }

    /** Answers {@code GET /v1/watchllm/usage[?period=YYYY-MM]} for the caller's own project. */
    public void answerUsage(Exchange ex, Caller caller) {
        api.answer(ex, caller);
    }

    private void logUnpriced(String model) {
        if (unpricedLogged.size() >= MAX_LOGGED_MODELS || !unpricedLogged.add(model)) return;
        LOG.warn("No price for model '{}': its requests are counted as unpriced (not free). Add it under 'pricing:' in the config.", model);
    }

    /**
     * The usage thread: feeds the sinks what arrived every {@link #SINK_INTERVAL_NANOS}, flushes
     * the ledger every 30 s. It is not woken per record: a wake-up per request (a futex call for
     * the request's thread, a context switch on a small host) cost more than the record's
     * writing, and a request's answer does not wait for its line in the usage files anyway.
     */
    private void work() {
        long lastFlush = System.nanoTime();
        while (running) {
            try {
                if (!queue.isEmpty()) drain(null);
            } catch (RuntimeException e) {
                LOG.error("Usage thread: {}", e.toString());
            }
            if (running) LockSupport.parkNanos(SINK_INTERVAL_NANOS); // close() unparks it
            if (System.nanoTime() - lastFlush >= LEDGER_FLUSH_NANOS) {
                flushLedger();
                lastFlush = System.nanoTime();
            }
        }
    }

    private void drain(UsageRecord first) {
        synchronized (drainLock) {
            List<UsageRecord> batch = new ArrayList<>(256);
            if (first != null) batch.add(first);
            queue.drainTo(batch, 4096);
            while (!batch.isEmpty()) {
                for (UsageSink s : sinks) {
                    try {
                        for (UsageRecord r : batch) {
                            s.accept(r);
                        }
                        s.flush();
                    } catch (Exception e) {
                        if (throttle(lastSinkLog)) LOG.warn("Usage sink {} failed: {}", s.getClass().getName(), e.toString());
                    }
                }
                batch.clear();
                queue.drainTo(batch, 4096);
            }
        }
    }

    private void flushLedger() {
        try {
            ledger.flush();
        } catch (RuntimeException e) {
            LOG.error("Cannot persist usage totals: {}", e.toString());
        }
    }

    private static boolean throttle(AtomicLong last) {
        long now = System.nanoTime();
        long prev = last.get();
        return (prev == Long.MIN_VALUE || now - prev >= 60_000_000_000L) && last.compareAndSet(prev, now);
    }

    /** Stops the usage thread, writes every queued record to the sinks, closes them, and flushes and closes the ledger. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) return;
        running = false;
        LockSupport.unpark(worker); // no interrupt: it would close a sink's FileChannel mid-write
        try {
            worker.join(10_000);
            if (worker.isAlive()) LOG.warn("The usage thread did not stop within 10 s; draining from the closing thread");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        drain(null);
        for (UsageSink s : sinks) {
            try {
                s.close();
            } catch (Exception e) {
                LOG.error("Closing usage sink {} failed: {}", s.getClass().getName(), e.toString());
            }
        }
        try {
            ledger.close();
        } catch (Exception e) {
            LOG.error("Cannot persist usage totals at close: {}", e.toString());
        }
    }
}
