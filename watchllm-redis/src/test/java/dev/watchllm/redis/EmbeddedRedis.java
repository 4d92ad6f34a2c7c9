package dev.watchllm.redis;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.util.function.Function;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.ByteArrayCodec;
import redis.embedded.RedisServer;

/**
 * A real redis-server (shipped inside the embedded-redis jar) on a free 127.0.0.1 port, with no
 * persistence: what each test class starts, stops, and may kill and restart on the same port.
 */
final class EmbeddedRedis implements AutoCloseable {
    private final int port;
    private RedisServer server;

    EmbeddedRedis() {
        this.port = freePort();
        start();
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
