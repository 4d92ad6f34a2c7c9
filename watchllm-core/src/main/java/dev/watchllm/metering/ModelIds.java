package dev.watchllm.metering;

import java.util.Locale;
import java.util.function.Function;

/**
 * Finds the price-list entry for a model id as providers and clients spell it: exact first,
 * then without a version suffix ({@code -2024-07-18}, {@code -20241022}, {@code -0125},
 * {@code -2411}, {@code -001}, {@code -latest}), then without provider prefixes
 * ({@code openai/gpt-4o}, {@code groq/meta-llama/...}), then without an Ollama-style tag
 * ({@code llama3.2:3b}). Plain string work, no regular expressions.
 */
final class ModelIds {
    private ModelIds() {
    }

    static <T> T resolve(String model, Function<String, T> lookup) {
        String id = model.trim().toLowerCase(Locale.ROOT);
        T hit = resolvePrefixes(id, lookup);
        if (hit != null) return hit;
        int colon = id.lastIndexOf(':');
        if (colon > 0 && !id.startsWith("ft:")) {
            return resolvePrefixes(id.substring(0, colon), lookup);
        }
        return null;
    }

    private static <T> T resolvePrefixes(String id, Function<String, T> lookup) {
        String s = id;
        while (!s.isEmpty()) {
            T hit = resolveVersions(s, lookup);
            if (hit != null) return hit;
            int slash = s.indexOf('/');
            if (slash < 0) return null;
            s = s.substring(slash + 1);
        }
        return null;
    }

    private static <T> T resolveVersions(String id, Function<String, T> lookup) {
        String s = id;
        for (int i = 0; i < 3 && s != null; i++) {
            T hit = lookup.apply(s);
            if (hit != null) return hit;
            s = withoutVersion(s);
        }
        return null;
    }

    /** The id without one trailing version suffix, or null when it has none. */
    static String withoutVersion(String id) {
        if (id.endsWith("-latest")) return id.substring(0, id.length() - "-latest".length());
        int d1 = id.lastIndexOf('-');
        if (d1 <= 0) return null;
        int len = id.length() - d1 - 1;
        if (!digits(id, d1 + 1, id.length())) return null;
        if (len == 2) {
            // -YYYY-MM-DD
            int d2 = id.lastIndexOf('-', d1 - 1);
            int d3 = d2 > 0 ? id.lastIndexOf('-', d2 - 1) : -1;
            if (d3 > 0 && d1 - d2 == 3 && d2 - d3 == 5 && digits(id, d2 + 1, d1) && digits(id, d3 + 1, d2)) {
                return id.substring(0, d3);
            }
            return null;
        }
        // -YYYYMMDD (Anthropic), -MMDD / -YYMM (OpenAI, Mistral), -001 (Google)
        return len == 8 || len == 4 || len == 3 ? id.substring(0, d1) : null;
    }

    private static boolean digits(String s, int from, int to) {
        if (from >= to) return false;
        for (int i = from; i < to; i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') return false;
        }
        return true;
    }
}
