package dev.watchllm.http;

import java.util.concurrent.ThreadLocalRandom;

/** Request ids: a sane incoming {@code X-Request-Id} is kept, anything else is replaced. */
public final class RequestIds {
    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private RequestIds() {
    }

    /** The incoming id if it is 1-128 chars of {@code [A-Za-z0-9._:-]}, else a new one. No CR/LF can pass. */
    public static String acceptOrCreate(String incoming) {
        return isSane(incoming) ? incoming : create();
    }

    public static boolean isSane(String id) {
        if (id == null || id.isEmpty() || id.length() > 128) return false;
        for (int i = 0; i < id.length(); i++) {
            char c = id.charAt(i);
            boolean ok = (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z')
                    || c == '.' || c == '_' || c == '-' || c == ':';
            if (!ok) return false;
        }
        return true;
    }

    /** {@code req_} + 32 hex chars (128 random bits; not a secret, so no SecureRandom on the hot path). */
    public static String create() {
        ThreadLocalRandom r = ThreadLocalRandom.current();
        long a = r.nextLong();
        long b = r.nextLong();
        char[] out = new char[36];
        out[0] = 'r';
        out[1] = 'e';
        out[2] = 'q';
        out[3] = '_';
        for (int i = 0; i < 16; i++) {
            out[4 + i] = HEX[(int) (a >>> (60 - 4 * i)) & 0xF];
            out[20 + i] = HEX[(int) (b >>> (60 - 4 * i)) & 0xF];
        }
        return new String(out);
    }
}
