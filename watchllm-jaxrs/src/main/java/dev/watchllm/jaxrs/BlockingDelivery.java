package dev.watchllm.jaxrs;

import jakarta.ws.rs.container.AsyncResponse;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.StreamingOutput;
import java.io.IOException;
import java.io.OutputStream;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * Any other JAX-RS runtime: a stream is a {@link StreamingOutput} fed from a queue. Portable JAX-RS
 * has no non-blocking write, so the runtime writes on the thread that resumes, and that thread
 * waits on the queue for the stream's lifetime: it is a writer-pool thread, never a request
 * thread, but it is one thread per open stream.
 */
final class BlockingDelivery extends Delivery implements StreamingOutput {
    private static final Object END = new Object();

    private record Chunk(byte[] bytes, boolean flush, Runnable written) {
    }

    private final Executor writers;
    private final BlockingQueue<Object> queue = new LinkedBlockingQueue<>();

    BlockingDelivery(AsyncResponse async, Runnable gone, Executor writers) {
        super(async, gone);
        this.writers = writers;
    }

    @Override
    void send(Response response, Runnable written) {
        writers.execute(() -> resume(response, written));
    }

    @Override
    void stream(Response.ResponseBuilder head) {
        writers.execute(() -> resume(head.entity(this).build(), null));
    }

    @Override
    public void write(OutputStream os) {
        try {
            Object item;
            while ((item = queue.take()) != END) {
                Chunk c = (Chunk) item;
                os.write(c.bytes);
                if (c.flush) os.flush();
                run(c.written);
            }
        } catch (IOException e) {
            // the client is gone: the engine stops the upstream; the runtime has nothing left to send
            gone.run();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            gone.run();
        }
    }

    @Override
    void write(byte[] bytes, boolean flush, Runnable written) {
        queue.add(new Chunk(bytes, flush, written));
    }

    @Override
    void end() {
        queue.add(END);
    }

    @Override
    void abort() {
        queue.add(END);
    }
}
