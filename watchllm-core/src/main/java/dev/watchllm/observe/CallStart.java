package dev.watchllm.observe;

import dev.watchllm.openai.ParsedRequest;
import java.util.function.Function;

/**
 * The start of one LLM call.
 *
 * @param requestHeader the incoming request's headers by name (e.g. {@code traceparent})
 * @param hostContext what {@link ProxyObserver#captureHostContext()} returned when the request arrived, or null
 * @param startEpochNanos wall-clock start, in nanoseconds since the epoch
 */
public record CallStart(String requestId, String projectId, ParsedRequest request, Function<String, String> requestHeader,
                        Object hostContext, long startEpochNanos) {
}
