package dev.watchllm.jetty;

import java.util.concurrent.ConcurrentHashMap;
import org.eclipse.jetty.http.HttpHeader;

/**
 * Jetty's {@link HttpHeader} for a header name (null for one Jetty does not know), remembered by
 * name: the engine writes the same few dozen names on every answer, and Jetty's own look-up walks
 * a case-insensitive trie each time. Bounded, so names relayed from a provider cannot grow it
 * without end; past the bound a name is simply looked up again.
 */
final class KnownHeaders {
    private static final int MAX = 512;
    private static final Object UNKNOWN = new Object();
    private static final ConcurrentHashMap<String, Object> BY_NAME = new ConcurrentHashMap<>();

    private KnownHeaders() {
    }

    static HttpHeader of(String name) {
        Object h = BY_NAME.get(name);
        if (h == null) {
            HttpHeader found = HttpHeader.CACHE.get(name);
            h = found != null ? found : UNKNOWN;
            if (BY_NAME.size() < MAX) BY_NAME.putIfAbsent(name, h);
        }
        return h == UNKNOWN ? null : (HttpHeader) h;
    }
}
