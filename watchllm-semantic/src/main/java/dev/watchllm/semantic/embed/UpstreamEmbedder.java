package dev.watchllm.semantic.embed;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.watchllm.config.UpstreamConfig;
import dev.watchllm.openai.RequestParser;
import dev.watchllm.semantic.Embedder;
import dev.watchllm.upstream.Upstream;
import dev.watchllm.upstream.UpstreamFailure;
import dev.watchllm.upstream.UpstreamListener;
import dev.watchllm.upstream.UpstreamRequest;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The {@code upstream} embedder: the provider's {@code POST /v1/embeddings}, sent through the
 * engine's {@link Upstream} client with the provider's key from the config. One request per text,
 * no retries (a failed embedding is a cache miss, not a reason to delay the answer); wrap it in a
 * {@link MemoizingEmbedder} so a prompt is paid for once. Responses are parsed on the client's
 * thread, never on a container's request thread.
 */
public final class UpstreamEmbedder implements Embedder {
    /** The model used when the config names none. */
    public static final String DEFAULT_MODEL = "text-embedding-3-small";
    private static final long MAX_RESPONSE_BYTES = 8L * 1024 * 1024;

    private final Upstream upstream;
    private final UpstreamConfig target;
    private final String model;
    private final int dimensions;
    private final Duration timeout;

    /**
     * Embeds with {@code model} at {@code target}; {@code dimensions} is sent as the request's
     * {@code dimensions} when above 0 (text-embedding-3 models shorten their vectors), else the
     * model's own length is used.
     */
    public UpstreamEmbedder(Upstream upstream, UpstreamConfig target, String model, int dimensions, Duration timeout) {
        this.upstream = Objects.requireNonNull(upstream, "upstream");
        this.target = Objects.requireNonNull(target, "target");
        this.model = Objects.requireNonNull(model, "model");
        if (dimensions < 0) throw new IllegalArgumentException("dimensions must not be negative");
        this.dimensions = dimensions;
        this.timeout = Objects.requireNonNull(timeout, "timeout");
    }

    @Override
    public String space() {
        return "upstream:" + target.name() + ":" + model + (dimensions > 0 ? ":" + dimensions : "");
    }

    @Override
    public int dimensions() {
        return dimensions;
    }

    @Override
    public CompletionStage<float[]> embed(String text) {
        if (target.apiKey() == null && target.missingEnv() != null) {
            return CompletableFuture.failedFuture(new IllegalStateException(
                    "upstream '" + target.name() + "' has no key: " + target.missingEnv() + " is not set"));
        }
        ObjectNode body = RequestParser.mapper().createObjectNode();
        body.put("model", model);
        body.put("input", text);
        body.put("encoding_format", "float");
        if (dimensions > 0) body.put("dimensions", dimensions);
        byte[] bytes;
        try {
            bytes = RequestParser.mapper().writeValueAsBytes(body);
        } catch (IOException e) {
            return CompletableFuture.failedFuture(e);
        }
        List<String[]> headers = new ArrayList<>(2);
        headers.add(new String[] {"Content-Type", "application/json"});
        if (target.apiKey() != null && !target.apiKey().isEmpty()) headers.add(new String[] {"Authorization", "Bearer " + target.apiKey()});
        CompletableFuture<float[]> result = new CompletableFuture<>();
        upstream.send(new UpstreamRequest("POST", target.baseUrl() + "/embeddings", headers, bytes, timeout, false), new Collector(result));
        return result;
    }

    /** Buffers one response and parses the first vector of {@code data}. */
    private final class Collector implements UpstreamListener {
        private final CompletableFuture<float[]> result;
        private final ByteArrayOutputStream body = new ByteArrayOutputStream(16 * 1024);
        private int status;

        Collector(CompletableFuture<float[]> result) {
            this.result = result;
        }

        @Override
        public void onResponse(int status, ResponseHeaders headers) {
            this.status = status;
        }

        @Override
        public void onContent(ByteBuffer slice, Runnable demand) {
            if (body.size() + (long) slice.remaining() > MAX_RESPONSE_BYTES) {
                result.completeExceptionally(new IOException("embedding response larger than " + MAX_RESPONSE_BYTES + " bytes"));
                return; // no demand: the upstream stays paused until its timeout ends it
            }
            byte[] chunk = new byte[slice.remaining()];
            slice.get(chunk);
            body.write(chunk, 0, chunk.length);
            demand.run();
        }

        @Override
        public void onComplete() {
            if (status != 200) {
                result.completeExceptionally(new IOException("embeddings answered HTTP " + status));
                return;
            }
            try {
                result.complete(parse(body.toByteArray()));
            } catch (IOException | RuntimeException e) {
                result.completeExceptionally(e);
            }
        }

        @Override
        public void onFailure(UpstreamFailure failure) {
            result.completeExceptionally(new IOException("embeddings failed: " + failure.kind() + " " + failure.describe()));
        }
    }

    private float[] parse(byte[] json) throws IOException {
        JsonNode vector = RequestParser.mapper().readTree(json).path("data").path(0).path("embedding");
        if (!vector.isArray() || vector.isEmpty()) throw new IOException("the embeddings response has no data[0].embedding array");
        if (dimensions > 0 && vector.size() != dimensions) {
            throw new IOException("the provider returned " + vector.size() + " dimensions, not " + dimensions);
        }
        float[] v = new float[vector.size()];
        for (int i = 0; i < v.length; i++) {
            JsonNode x = vector.get(i);
            if (!x.isNumber()) throw new IOException("data[0].embedding[" + i + "] is not a number");
            v[i] = (float) x.asDouble();
        }
        return Vectors.unit(v);
    }
}
