package dev.watchllm.jaxrs;

import jakarta.ws.rs.container.AsyncResponse;
import jakarta.ws.rs.core.Response;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import org.jboss.resteasy.spi.AsyncOutputStream;
import org.jboss.resteasy.spi.AsyncStreamingOutput;

/**
 * RESTEasy: a stream is an {@link AsyncStreamingOutput} whose writes are RESTEasy's non-blocking
 * {@link AsyncOutputStream} operations (a Servlet {@code WriteListener} underneath), so no thread
 * waits on the client at all; the response ends when every queued write has completed. Writes
 * are handed to RESTEasy in order by one thread at a time, holding no lock.
 */
final class ResteasyDelivery extends Delivery implements AsyncStreamingOutput {
    private static final Object[] END = new Object[0];

    private final CompletableFuture<Void> done = new CompletableFuture<>();
    private final Queue<Object[]> pending = new ConcurrentLinkedQueue<>();
    private final AtomicInteger draining = new AtomicInteger();
    private volatile AsyncOutputStream out;
    private CompletionStage<Void> last = CompletableFuture.completedFuture(null); // touched by the draining thread only

    ResteasyDelivery(AsyncResponse async, Runnable gone) {
        super(async, gone);
    }

    @Override
    void send(Response response, Runnable written) {
        resume(response, written);
    }

    @Override
    void stream(Response.ResponseBuilder head) {
        resume(head.entity(this).build(), null);
    }

    /** Called by RESTEasy once the headers are ready; the response completes with the returned stage. */
    @Override
    public CompletionStage<Void> asyncWrite(AsyncOutputStream os) {
        out = os;
        drain();
        return done;
    }

    @Override
    void write(byte[] bytes, boolean flush, Runnable written) {
        pending.add(new Object[] {bytes, flush, written});
        drain();
    }

    @Override
    void end() {
        pending.add(END);
        drain();
    }

    @Override
    void abort() {
        done.complete(null);
    }

    /** Hands what is queued to RESTEasy, once it gave us its stream; whoever finds the queue idle drains it. */
    private void drain() {
        if (out == null || draining.getAndIncrement() != 0) return;
        do {
            Object[] w;
            while ((w = pending.poll()) != null) {
                if (w == END) {
                    last.whenComplete((v, failure) -> done.complete(null));
                } else {
                    issue((byte[]) w[0], (Boolean) w[1], (Runnable) w[2]);
                }
            }
        } while (draining.decrementAndGet() != 0);
    }

    /** RESTEasy completes its operations in the order they were queued. */
    private void issue(byte[] bytes, boolean flush, Runnable written) {
        AsyncOutputStream os = out;
        CompletionStage<Void> op = os.asyncWrite(bytes);
        if (flush) op = op.thenCombine(os.asyncFlush(), (a, b) -> null);
        last = op;
        op.whenComplete((v, failure) -> {
            if (failure != null) {
                gone.run();
                done.complete(null);
            } else {
                run(written);
            }
        });
    }
}
