package dev.watchllm.internal;

import dev.watchllm.auth.Caller;
import dev.watchllm.openai.ParsedRequest;
import java.util.List;

/**
 * What one forwarded call produced, handed to the settle steps (cache store, metering, limits)
 * once the client's response has ended.
 *
 * @param upstream  the upstream that answered, or null when none did
 * @param status    the status the client got
 * @param body      the whole body of a non-streamed answer, else null
 * @param events    the SSE events of a streamed answer as the provider sent them (the usage
 *                  chunk included, even when the client did not ask for it), else null
 * @param complete  true for a 2xx answer that ended normally ({@code [DONE]} for a stream)
 * @param cacheStatus the {@code X-WatchLLM-Cache} value the client got (MISS, HIT, BYPASS, ...)
 * @param similarity  for a semantic hit, the similarity; otherwise NaN
 */
public record CallResult(String requestId, Caller caller, ParsedRequest request, String upstream, int status, byte[] body,
                         List<byte[]> events, boolean complete, String cacheStatus, double similarity, long latencyNanos) {
}
