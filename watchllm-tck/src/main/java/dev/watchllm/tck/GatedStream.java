package dev.watchllm.tck;

import dev.watchllm.testing.FakeProvider;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.eclipse.jetty.http.HttpHeader;

/**
 * A provider behavior: a chat stream that sends its first event at once and the rest only after
 * {@link #release()}. Holds no thread while it waits (the rest is a queued continuation).
 */
final class GatedStream implements FakeProvider.Behavior {
    private final List<String> events;
    private final Queue<Runnable> waiting = new ConcurrentLinkedQueue<>();
    private volatile boolean released;

    GatedStream(List<String> events) {
        this.events = events;
    }

    @Override
    public void answer(org.eclipse.jetty.server.Request request, org.eclipse.jetty.server.Response response,
                       org.eclipse.jetty.util.Callback callback, FakeProvider.Recorded recorded) {
        response.setStatus(200);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/event-stream; charset=utf-8");
        String rest = String.join("", events.subList(1, events.size()));
        Runnable finish = () -> response.write(true, ByteBuffer.wrap(rest.getBytes(StandardCharsets.UTF_8)), callback);
        response.write(false, ByteBuffer.wrap(events.get(0).getBytes(StandardCharsets.UTF_8)), org.eclipse.jetty.util.Callback.from(() -> {
            waiting.add(finish);
            if (released) drain();
        }, callback::failed));
    }

    void release() {
        released = true;
        drain();
    }

    private void drain() {
        Runnable r;
        while ((r = waiting.poll()) != null) r.run();
    }
}
