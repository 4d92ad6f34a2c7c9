package dev.watchllm.config;

import java.nio.file.Path;
import java.util.Objects;

/**
 * Where state that outlives a request lives: {@code local} (a directory) or {@code redis} (shared
 * by every engine on the same Redis). {@code failOpen} (default true) decides what a shared store
 * does when it cannot answer in time: serve on local state, or answer 503 {@code store_unavailable}.
 * The directory is used in both modes (usage files are always written locally).
 */
public record StoreConfig(String type, Path dir, String uri, boolean failOpen) {
    public static final StoreConfig DEFAULT = new StoreConfig("local", Path.of("./watchllm-data"), null);

    public StoreConfig {
        Objects.requireNonNull(type, "type");
        if (!type.equals("local") && !type.equals("redis")) {
            throw new ConfigException("store.type: must be 'local' or 'redis', not '" + type + "'");
        }
        if (type.equals("redis") && (uri == null || uri.isBlank())) {
            throw new ConfigException("store.uri: required when store.type is redis");
        }
        Objects.requireNonNull(dir, "dir");
    }

    /** A store that fails open. */
    public StoreConfig(String type, Path dir, String uri) {
        this(type, dir, uri, true);
    }
}
