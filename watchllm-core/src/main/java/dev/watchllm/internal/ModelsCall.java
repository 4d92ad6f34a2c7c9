package dev.watchllm.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.watchllm.config.UpstreamConfig;
import dev.watchllm.http.Exchange;
import dev.watchllm.openai.OpenAiError;
import dev.watchllm.openai.RequestParser;
import dev.watchllm.upstream.UpstreamFailure;
import dev.watchllm.upstream.UpstreamListener;
import dev.watchllm.upstream.UpstreamRequest;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@code GET /v1/models}: asks every upstream that has a key for its list, at once, and answers
 * the union (first upstream wins on a duplicate id). Unreachable upstreams are left out; when
 * none answers, 502.
 */
final class ModelsCall {
    private final EngineContext ctx;
    private final Exchange ex;
    private final List<UpstreamConfig> upstreams;
    private final JsonNode[] lists;
    private final AtomicInteger remaining;
    private final long startNanos;

    ModelsCall(EngineContext ctx, Exchange ex, List<UpstreamConfig> all, long startNanos) {
        this.ctx = ctx;
        this.ex = ex;
        List<UpstreamConfig> usable = new ArrayList<>();
        for (UpstreamConfig u : all) {
            if (u.missingEnv() == null) usable.add(u);
        }
        this.upstreams = usable;
        this.lists = new JsonNode[usable.size()];
        this.remaining = new AtomicInteger(usable.size());
        this.startNanos = startNanos;
    }

    void start() {
        if (upstreams.isEmpty()) {
            Responses.error(ex, OpenAiError.upstreamUnavailable("No upstream with a configured provider key can list models."));
            return;
        }
        for (int i = 0; i < upstreams.size(); i++) {
            UpstreamConfig u = upstreams.get(i);
            int idx = i;
            List<String[]> headers = new ArrayList<>(2);
            if (u.apiKey() != null && !u.apiKey().isEmpty()) headers.add(new String[] {"Authorization", "Bearer " + u.apiKey()});
            headers.add(new String[] {"Accept", "application/json"});
            ctx.upstream.send(new UpstreamRequest("GET", u.baseUrl() + "/models", headers, null, u.timeout(), false), new UpstreamListener() {
                private final ByteSink body = new ByteSink(1024, 8 * 1024 * 1024);
                private int status;

                @Override
                public void onResponse(int s, ResponseHeaders h) {
                    status = s;
                }

                @Override
                public void onContent(ByteBuffer slice, Runnable demand) {
                    body.append(slice);
                    demand.run();
                }

                @Override
                public void onComplete() {
                    if (status == 200) {
                        try {
                            lists[idx] = RequestParser.mapper().readTree(body.toByteArray());
                        } catch (java.io.IOException e) {
                            ctx.problems.warn("models:" + u.name(), "Upstream '{}' sent an unreadable model list", u.name());
                        }
                    } else {
                        ctx.problems.warn("models:" + u.name(), "Upstream '{}' answered {} to GET /models", u.name(), status);
                    }
                    done();
                }

                @Override
                public void onFailure(UpstreamFailure f) {
                    ctx.problems.warn("models:" + u.name(), "Upstream '{}' could not list models: {}", u.name(), f.describe());
                    done();
                }
            });
        }
    }

    private void done() {
        if (remaining.decrementAndGet() != 0) return;
        ObjectNode out = RequestParser.mapper().createObjectNode();
        out.put("object", "list");
        ArrayNode data = out.putArray("data");
        Set<String> seen = new HashSet<>();
        boolean any = false;
        for (JsonNode l : lists) {
            if (l == null) continue;
            any = true;
            for (JsonNode m : l.path("data")) {
                if (m.hasNonNull("id") && seen.add(m.get("id").asText())) data.add(m);
            }
        }
        if (!any) {
            Responses.error(ex, OpenAiError.upstreamUnavailable("No upstream answered the model list."));
            return;
        }
        try {
            ex.header(dev.watchllm.http.WatchLlmHeaders.LATENCY_MS, Long.toString((System.nanoTime() - startNanos) / 1_000_000));
            Responses.json(ex, 200, RequestParser.mapper().writeValueAsBytes(out));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            Responses.error(ex, OpenAiError.upstreamUnavailable("Cannot encode the model list."));
        }
    }
}
