package dev.watchllm.metering;

import java.io.IOException;

/**
 * Where usage records go besides the ledger: files, a queue, a billing system. The engine calls
 * a sink from its one usage thread, in the order requests were settled, never from a request
 * thread, so a sink may block on I/O (records wait in a bounded queue meanwhile). A failing
 * sink is logged (once a minute) and never breaks a request.
 */
public interface UsageSink extends AutoCloseable {
    void accept(UsageRecord record) throws IOException;

    /** Called after each batch of records; make them durable here. */
    default void flush() throws IOException {
    }

    @Override
    default void close() throws IOException {
        flush();
    }
}
