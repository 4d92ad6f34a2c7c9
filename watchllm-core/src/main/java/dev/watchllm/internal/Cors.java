package dev.watchllm.internal;

import dev.watchllm.http.Exchange;
import dev.watchllm.http.WatchLlmHeaders;
import java.util.List;

/**
 * CORS for browser clients of {@code /v1}. Keys travel in the {@code Authorization} header, never
 * in cookies, so {@code *} is safe and the default; credentials are never allowed.
 */
public final class Cors {
    private static final String DEFAULT_ALLOWED_HEADERS = "authorization, content-type, x-request-id, cache-control, "
            + "x-watchllm-cache-ttl, openai-organization, openai-project, openai-beta, x-stainless-arch, x-stainless-lang, "
            + "x-stainless-os, x-stainless-package-version, x-stainless-runtime, x-stainless-runtime-version, "
            + "x-stainless-retry-count, x-stainless-timeout";
    private final boolean any;
    private final List<String> origins;

    public Cors(List<String> allowedOrigins) {
        this.any = allowedOrigins.contains("*");
        this.origins = List.copyOf(allowedOrigins);
    }

    /** Adds the CORS headers of an actual (non-preflight) response. */
    public void apply(Exchange ex) {
        String origin = ex.header("Origin");
        if (origin == null) return;
        if (any) {
            ex.header("Access-Control-Allow-Origin", "*");
        } else if (origins.contains(origin)) {
            ex.header("Access-Control-Allow-Origin", origin);
            ex.header("Vary", "Origin");
        } else {
            return;
        }
        ex.header("Access-Control-Expose-Headers", WatchLlmHeaders.EXPOSED);
    }

    /** Answers a preflight {@code OPTIONS} request: 204, with or without permission. */
    public void preflight(Exchange ex) {
        String origin = ex.header("Origin");
        if (origin != null && (any || origins.contains(origin))) {
            ex.header("Access-Control-Allow-Origin", any ? "*" : origin);
            if (!any) ex.header("Vary", "Origin");
            ex.header("Access-Control-Allow-Methods", "GET, POST, OPTIONS");
            String requested = ex.header("Access-Control-Request-Headers");
            ex.header("Access-Control-Allow-Headers", requested != null && isTokenList(requested) ? requested : DEFAULT_ALLOWED_HEADERS);
            ex.header("Access-Control-Max-Age", "86400");
            ex.header("Access-Control-Expose-Headers", WatchLlmHeaders.EXPOSED);
        }
        ex.status(204);
        ex.end();
    }

    /** Only header-name characters, commas and spaces: nothing that could split a header. */
    private static boolean isTokenList(String s) {
        if (s.length() > 2048) return false;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean ok = (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z')
                    || c == '-' || c == '_' || c == ',' || c == ' ';
            if (!ok) return false;
        }
        return true;
    }
}
