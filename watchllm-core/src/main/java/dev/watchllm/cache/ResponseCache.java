package dev.watchllm.cache;

/**
 * Where the exact cache keeps answers, by key. Implementations never throw from {@link #get},
 * {@link #put} or {@link #remove}: a store that fails reads as a miss and drops writes, so a
 * request never fails because of its cache. Thread-safe.
 */
public interface ResponseCache extends AutoCloseable {
    /** The answer stored under {@code key}, or null. Expiry is the caller's business (it holds the clock). */
    CachedAnswer get(String key);

    void put(String key, CachedAnswer answer);

    void remove(String key);

    /** Releases the store; a persistent one is written out so its entries survive a restart. */
    @Override
    void close();

    /** A cache that keeps nothing: the last resort when no store could be opened. */
    ResponseCache NONE = new ResponseCache() {
        @Override public CachedAnswer get(String key) { return null; }
        @Override public void put(String key, CachedAnswer answer) { }
        @Override public void remove(String key) { }
        @Override public void close() { }
    };
}
