package dev.watchllm.observe;

/**
 * Watches every LLM call the engine serves (tracing, metrics). Core knows no telemetry library:
 * {@code watchllm-otel} implements this with OpenTelemetry. Callbacks run on the request path, so
 * they must be quick; the engine guards them, so a broken observer never breaks a request.
 */
public interface ProxyObserver {
    /** Observes nothing. */
    ProxyObserver NONE = new ProxyObserver() {
        @Override
        public CallObservation start(CallStart start) {
            return CallObservation.NONE;
        }

        @Override
        public boolean mayBlock() {
            return false;
        }
    };

    /**
     * A call was authenticated, parsed and routed, and is about to be admitted, looked up in the
     * cache and forwarded. Runs on the thread that received the request, so a host's current
     * trace context is visible here.
     */
    CallObservation start(CallStart start);

    /**
     * Captures the host's current context (e.g. the trace context of an instrumented container)
     * on the thread that received the request, before any asynchronous step; it comes back in
     * {@link CallStart#hostContext()}. Null when there is none.
     */
    default Object captureHostContext() {
        return null;
    }

    /**
     * True (the default) when a callback may wait on I/O, e.g. an exporter that sends on the
     * calling thread. The engine then tells event-loop adapters not to serve on their event loop
     * ({@link dev.watchllm.WatchLlm#nonBlocking()}). An observer that only records in memory and
     * hands export to its own threads returns false.
     */
    default boolean mayBlock() {
        return true;
    }
}
