package dev.watchllm.store;

import dev.watchllm.openai.OpenAiError;

/**
 * Thrown by a shared store (e.g. Redis) that cannot answer in time when it was configured with
 * {@code store.failOpen: false}: the engine then answers 503 {@code store_unavailable} instead of
 * serving without its shared limits. With {@code failOpen: true} (the default) stores fall back to
 * local state and never throw this.
 */
public final class StoreUnavailableException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** The answer to a request that could not be checked against the shared store. */
    public static final OpenAiError ERROR = new OpenAiError(503, "server_error", "store_unavailable",
            "The gateway's shared store is unavailable, so limits cannot be checked; retry shortly.", null);

    public StoreUnavailableException(String message, Throwable cause) {
        super(message, cause, false, false); // no stack trace: an outage throws this on every request
    }
}
