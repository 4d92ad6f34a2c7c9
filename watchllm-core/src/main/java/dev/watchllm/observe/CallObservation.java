package dev.watchllm.observe;

import dev.watchllm.internal.CallResult;
import dev.watchllm.metering.UsageRecord;
import java.util.function.BiConsumer;

/** One observed call, from {@link ProxyObserver#start} to {@link #end}. Every method has a no-op default. */
public interface CallObservation {
    CallObservation NONE = new CallObservation() {
    };

    /** Headers to add to each request sent upstream for this call (trace context propagation). */
    default void upstreamHeaders(BiConsumer<String, String> add) {
    }

    /** An attempt goes to upstream {@code name} at {@code url} (retries and fallbacks call it again). */
    default void upstream(String name, String url) {
    }

    /** The first event of a streamed answer reached the gateway. */
    default void firstChunk() {
    }

    /**
     * The call ended: what the client got ({@code result}) and, for answered calls, its metered
     * usage and cost ({@code usage}, else null: e.g. a rejected request).
     */
    default void end(CallResult result, UsageRecord usage) {
    }
}
