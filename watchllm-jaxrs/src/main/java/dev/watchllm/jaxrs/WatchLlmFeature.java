package dev.watchllm.jaxrs;

import dev.watchllm.WatchLlm;
import dev.watchllm.config.ConfigLoader;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.RuntimeType;
import jakarta.ws.rs.core.Feature;
import jakarta.ws.rs.core.FeatureContext;
import java.nio.file.Path;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves WatchLLM's prefix (the config's {@code http.prefix}, default {@code /v1}, below the JAX-RS
 * application path) from any JAX-RS 3.1+ server runtime; every other request is left to the host's
 * own resources.
 *
 * <pre>{@code
 * WatchLlm engine = WatchLlm.fromConfig(Path.of("watchllm.yaml"));
 * resourceConfig.register(new WatchLlmFeature(engine));   // Jersey; RESTEasy: Application#getSingletons
 * // at shutdown, after the server stopped: engine.close();
 * }</pre>
 *
 * <p>Requests are suspended ({@code @Suspended AsyncResponse}): waiting on the provider holds no
 * request thread. Streams are written without holding one either: on Jersey through
 * {@code ChunkedOutput}, on RESTEasy through its non-blocking {@code AsyncStreamingOutput}; on any
 * other runtime through a {@code StreamingOutput} that holds one thread of the feature's writer
 * pool (not a request thread) while the stream lasts.
 */
public final class WatchLlmFeature implements Feature, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(WatchLlmFeature.class);

    /** How the runtime at hand streams; decided once, in {@link #configure}. */
    enum Runtime {
        JERSEY("Jersey ChunkedOutput"), RESTEASY("RESTEasy AsyncStreamingOutput"), PORTABLE("StreamingOutput on a writer thread");

        final String streams;

        Runtime(String streams) {
            this.streams = streams;
        }
    }

    private final WatchLlm engine;
    private final boolean ownsEngine;
    private final Runtime forced;
    private final ExecutorService writers;

    /** Serves with an engine the host built and will close. */
    public WatchLlmFeature(WatchLlm engine) {
        this(Objects.requireNonNull(engine, "engine"), false, null);
    }

    /** Serves with an engine built from a YAML config file; {@link #close()} closes it. */
    public WatchLlmFeature(Path configFile) {
        this(WatchLlm.builder().config(ConfigLoader.load(configFile)).build(), true, null);
    }

    /** For tests: {@code forced} overrides the runtime detection. */
    WatchLlmFeature(WatchLlm engine, boolean ownsEngine, Runtime forced) {
        this.engine = engine;
        this.ownsEngine = ownsEngine;
        this.forced = forced;
        AtomicInteger n = new AtomicInteger();
        ThreadPoolExecutor pool = new ThreadPoolExecutor(0, Integer.MAX_VALUE, 30, TimeUnit.SECONDS, new SynchronousQueue<>(), r -> {
            Thread t = new Thread(r, "watchllm-jaxrs-writer-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        this.writers = pool;
    }

    @Override
    public boolean configure(FeatureContext context) {
        if (context.getConfiguration().getRuntimeType() != RuntimeType.SERVER) return false;
        Runtime runtime = forced != null ? forced : detect(context);
        Delivery.Factory deliveries;
        switch (runtime) {
            case JERSEY:
                deliveries = (async, gone) -> new JerseyDelivery(async, gone, writers);
                break;
            case RESTEASY:
                deliveries = ResteasyDelivery::new;
                break;
            default:
                deliveries = (async, gone) -> new BlockingDelivery(async, gone, writers);
        }
        LOG.info("WatchLLM serves {} (streams: {})", engine.config().prefix(), runtime.streams);
        context.register(new PrefixRouting(engine), Priorities.AUTHENTICATION - 500);
        WatchLlmResource resource = new WatchLlmResource(engine, deliveries);
        if (isResteasy(context)) {
            ResteasyRegistration.addResource(context.getConfiguration(), resource); // RESTEasy takes only providers from a Feature
        } else {
            context.register(resource);
        }
        return true;
    }

    private static Runtime detect(FeatureContext context) {
        String impl = context.getClass().getName();
        if (impl.startsWith("org.glassfish.jersey.")) return Runtime.JERSEY;
        if (isResteasy(context)) return Runtime.RESTEASY;
        return Runtime.PORTABLE;
    }

    private static boolean isResteasy(FeatureContext context) {
        return context.getClass().getName().startsWith("org.jboss.resteasy.");
    }

    /** The engine this feature serves with. */
    public WatchLlm engine() {
        return engine;
    }

    /** Stops the writer pool, and closes the engine when this feature built it. Call after the server stopped. */
    @Override
    public void close() {
        writers.shutdown();
        if (ownsEngine) engine.close();
    }
}
