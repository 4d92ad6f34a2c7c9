package dev.watchllm.jetty;

import dev.watchllm.WatchLlm;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * WatchLLM as a Jetty 12 core {@link Handler}: serves the engine's prefix (default {@code /v1})
 * and hands every other request to the wrapped host handler (a servlet context, a
 * {@code ContextHandlerCollection}, anything), or answers 404 when there is none.
 *
 * <pre>{@code
 * WatchLlm engine = WatchLlm.fromConfig(Path.of("watchllm.yaml"));
 * server.setHandler(new WatchLlmHandler(engine, myServletContext));
 * }</pre>
 *
 * <p>Why a handler as well as the Servlet filter: on Jetty, a request the gateway answers then
 * skips the servlet layer (request wrappers, the async state machine, its dispatches), which is
 * most of what an answer from the cache costs. The answers are the same byte for byte: both
 * adapters pass the same contract suite. Nothing here blocks a thread: the body is read as it
 * arrives ({@link Request#demand}) and written as the connection takes it. The host keeps owning
 * the engine and closes it.
 */
public class WatchLlmHandler extends Handler.Wrapper {
    private final WatchLlm engine;

    /** Serves the engine's prefix; any other request gets Jetty's 404. */
    public WatchLlmHandler(WatchLlm engine) {
        this(engine, null);
    }

    /** Serves the engine's prefix and hands every other request to {@code host}. */
    public WatchLlmHandler(WatchLlm engine, Handler host) {
        super(host);
        this.engine = engine;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        String path = Request.getPathInContext(request);
        if (!engine.owns(path)) return super.handle(request, response, callback);
        JettyExchange ex = new JettyExchange(request, response, callback, path, engine.captureHostContext());
        if ("POST".equals(request.getMethod())) {
            ex.readBodyThen(engine.config().maxBodyBytes(), () -> engine.handle(ex));
        } else {
            engine.handle(ex);
        }
        return true;
    }

    /** The engine this handler serves with. */
    public WatchLlm engine() {
        return engine;
    }
}
