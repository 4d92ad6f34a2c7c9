package dev.watchllm.jaxrs;

import jakarta.ws.rs.container.AsyncResponse;
import jakarta.ws.rs.core.Response;

/**
 * How one exchange's response reaches the client on a given JAX-RS runtime, without holding a
 * request thread: either whole ({@link #send}) or streamed ({@link #stream}, then
 * {@link #write}s, then {@link #end} or {@link #abort}). The exchange calls these in order, from
 * one thread at a time. A failed write reports the client gone through {@code gone}.
 */
abstract class Delivery {
    /** Picks the runtime's delivery for one exchange. */
    interface Factory {
        Delivery open(AsyncResponse async, Runnable gone);
    }

    final AsyncResponse async;
    final Runnable gone;

    Delivery(AsyncResponse async, Runnable gone) {
        this.async = async;
        this.gone = gone;
    }

    /** Resumes with the complete response; runs {@code written} (may be null) once the runtime took it. */
    abstract void send(Response response, Runnable written);

    /** Resumes with a streamed response whose body the following writes provide. */
    abstract void stream(Response.ResponseBuilder head);

    /** Queues bytes of the stream; {@code written} (may be null) runs once the runtime took them. */
    abstract void write(byte[] bytes, boolean flush, Runnable written);

    /** Ends the stream after everything queued. */
    abstract void end();

    /** Ends the stream at once (the client is gone). */
    abstract void abort();

    /** Resumes the suspended request; a runtime that cannot (cancelled, failed to write) means the client is gone. */
    final void resume(Response response, Runnable written) {
        try {
            if (async.resume(response)) {
                run(written);
                return;
            }
        } catch (RuntimeException e) {
            // the runtime could not write the response: the client is gone
        }
        gone.run();
    }

    static void run(Runnable r) {
        if (r != null) r.run();
    }
}
