package dev.watchllm.upstream;

/**
 * Sends one HTTP request to a provider, asynchronously. Retries, fallbacks and routing live in
 * core on top of this SPI; an implementation only moves bytes. The default is {@link JettyUpstream}.
 */
public interface Upstream extends AutoCloseable {
    /**
     * Starts {@code request}; {@code listener} gets the response. Never throws for network
     * failures: they arrive as {@link UpstreamListener#onFailure}.
     */
    Call send(UpstreamRequest request, UpstreamListener listener);

    /** A request in flight. */
    interface Call {
        /** Stops the request (client gone); the listener then gets {@code onFailure(CANCELLED)}, or nothing if it had ended. */
        void cancel();
    }

    @Override
    void close();
}
