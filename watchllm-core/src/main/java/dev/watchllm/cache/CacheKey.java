package dev.watchllm.cache;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.watchllm.openai.Endpoint;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.Set;

/**
 * The exact cache's key: SHA-256 over the project id, the endpoint and a canonical form of the
 * request body, as 64 hex characters. Canonical means object keys sorted, numbers normalised
 * ({@code 1}, {@code 1.0} and {@code 1e0} are one number) and whitespace ignored, so two requests
 * that mean the same get the same key. Every field counts except {@link #EXCLUDED}, which cannot
 * change the answer. The encoding is length-prefixed and typed, so no two different bodies
 * encode alike.
 */
public final class CacheKey {
    /**
     * Top-level fields left out of the key: how the answer is delivered ({@code stream},
     * {@code stream_options}: a cached answer is replayed in either mode), and who asks or how the
     * provider files the call ({@code user}, {@code safety_identifier}, {@code prompt_cache_key},
     * {@code metadata}, {@code store}).
     */
    public static final Set<String> EXCLUDED = Set.of("stream", "stream_options", "user", "safety_identifier",
            "prompt_cache_key", "metadata", "store");

    /** Bumped whenever the encoding changes, so old persisted entries are simply never found. */
    private static final byte[] VERSION = "watchllm-exact-1".getBytes(StandardCharsets.US_ASCII);
    private static final HexFormat HEX = HexFormat.of();
    private static final ThreadLocal<Encoder> ENCODER = ThreadLocal.withInitial(Encoder::new);

    private CacheKey() {
    }

    /** The key of {@code body} sent by {@code projectId} to {@code endpoint}. */
    public static String of(String projectId, Endpoint endpoint, ObjectNode body) {
        Encoder e = ENCODER.get();
        e.reset();
        e.bytes(VERSION);
        e.string(projectId);
        e.string(endpoint.path());
        e.object(body, true);
        return HEX.formatHex(e.digest());
    }

    /**
     * Writes the canonical form into a digest through a small buffer, so no canonical copy of the
     * whole body is ever built. One per thread, reused.
     */
    private static final class Encoder {
        private static final byte OBJECT = 'o', ARRAY = 'a', STRING = 's', NUMBER = 'n', TRUE = 't', FALSE = 'f', NULL = 'z';
        private final MessageDigest md;
        private final byte[] buf = new byte[1024];
        private int len;
        private String[] names = new String[16];
        private int depth;

        Encoder() {
            try {
                md = MessageDigest.getInstance("SHA-256");
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
            }
        }

        /** Drops what a failed earlier use may have left behind. */
        void reset() {
            len = 0;
            depth = 0;
            md.reset();
        }

        byte[] digest() {
            flush();
            return md.digest();
        }

        void value(JsonNode n) {
            switch (n.getNodeType()) {
                case OBJECT: object((ObjectNode) n, false); break;
                case ARRAY:
                    tag(ARRAY);
                    integer(n.size());
                    for (int i = 0; i < n.size(); i++) value(n.get(i));
                    break;
                case STRING: tag(STRING); string(n.textValue()); break;
                case NUMBER: tag(NUMBER); ascii(number(n)); break;
                case BOOLEAN: tag(n.booleanValue() ? TRUE : FALSE); break;
                default: tag(NULL); // null, and binary/POJO nodes a parsed body never holds
            }
        }

        void object(ObjectNode o, boolean top) {
            // names go on a stack shared by nested objects, so sorting allocates nothing once warm
            int base = depth;
            int count = 0;
            Iterator<String> it = o.fieldNames();
            while (it.hasNext()) {
                String k = it.next();
                if (top && EXCLUDED.contains(k)) continue;
                if (base + count == names.length) names = Arrays.copyOf(names, names.length * 2);
                names[base + count++] = k;
            }
            Arrays.sort(names, base, base + count);
            depth = base + count;
            tag(OBJECT);
            integer(count);
            for (int i = 0; i < count; i++) {
                String k = names[base + i];
                string(k);
                value(o.get(k));
            }
            depth = base;
        }

        void string(String s) {
            bytes(s.getBytes(StandardCharsets.UTF_8));
        }

        void bytes(byte[] b) {
            integer(b.length);
            if (b.length > buf.length - len) {
                flush();
                md.update(b);
            } else {
                System.arraycopy(b, 0, buf, len, b.length);
                len += b.length;
            }
        }

        private void ascii(String s) {
            bytes(s.getBytes(StandardCharsets.US_ASCII));
        }

        private void tag(byte t) {
            if (len == buf.length) flush();
            buf[len++] = t;
        }

        private void integer(int v) {
            if (buf.length - len < 4) flush();
            buf[len++] = (byte) (v >>> 24);
            buf[len++] = (byte) (v >>> 16);
            buf[len++] = (byte) (v >>> 8);
            buf[len++] = (byte) v;
        }

        private void flush() {
            if (len > 0) md.update(buf, 0, len);
            len = 0;
        }
    }

    /** One spelling per number: integral values as integers, others as the shortest double or exact decimal. */
    static String number(JsonNode n) {
        if (n.isIntegralNumber()) {
            return n.canConvertToLong() ? Long.toString(n.longValue()) : n.bigIntegerValue().toString();
        }
        if (n.isBigDecimal()) {
            BigDecimal d = n.decimalValue().stripTrailingZeros();
            return d.scale() <= 0 ? d.toBigInteger().toString() : d.toString();
        }
        double d = n.doubleValue();
        if (d == Math.rint(d) && Math.abs(d) < 9.2e18) return Long.toString((long) d);
        return Double.toString(d);
    }
}
