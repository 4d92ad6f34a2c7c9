package dev.watchllm.jetty;

import dev.watchllm.WatchLlm;
import org.eclipse.jetty.http.HttpStatus;
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
 *
 * <p><b>On the selector.</b> When the engine says its gateway requests never wait on I/O
 * ({@link WatchLlm#nonBlocking()}: local stores), this handler declares itself
 * {@link InvocationType#NON_BLOCKING}, and Jetty runs a gateway request on the thread that read
 * it, as it runs a plain HTTP server, instead of handing it to a pool thread: a cache hit is then
 * read, answered and written without a thread hand-off. Requests that may block go to the
 * server's thread pool first: the host's (servlets block) unless the host itself is non-blocking,
 * and the engine's admin paths. With Redis stores, a custom store or an observer that may block,
 * the handler is an ordinary blocking one and every request runs on a pool thread, as it would
 * without WatchLLM. {@link #setServeOnSelector(boolean) setServeOnSelector(false)} forces that
 * mode, e.g. when {@code store.dir} is on slow network storage (see {@link WatchLlm#nonBlocking()}).
 *
 * <p>Give the connector one selector per core ({@code new ServerConnector(server, -1, cores, ...)};
 * Jetty's default is half the cores): on the selector, hits run on those threads only. Measured
 * (README, "Performance"): with two or more connections busy, the selector mode answers more hits
 * with less CPU each; with a single strictly sequential client, the pool mode answers sooner, as
 * Jetty then lets a spare thread take over the reading while the request keeps its thread.
 */
public class WatchLlmHandler extends Handler.Wrapper {
    private final WatchLlm engine;
    private boolean serveOnSelector = true;

    /** Serves the engine's prefix; any other request gets Jetty's 404. */
    public WatchLlmHandler(WatchLlm engine) {
        this(engine, null);
    }

    /** Serves the engine's prefix and hands every other request to {@code host}. */
    public WatchLlmHandler(WatchLlm engine, Handler host) {
        super(host);
        this.engine = engine;
    }

    /**
     * Whether gateway requests may run on Jetty's selector thread when the engine allows it
     * (default true); false: every request runs on a pool thread. Set it before the server starts.
     */
    public void setServeOnSelector(boolean serveOnSelector) {
        if (isStarted()) throw new IllegalStateException("set before the server starts");
        this.serveOnSelector = serveOnSelector;
    }

    /** True when gateway requests run on the thread that read them (see the class comment). */
    public boolean servesOnSelector() {
        return serveOnSelector && engine.nonBlocking();
    }

    @Override
    public InvocationType getInvocationType() {
        return servesOnSelector() ? InvocationType.NON_BLOCKING : InvocationType.BLOCKING;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        String path = Request.getPathInContext(request);
        boolean onSelector = servesOnSelector(); // when false, Jetty already called this on a pool thread
        if (!engine.owns(path)) {
            Handler host = getHandler();
            if (!onSelector || host == null || host.getInvocationType() == InvocationType.NON_BLOCKING) {
                return super.handle(request, response, callback);
            }
            request.getContext().execute(() -> handleOnHost(host, request, response, callback));
            return true;
        }
        if (onSelector && !engine.handlesWithoutBlocking(path)) {
            request.getContext().execute(() -> serve(path, request, response, callback, InvocationType.BLOCKING));
        } else {
            serve(path, request, response, callback, onSelector ? InvocationType.NON_BLOCKING : InvocationType.BLOCKING);
        }
        return true;
    }

    /** {@code invocation}: how the engine may be called once the body is read (NON_BLOCKING: on a selector thread). */
    private void serve(String path, Request request, Response response, Callback callback, InvocationType invocation) {
        JettyExchange ex = new JettyExchange(request, response, callback, path, engine.captureHostContext());
        if ("POST".equals(request.getMethod())) {
            ex.readBodyThen(engine.config().maxBodyBytes(), invocation, () -> engine.handle(ex));
        } else {
            engine.handle(ex);
        }
    }

    /** The host's request, on a pool thread: what Jetty does itself for a blocking handler. */
    private static void handleOnHost(Handler host, Request request, Response response, Callback callback) {
        try {
            if (!host.handle(request, response, callback)) Response.writeError(request, response, callback, HttpStatus.NOT_FOUND_404);
        } catch (Throwable t) {
            callback.failed(t); // Jetty answers 500, as when a handler throws
        }
    }

    /** The engine this handler serves with. */
    public WatchLlm engine() {
        return engine;
    }
}
