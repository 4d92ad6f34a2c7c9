package dev.watchllm.http;

import java.util.concurrent.atomic.AtomicReference;

/**
 * What an adapter keeps for {@link Exchange#onClientGone}: the engine's callback and whether the
 * client went away, in either order and from any threads. The callback runs exactly once if the
 * client goes away, whichever of {@link #register} and {@link #signal} comes first.
 */
public final class ClientGone {
    private static final Object GONE = new Object();
    /** null, then the registered callback, then {@link #GONE} once signalled. */
    private final AtomicReference<Object> state = new AtomicReference<>();

    /** Registers the engine's callback (replacing an earlier one); runs it at once if the client is already gone. */
    public void register(Runnable callback) {
        while (true) {
            Object s = state.get();
            if (s == GONE) {
                callback.run();
                return;
            }
            if (state.compareAndSet(s, callback)) return;
        }
    }

    /** The client went away: runs the registered callback, once; later signals do nothing. */
    public void signal() {
        Object prev = state.getAndSet(GONE);
        if (prev instanceof Runnable r) r.run();
    }

    /** True once {@link #signal} ran. */
    public boolean isGone() {
        return state.get() == GONE;
    }
}
