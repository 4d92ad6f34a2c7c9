package dev.watchllm.cache;

/**
 * What one request asks of the cache, from {@code Cache-Control} and {@code X-WatchLLM-Cache-TTL}:
 * <ul>
 *   <li>{@code no-cache}: do not look up (nor wait for an identical call in flight); the fresh
 *       answer replaces the entry.</li>
 *   <li>{@code no-store}: do not store this answer (nor share it with identical calls in flight).</li>
 *   <li>{@code max-age=N}: accept only an entry at most N seconds old; an unreadable value counts
 *       as 0 (a client that sets a limit never gets older than it wanted).</li>
 *   <li>{@code X-WatchLLM-Cache-TTL: N}: store for N seconds instead of the project's TTL; 0 means
 *       do not store.</li>
 * </ul>
 * Other {@code Cache-Control} directives are ignored, as HTTP caches do. A TTL that is not a whole
 * number of seconds is the client's error ({@link #error()}).
 *
 * @param maxAgeSeconds -1 when absent
 * @param ttlSeconds    -1 when absent (the project's TTL applies)
 * @param error         a message for a 400 answer, else null
 */
public record CacheDirectives(boolean noCache, boolean noStore, long maxAgeSeconds, long ttlSeconds, String error) {
    /** The longest TTL a request may ask for: ten years. */
    public static final long MAX_TTL_SECONDS = 10L * 365 * 86_400;

    /** No header: look up, store with the project's TTL. */
    public static final CacheDirectives NONE = new CacheDirectives(false, false, -1, -1, null);

    /** Parses the two request headers (either may be null). Allocation-free when both are absent. */
    public static CacheDirectives parse(String cacheControl, String ttl) {
        if (cacheControl == null && ttl == null) return NONE;
        boolean noCache = false;
        boolean noStore = false;
        long maxAge = -1;
        if (cacheControl != null) {
            for (String d : cacheControl.split(",")) {
                String t = d.trim();
                int eq = t.indexOf('=');
                String name = (eq < 0 ? t : t.substring(0, eq)).trim();
                if (name.equalsIgnoreCase("no-cache")) {
                    noCache = true;
                } else if (name.equalsIgnoreCase("no-store")) {
                    noStore = true;
                } else if (name.equalsIgnoreCase("max-age")) {
                    long v = eq < 0 ? -1 : seconds(unquote(t.substring(eq + 1).trim()));
                    long age = v < 0 ? 0 : v;
                    maxAge = maxAge < 0 ? age : Math.min(maxAge, age);
                }
            }
        }
        long ttlSeconds = -1;
        if (ttl != null) {
            ttlSeconds = seconds(ttl.trim());
            if (ttlSeconds < 0 || ttlSeconds > MAX_TTL_SECONDS) {
                return new CacheDirectives(noCache, noStore, maxAge, -1, "The X-WatchLLM-Cache-TTL header must be a whole number of seconds from 0 to "
                        + MAX_TTL_SECONDS + ", not '" + shorten(ttl) + "'.");
            }
        }
        return new CacheDirectives(noCache, noStore, maxAge, ttlSeconds, null);
    }

    /** True when this answer may be stored: not {@code no-store} and not a TTL of 0. */
    public boolean storable() {
        return !noStore && ttlSeconds != 0;
    }

    /** Digits only (a value too large to hold saturates); -1 for anything else. */
    private static long seconds(String s) {
        if (s.isEmpty()) return -1;
        long v = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') return -1;
            v = v > (Long.MAX_VALUE - 9) / 10 ? Long.MAX_VALUE : v * 10 + (c - '0');
        }
        return v;
    }

    private static String unquote(String s) {
        return s.length() >= 2 && s.charAt(0) == '"' && s.charAt(s.length() - 1) == '"' ? s.substring(1, s.length() - 1) : s;
    }

    private static String shorten(String s) {
        String t = s.length() > 40 ? s.substring(0, 40) + "..." : s;
        StringBuilder b = new StringBuilder(t.length());
        for (int i = 0; i < t.length(); i++) {
            char c = t.charAt(i);
            b.append(c < 0x20 || c == 0x7f ? '?' : c);
        }
        return b.toString();
    }
}
