package dev.watchllm.observe;

/**
 * Watches every LLM call the engine serves (tracing, metrics). Core knows no telemetry library:
 * {@code watchllm-otel} implements this with OpenTelemetry. Callbacks run on the request path, so
 * they must be quick; the engine guards them, so a broken observer never breaks a request.
 */
public interface ProxyObserver {
    /** Observes nothing. */
    ProxyObserver NONE = start -> CallObservation.NONE;

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
}
