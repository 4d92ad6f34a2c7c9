package dev.watchllm.cache;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.ehcache.spi.serialization.Serializer;
import org.ehcache.spi.serialization.SerializerException;

/**
 * The binary form of a {@link CachedAnswer} in Ehcache's off-heap and disk tiers: a magic
 * number and version, then length-prefixed fields. No Java serialization: a damaged or foreign
 * record fails {@link #read} with a {@link SerializerException}, which the store treats as a miss.
 * Public only because Ehcache instantiates serializers by class.
 */
public final class CachedAnswerSerializer implements Serializer<CachedAnswer> {
    private static final int MAGIC = 0x574c4131; // "WLA1"
    private static final int MAX_EVENTS = 1 << 20;

    /** The constructor Ehcache calls. */
    public CachedAnswerSerializer(ClassLoader loader) {
        // the format names no classes: the loader is not needed
    }

    @Override
    public ByteBuffer serialize(CachedAnswer a) {
        byte[] project = a.projectId().getBytes(StandardCharsets.UTF_8);
        byte[] provider = a.provider().getBytes(StandardCharsets.UTF_8);
        long size = 4 + 1 + 4 + project.length + 4 + provider.length + 16 + 4;
        if (a.form() == CachedAnswer.Form.PLAIN) {
            size += a.rawBody().length;
        } else {
            for (byte[] e : a.rawEvents()) size += 4 + e.length;
        }
        if (size > Integer.MAX_VALUE) throw new SerializerException("answer too large to store: " + size + " bytes");
        ByteBuffer b = ByteBuffer.allocate((int) size);
        b.putInt(MAGIC);
        b.put((byte) a.form().ordinal());
        b.putInt(project.length).put(project);
        b.putInt(provider.length).put(provider);
        b.putLong(a.storedAtMillis()).putLong(a.expiresAtMillis());
        if (a.form() == CachedAnswer.Form.PLAIN) {
            b.putInt(a.rawBody().length).put(a.rawBody());
        } else {
            b.putInt(a.rawEvents().size());
            for (byte[] e : a.rawEvents()) b.putInt(e.length).put(e);
        }
        return b.flip();
    }

    @Override
    public CachedAnswer read(ByteBuffer binary) {
        ByteBuffer b = binary.duplicate();
        try {
            if (b.getInt() != MAGIC) throw new SerializerException("not a cached answer (bad magic number)");
            int form = b.get();
            if (form != 0 && form != 1) throw new SerializerException("not a cached answer (form " + form + ")");
            String project = new String(bytes(b), StandardCharsets.UTF_8);
            String provider = new String(bytes(b), StandardCharsets.UTF_8);
            long storedAt = b.getLong();
            long expiresAt = b.getLong();
            CachedAnswer a;
            if (form == 0) {
                a = CachedAnswer.plain(project, provider, storedAt, expiresAt, bytes(b));
            } else {
                int n = b.getInt();
                if (n < 0 || n > MAX_EVENTS || n > b.remaining() / 4) throw new SerializerException("damaged cached answer (event count)");
                List<byte[]> events = new ArrayList<>(n);
                for (int i = 0; i < n; i++) events.add(bytes(b));
                a = CachedAnswer.stream(project, provider, storedAt, expiresAt, events);
            }
            if (b.hasRemaining()) throw new SerializerException("damaged cached answer (trailing bytes)");
            return a;
        } catch (BufferUnderflowException | IllegalArgumentException e) {
            throw new SerializerException("damaged cached answer", e);
        }
    }

    @Override
    public boolean equals(CachedAnswer object, ByteBuffer binary) {
        return object.equals(read(binary));
    }

    private static byte[] bytes(ByteBuffer b) {
        int n = b.getInt();
        if (n < 0 || n > b.remaining()) throw new SerializerException("damaged cached answer (length " + n + ")");
        byte[] out = new byte[n];
        b.get(out);
        return out;
    }
}
