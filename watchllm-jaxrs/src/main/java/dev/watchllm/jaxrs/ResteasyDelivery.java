package dev.watchllm.jaxrs;

import jakarta.ws.rs.container.AsyncResponse;
import jakarta.ws.rs.core.Response;
import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.jboss.resteasy.spi.AsyncOutputStream;
import org.jboss.resteasy.spi.AsyncStreamingOutput;

/**
 * RESTEasy: a stream is an {@link AsyncStreamingOutput} whose writes are RESTEasy's non-blocking
 * {@link AsyncOutputStream} operations (a Servlet {@code WriteListener} underneath), so no thread
 * waits on the client at all; the response ends when every queued write has completed.
 */
final class ResteasyDelivery extends Delivery implements AsyncStreamingOutput {
    private final CompletableFuture<Void> done = new CompletableFuture<>();
    private final ArrayDeque<Object[]> early = new ArrayDeque<>(2);
    private AsyncOutputStream out;
    private CompletionStage<Void> last = CompletableFuture.completedFuture(null);
    private boolean ended;

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
        synchronized (this) {
            out = os;
            Object[] w;
            while ((w = early.poll()) != null) issue((byte[]) w[0], (Boolean) w[1], (Runnable) w[2]);
            if (ended) finish();
        }
        return done;
    }

    @Override
    void write(byte[] bytes, boolean flush, Runnable written) {
        synchronized (this) {
            if (out == null) {
                early.add(new Object[] {bytes, flush, written});
            } else {
                issue(bytes, flush, written);
            }
        }
    }

    /** Queues the write (and flush) with RESTEasy, which completes its operations in order. */
    private void issue(byte[] bytes, boolean flush, Runnable written) {
        CompletionStage<Void> op = out.asyncWrite(bytes);
        if (flush) op = op.thenCombine(out.asyncFlush(), (a, b) -> null);
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

    @Override
    void end() {
        synchronized (this) {
            ended = true;
            if (out != null) finish();
        }
    }

    private void finish() {
        last.whenComplete((v, failure) -> done.complete(null));
    }

    @Override
    void abort() {
        done.complete(null);
    }
}
