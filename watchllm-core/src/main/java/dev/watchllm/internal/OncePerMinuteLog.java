package dev.watchllm.internal;

import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;

/** Logs a recurring problem at most once a minute per key: one line per problem, not per request. */
final class OncePerMinuteLog {
    private final Logger log;
    private final ConcurrentHashMap<String, Long> last = new ConcurrentHashMap<>();

    OncePerMinuteLog(Logger log) {
        this.log = log;
    }

    void warn(String key, String format, Object... args) {
        long now = System.nanoTime();
        Long prev = last.get(key);
        if (prev != null && now - prev < 60_000_000_000L) return;
        if (prev == null ? last.putIfAbsent(key, now) != null : !last.replace(key, prev, now)) return;
        log.warn(format, args);
    }
}
