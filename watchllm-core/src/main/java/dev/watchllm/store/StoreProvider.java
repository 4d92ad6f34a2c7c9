package dev.watchllm.store;

import dev.watchllm.config.ConfigException;
import dev.watchllm.config.WatchLlmConfig;
import java.time.Clock;
import java.util.ServiceLoader;

/**
 * Opens the {@link SharedStores} of one {@code store.type} (e.g. {@code redis}). Found with
 * {@link ServiceLoader}: a store module (such as {@code watchllm-redis}) on the class path
 * registers its provider in {@code META-INF/services/dev.watchllm.store.StoreProvider}, so core
 * never depends on a store's client library.
 */
public interface StoreProvider {
    /** The {@code store.type} this provider serves. */
    String type();

    /** Connects and returns the stores; throws {@link ConfigException} when the store cannot be used at all. */
    SharedStores open(WatchLlmConfig config, Clock clock);

    /** Opens the stores of {@code config.store().type()} through the provider registered for it. */
    static SharedStores openFor(WatchLlmConfig config, Clock clock) {
        String type = config.store().type();
        for (StoreProvider p : ServiceLoader.load(StoreProvider.class, StoreProvider.class.getClassLoader())) {
            if (p.type().equals(type)) return p.open(config, clock);
        }
        throw new ConfigException("store.type: '" + type + "' needs its store module on the class path (for redis: dev.watchllm:watchllm-redis)");
    }
}
