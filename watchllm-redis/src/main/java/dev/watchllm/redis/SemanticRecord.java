package dev.watchllm.redis;

import dev.watchllm.semantic.VectorIndex;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;

/**
 * A semantic index entry as Redis keeps it and as the change channel carries it, in one binary
 * layout (big-endian): version, project, scope, key (each an int length and UTF-8), stored-at and
 * expires-at (epoch ms), the vector (an int count and floats), the prompt text. A message on the
 * channel is one kind byte ({@link #PUT} or {@link #REMOVE}), the sending engine's id (8 bytes),
 * then a whole record (put) or project, scope and key (remove).
 */
final class SemanticRecord {
    static final byte VERSION = 1;
    static final byte PUT = 'P';
    static final byte REMOVE = 'R';
    /** Kind and sender before the payload of a message. */
    static final int HEADER = 9;
    private static final HexFormat HEX = HexFormat.of();
    /** A 384-dimension vector is 1.5 KB; a record claiming more than this is damaged. */
    private static final int MAX_DIMENSIONS = 1 << 16;

    /** A decoded put: where the entry goes and the entry. */
    record Put(VectorIndex.Partition partition, VectorIndex.Entry entry) {
    }

    /** A decoded remove. */
    record Removal(VectorIndex.Partition partition, String key) {
    }

    private SemanticRecord() {
    }

    static byte[] encode(VectorIndex.Partition p, VectorIndex.Entry e) {
        byte[] project = utf8(p.projectId());
        byte[] scope = utf8(p.scope());
        byte[] key = utf8(e.key());
        byte[] text = utf8(e.text());
        float[] v = e.vector();
        ByteBuffer b = ByteBuffer.allocate(1 + 4 + project.length + 4 + scope.length + 4 + key.length + 8 + 8 + 4 + 4 * v.length
                + 4 + text.length);
        b.put(VERSION);
        string(b, project);
        string(b, scope);
        string(b, key);
        b.putLong(e.storedAt().toEpochMilli()).putLong(e.expiresAt().toEpochMilli());
        b.putInt(v.length);
        for (float f : v) b.putFloat(f);
        string(b, text);
        return b.array();
    }

    /** The record in {@code b} from its position on; throws {@link IllegalArgumentException} when it is damaged. */
    static Put decode(ByteBuffer b) {
        try {
            if (b.get() != VERSION) throw new IllegalArgumentException("unknown semantic record version");
            String project = string(b);
            String scope = string(b);
            String key = string(b);
            Instant storedAt = Instant.ofEpochMilli(b.getLong());
            Instant expiresAt = Instant.ofEpochMilli(b.getLong());
            int n = b.getInt();
            if (n < 0 || n > MAX_DIMENSIONS) throw new IllegalArgumentException("damaged semantic record");
            float[] v = new float[n];
            for (int i = 0; i < n; i++) v[i] = b.getFloat();
            String text = string(b);
            return new Put(new VectorIndex.Partition(project, scope), new VectorIndex.Entry(key, v, text, storedAt, expiresAt));
        } catch (java.nio.BufferUnderflowException e) {
            throw new IllegalArgumentException("truncated semantic record", e);
        }
    }

    /** The header of every put message {@code origin} sends: the script appends the record. */
    static byte[] putHeader(long origin) {
        return ByteBuffer.allocate(HEADER).put(PUT).putLong(origin).array();
    }

    static byte[] removal(long origin, VectorIndex.Partition p, String key) {
        byte[] project = utf8(p.projectId());
        byte[] scope = utf8(p.scope());
        byte[] k = utf8(key);
        ByteBuffer b = ByteBuffer.allocate(HEADER + 12 + project.length + scope.length + k.length);
        b.put(REMOVE).putLong(origin);
        string(b, project);
        string(b, scope);
        string(b, k);
        return b.array();
    }

    static Removal decodeRemoval(ByteBuffer b) {
        try {
            return new Removal(new VectorIndex.Partition(string(b), string(b)), string(b));
        } catch (java.nio.BufferUnderflowException e) {
            throw new IllegalArgumentException("truncated semantic removal", e);
        }
    }

    /**
     * The entry's id within its project's Redis set: 32 hex characters of SHA-256 over scope and
     * key, so ids are short and no scope or key can make two entries share one.
     */
    static byte[] id(String scope, String key) {
        MessageDigest sha;
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by every Java platform", e);
        }
        sha.update(utf8(scope));
        sha.update((byte) 0);
        sha.update(utf8(key));
        return HEX.formatHex(sha.digest(), 0, 16).getBytes(StandardCharsets.US_ASCII);
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static void string(ByteBuffer b, byte[] s) {
        b.putInt(s.length).put(s);
    }

    private static String string(ByteBuffer b) {
        int n = b.getInt();
        if (n < 0 || n > b.remaining()) throw new IllegalArgumentException("damaged semantic record");
        String s = new String(b.array(), b.arrayOffset() + b.position(), n, StandardCharsets.UTF_8);
        b.position(b.position() + n);
        return s;
    }
}
