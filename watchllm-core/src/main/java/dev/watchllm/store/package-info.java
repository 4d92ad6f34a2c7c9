/**
 * The extension point for shared state: {@link dev.watchllm.store.StoreProvider} opens the
 * {@link dev.watchllm.store.SharedStores} of a {@code store.type} other than {@code local}.
 */
package dev.watchllm.store;
