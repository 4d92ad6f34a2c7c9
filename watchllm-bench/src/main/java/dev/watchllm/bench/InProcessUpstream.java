package dev.watchllm.bench;

import dev.watchllm.bench.load.OpenAiBodies;
import dev.watchllm.upstream.Upstream;
import dev.watchllm.upstream.UpstreamListener;
import dev.watchllm.upstream.UpstreamRequest;
import java.nio.ByteBuffer;

/**
 * An {@link Upstream} that answers in the caller's thread, before {@code send} returns, with the
 * fixed completion of {@link OpenAiBodies} (a stream: one slice per event, the usage chunk
 * included, as the gateway always asks for it). It takes the network out of an engine benchmark,
 * so what remains is the engine's own work. The listener must demand each next slice before its
 * {@code onContent} returns (the engine does when the exchange takes bytes at once).
 */
final class InProcessUpstream implements Upstream {
    private static final Call DONE = () -> {
        // the answer was complete before send returned: nothing is left to cancel
    };
    private static final UpstreamListener.ResponseHeaders JSON = name -> "Content-Type".equalsIgnoreCase(name) ? "application/json" : null;
    private static final UpstreamListener.ResponseHeaders SSE = name -> "Content-Type".equalsIgnoreCase(name) ? "text/event-stream" : null;

    private final OpenAiBodies bodies;

    InProcessUpstream(OpenAiBodies bodies) {
        this.bodies = bodies;
    }

    @Override
    public Call send(UpstreamRequest request, UpstreamListener listener) {
        Demand demand = new Demand();
        if (request.stream()) {
            listener.onResponse(200, SSE);
            for (byte[] event : bodies.events(true)) {
                deliver(listener, ByteBuffer.wrap(event), demand);
            }
        } else {
            listener.onResponse(200, JSON);
            deliver(listener, ByteBuffer.wrap(bodies.completion()), demand);
        }
        listener.onComplete();
        return DONE;
    }

    private static void deliver(UpstreamListener listener, ByteBuffer slice, Demand demand) {
        demand.demanded = false;
        listener.onContent(slice, demand);
        if (!demand.demanded) {
            throw new IllegalStateException("the listener did not demand the next slice in its onContent call");
        }
    }

    private static final class Demand implements Runnable {
        boolean demanded;

        @Override
        public void run() {
            demanded = true;
        }
    }

    @Override
    public void close() {
        // nothing to release
    }
}
