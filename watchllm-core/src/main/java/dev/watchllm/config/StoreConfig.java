package dev.watchllm.config;

import java.nio.file.Path;
import java.util.Objects;

/** Where state that outlives a request lives: {@code local} (a directory) or {@code redis}. */
public record StoreConfig(String type, Path dir, String uri) {
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
}
