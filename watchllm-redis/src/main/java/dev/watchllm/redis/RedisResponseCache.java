package dev.watchllm.redis;

import dev.watchllm.cache.CachedAnswer;
import dev.watchllm.cache.CachedAnswerSerializer;
import dev.watchllm.cache.ResponseCache;
import io.lettuce.core.SetArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.Inflater;

/**
 * The exact cache on Redis, shared by every engine: one string per entry, expiring with the
 * entry's TTL ({@code SET ... PX}). The value is the cache's binary record, deflated when it is
 * larger than {@value #COMPRESS_ABOVE} bytes (chat answers shrink three to five times); its first
 * byte says which. A Redis that fails reads as a miss and drops the write: a request never fails
 * because of the cache, whatever {@code failOpen} says.
 */
final class RedisResponseCache implements ResponseCache {
    static final int COMPRESS_ABOVE = 1024;
    private static final byte RAW = 'R';
    private static final byte DEFLATED = 'Z';
    private static final CachedAnswerSerializer SERIALIZER = new CachedAnswerSerializer(null);

    private final StatefulRedisConnection<byte[], byte[]> c;
    private final RedisGuard guard;

    RedisResponseCache(StatefulRedisConnection<byte[], byte[]> c, RedisGuard guard) {
        this.c = c;
        this.guard = guard;
    }

    @Override
    public CachedAnswer get(String key) {
        byte[] v = guard.quiet("cache read", () -> c.sync().get(RedisKeys.cache(key)), () -> null);
        if (v == null) return null;
        try {
            return decode(v);
        } catch (RuntimeException e) {
            guard.failed("cache read (an unreadable entry, treated as a miss)", e);
            return null;
        }
    }

    @Override
    public void put(String key, CachedAnswer answer) {
        long ttl = answer.expiresAtMillis() - answer.storedAtMillis();
        if (ttl <= 0) return;
        byte[] v = encode(answer);
        guard.quiet("cache write", () -> c.sync().set(RedisKeys.cache(key), v, SetArgs.Builder.px(ttl)), () -> null);
    }

    @Override
    public void remove(String key) {
        guard.quiet("cache remove", () -> c.sync().del(RedisKeys.cache(key)), () -> 0L);
    }

    /** The connection belongs to {@link RedisStores}. */
    @Override
    public void close() {
    }

    static byte[] encode(CachedAnswer a) {
        ByteBuffer b = SERIALIZER.serialize(a);
        byte[] raw = new byte[b.remaining()];
        b.get(raw);
        if (raw.length <= COMPRESS_ABOVE) return prefixed(RAW, raw, raw.length);
        Deflater d = new Deflater(Deflater.BEST_SPEED);
        try {
            d.setInput(raw);
            d.finish();
            ByteArrayOutputStream out = new ByteArrayOutputStream(raw.length / 3 + 64);
            out.write(DEFLATED);
            byte[] buf = new byte[8192];
            while (!d.finished()) out.write(buf, 0, d.deflate(buf));
            return out.toByteArray();
        } finally {
            d.end();
        }
    }

    static CachedAnswer decode(byte[] v) {
        if (v.length == 0) throw new IllegalArgumentException("empty cache value");
        if (v[0] == RAW) return SERIALIZER.read(ByteBuffer.wrap(v, 1, v.length - 1).slice());
        if (v[0] != DEFLATED) throw new IllegalArgumentException("unknown cache value format " + v[0]);
        Inflater inf = new Inflater();
        try {
            inf.setInput(v, 1, v.length - 1);
            ByteArrayOutputStream out = new ByteArrayOutputStream(v.length * 4);
            byte[] buf = new byte[8192];
            while (!inf.finished()) {
                int n = inf.inflate(buf);
                if (n == 0 && (inf.needsInput() || inf.needsDictionary())) throw new IllegalArgumentException("truncated cache value");
                out.write(buf, 0, n);
            }
            return SERIALIZER.read(ByteBuffer.wrap(out.toByteArray()));
        } catch (DataFormatException e) {
            throw new IllegalArgumentException("damaged cache value", e);
        } finally {
            inf.end();
        }
    }

    private static byte[] prefixed(byte kind, byte[] raw, int n) {
        byte[] out = new byte[n + 1];
        out[0] = kind;
        System.arraycopy(raw, 0, out, 1, n);
        return out;
    }
}
