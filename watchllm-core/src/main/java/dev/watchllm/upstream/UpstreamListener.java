package dev.watchllm.upstream;

import java.nio.ByteBuffer;

/**
 * Receives one upstream response. Calls for one request never overlap. {@link #onResponse}
 * comes first (unless the request fails before a response), then {@link #onContent} any
 * number of times, then exactly one of {@link #onComplete} or {@link #onFailure}.
 */
public interface UpstreamListener {
    /** Status and headers. {@code headers.get(name)} is case-insensitive. */
    void onResponse(int status, ResponseHeaders headers);

    /**
     * A slice of the body, valid only during this call: copy what you keep. Run {@code demand}
     * (on any thread, now or later) to receive the next slice; until then the upstream is paused.
     */
    void onContent(ByteBuffer slice, Runnable demand);

    void onComplete();

    void onFailure(UpstreamFailure failure);

    /** Response headers as an upstream reports them. */
    interface ResponseHeaders {
        String get(String name);
    }
}
