package dev.watchllm.redis;

import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.time.YearMonth;

/**
 * The names of everything WatchLLM keeps in Redis, all under {@value #PREFIX}. Two gateways that
 * must not share state use different Redis databases ({@code redis://host/1}).
 */
final class RedisKeys {
    static final String PREFIX = "watchllm:";
    static final String KEYS_HASH = PREFIX + "keys";
    static final String KEYS_CHANNEL = PREFIX + "keys:changes";
    /** Every change of the semantic index (channels and keys are apart in Redis: no project's key clashes with it). */
    static final byte[] SEMANTIC_CHANNEL = (PREFIX + "semantic:changes").getBytes(StandardCharsets.UTF_8);

    private RedisKeys() {
    }

    static byte[] rate(String project, String limit, long perMinute) {
        // the size is part of the name: a plan changed in the config starts a fresh bucket instead of keeping the old one
        return (PREFIX + "rate:" + project + ":" + limit + ":" + perMinute).getBytes(StandardCharsets.UTF_8);
    }

    static String month(String project, YearMonth month) {
        return PREFIX + "limit:" + project + ":" + month;
    }

    static byte[] cache(String key) {
        return (PREFIX + "cache:" + key).getBytes(StandardCharsets.UTF_8);
    }

    static String usage(String project, YearMonth month) {
        return PREFIX + "usage:" + project + ":" + month;
    }

    static String usage(String project, LocalDate day) {
        return PREFIX + "usage:" + project + ":" + day;
    }

    /** A project's semantic entries: a sorted set of entry ids scored by expiry (epoch ms). */
    static byte[] semanticIndex(String project) {
        return (PREFIX + "semantic:" + project).getBytes(StandardCharsets.UTF_8);
    }

    /** One semantic entry (a project id never holds a colon, so this never names an index). */
    static byte[] semanticEntry(String project, byte[] id) {
        byte[] head = (PREFIX + "semantic:" + project + ":").getBytes(StandardCharsets.UTF_8);
        byte[] out = java.util.Arrays.copyOf(head, head.length + id.length);
        System.arraycopy(id, 0, out, head.length, id.length);
        return out;
    }
}
