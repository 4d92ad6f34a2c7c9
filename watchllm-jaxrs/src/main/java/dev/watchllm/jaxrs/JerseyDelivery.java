package dev.watchllm.jaxrs;

import jakarta.ws.rs.container.AsyncResponse;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.util.concurrent.Executor;
import org.glassfish.jersey.server.ChunkedOutput;

/**
 * Jersey: a stream is a {@link ChunkedOutput}, each chunk written and flushed as it comes. Jersey
 * writes on the calling thread with the container's blocking stream, so resumes and writes run on
 * the feature's writer pool, in order per exchange: neither a request thread nor the upstream
 * client's threads wait on a slow client, and a writer thread is busy only while a client is
 * actually slow to take bytes.
 */
final class JerseyDelivery extends Delivery {
    private final SerialExecutor serial;
    private ChunkedOutput<byte[]> out;

    JerseyDelivery(AsyncResponse async, Runnable gone, Executor writers) {
        super(async, gone);
        this.serial = new SerialExecutor(writers);
    }

    @Override
    void send(Response response, Runnable written) {
        serial.execute(() -> resume(response, written));
    }

    @Override
    void stream(Response.ResponseBuilder head) {
        ChunkedOutput<byte[]> o = new ChunkedOutput<>(byte[].class);
        out = o;
        serial.execute(() -> resume(head.entity(o).build(), null));
    }

    @Override
    void write(byte[] bytes, boolean flush, Runnable written) {
        ChunkedOutput<byte[]> o = out;
        serial.execute(() -> {
            try {
                o.write(bytes); // Jersey flushes every chunk
                run(written);
            } catch (IOException | RuntimeException e) {
                gone.run();
            }
        });
    }

    @Override
    void end() {
        ChunkedOutput<byte[]> o = out;
        serial.execute(() -> {
            try {
                o.close();
            } catch (IOException | RuntimeException e) {
                gone.run();
            }
        });
    }

    @Override
    void abort() {
        end();
    }
}
