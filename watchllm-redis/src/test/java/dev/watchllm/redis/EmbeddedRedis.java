package dev.watchllm.redis;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.util.function.Function;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.ByteArrayCodec;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import redis.embedded.RedisServer;

/**
 * A real redis-server (shipped inside the embedded-redis jar) on a free 127.0.0.1 port, with no
 * persistence. A test may start one itself ({@code new EmbeddedRedis()}), stop it and restart it on
 * the same port; or share one across its class as an extension:
 *
 * <pre>{@code
 * @RegisterExtension
 * static final EmbeddedRedis redis = EmbeddedRedis.perClass(true);
 * }</pre>
 *
 * started before the class's {@code @BeforeAll} methods and stopped after its {@code @AfterAll}
 * ones, and emptied before each test when asked.
 */
final class EmbeddedRedis implements AutoCloseable, BeforeAllCallback, AfterAllCallback, BeforeEachCallback {
    private final int port;
    private final boolean flushBeforeEach;
    private RedisServer server;

    /** Started now. */
    EmbeddedRedis() {
        this(false);
        start();
    }

    private EmbeddedRedis(boolean flushBeforeEach) {
        this.port = freePort();
        this.flushBeforeEach = flushBeforeEach;
    }

    /** One server for a test class (register it as a static extension); {@code flushBeforeEach}: empty before every test. */
    static EmbeddedRedis perClass(boolean flushBeforeEach) {
        return new EmbeddedRedis(flushBeforeEach);
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        start();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        stop();
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        if (flushBeforeEach) query(c -> c.sync().flushall());
    }

    void start() {
        try {
            server = RedisServer.newRedisServer().port(port).bind("127.0.0.1")
                    .setting("save \"\"").setting("appendonly no").build();
            server.start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    void stop() {
        try {
            if (server != null && server.isActive()) server.stop();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    int port() {
        return port;
    }

    String uri() {
        return "redis://127.0.0.1:" + port;
    }

    /** Runs {@code call} on a fresh binary connection: the test's own look at what Redis holds. */
    <T> T query(Function<StatefulRedisConnection<byte[], byte[]>, T> call) {
        RedisClient client = RedisClient.create(uri());
        try (StatefulRedisConnection<byte[], byte[]> c = client.connect(ByteArrayCodec.INSTANCE)) {
            return call.apply(c);
        } finally {
            client.shutdown();
        }
    }

    @Override
    public void close() {
        stop();
    }

    private static int freePort() {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
