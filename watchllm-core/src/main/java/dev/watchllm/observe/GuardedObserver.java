package dev.watchllm.observe;

import dev.watchllm.internal.CallResult;
import dev.watchllm.metering.UsageRecord;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Wraps an observer so that nothing it throws reaches a request: failures are swallowed and logged
 * at most once a minute.
 */
public final class GuardedObserver implements ProxyObserver {
    private static final Logger LOG = LoggerFactory.getLogger(GuardedObserver.class);
    private final ProxyObserver delegate;
    private final AtomicLong lastLog = new AtomicLong(Long.MIN_VALUE);

    private GuardedObserver(ProxyObserver delegate) {
        this.delegate = delegate;
    }

    /** {@code observer} guarded; {@link ProxyObserver#NONE} stays as it is. */
    public static ProxyObserver of(ProxyObserver observer) {
        if (observer == null || observer == ProxyObserver.NONE || observer instanceof GuardedObserver) {
            return observer == null ? ProxyObserver.NONE : observer;
        }
        return new GuardedObserver(observer);
    }

    @Override
    public CallObservation start(CallStart start) {
        try {
            CallObservation o = delegate.start(start);
            return o == null || o == CallObservation.NONE ? CallObservation.NONE : new Guarded(o);
        } catch (RuntimeException | LinkageError e) {
            failed(e);
            return CallObservation.NONE;
        }
    }

    @Override
    public Object captureHostContext() {
        try {
            return delegate.captureHostContext();
        } catch (RuntimeException | LinkageError e) {
            failed(e);
            return null;
        }
    }

    @Override
    public boolean mayBlock() {
        return delegate.mayBlock();
    }

    private void failed(Throwable e) {
        long now = System.nanoTime();
        long prev = lastLog.get();
        if ((prev == Long.MIN_VALUE || now - prev > 60_000_000_000L) && lastLog.compareAndSet(prev, now)) {
            LOG.warn("An observer failed (requests are unaffected): {}", e.toString());
        }
    }

    private final class Guarded implements CallObservation {
        private final CallObservation o;

        Guarded(CallObservation o) {
            this.o = o;
        }

        @Override
        public void upstreamHeaders(BiConsumer<String, String> add) {
            try {
                o.upstreamHeaders(add);
            } catch (RuntimeException | LinkageError e) {
                failed(e);
            }
        }

        @Override
        public void upstream(String name, String url) {
            try {
                o.upstream(name, url);
            } catch (RuntimeException | LinkageError e) {
                failed(e);
            }
        }

        @Override
        public void firstChunk() {
            try {
                o.firstChunk();
            } catch (RuntimeException | LinkageError e) {
                failed(e);
            }
        }

        @Override
        public void end(CallResult result, UsageRecord usage) {
            try {
                o.end(result, usage);
            } catch (RuntimeException | LinkageError e) {
                failed(e);
            }
        }
    }
}
