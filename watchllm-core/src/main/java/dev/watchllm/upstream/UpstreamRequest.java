package dev.watchllm.upstream;

import java.time.Duration;
import java.util.List;

/**
 * One request to a provider. {@code headers} are name/value pairs in order. For a
 * {@code stream} request, {@code timeout} bounds the wait for the response and every gap
 * between events; otherwise it bounds the whole exchange.
 */
public record UpstreamRequest(String method, String url, List<String[]> headers, byte[] body, Duration timeout, boolean stream) {
}
