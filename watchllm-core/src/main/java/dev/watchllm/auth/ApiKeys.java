package dev.watchllm.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;

/**
 * WatchLLM project keys: {@code lgw_<env>_<base62>}. Minted with {@link SecureRandom}, stored only as
 * SHA-256 hex, shown in logs only masked ({@code lgw_prod_ab12…}).
 */
public final class ApiKeys {
    public static final String PREFIX = "lgw_";
    public static final int MINT_SECRET_LENGTH = 40;
    public static final int MIN_SECRET_LENGTH = 32;
    private static final char[] BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz".toCharArray();
    private static final char[] HEX = "0123456789abcdef".toCharArray();
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final ThreadLocal<MessageDigest> SHA256 = ThreadLocal.withInitial(() -> {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by the Java platform", e);
        }
    });

    private ApiKeys() {
    }

    /** A new key for environment {@code env} (lower-case letters, e.g. {@code prod}, {@code dev}). */
    public static String mint(String env) {
        if (!isEnv(env)) {
            throw new IllegalArgumentException("env must be 1-16 lower-case letters, e.g. prod or dev");
        }
        StringBuilder sb = new StringBuilder(PREFIX.length() + env.length() + 1 + MINT_SECRET_LENGTH);
        sb.append(PREFIX).append(env).append('_');
        for (int i = 0; i < MINT_SECRET_LENGTH; i++) {
            sb.append(BASE62[RANDOM.nextInt(BASE62.length)]);
        }
        return sb.toString();
    }

    public static boolean isEnv(String env) {
        if (env == null || env.isEmpty() || env.length() > 16) return false;
        for (int i = 0; i < env.length(); i++) {
            char c = env.charAt(i);
            if (c < 'a' || c > 'z') return false;
        }
        return true;
    }

    /** True when {@code key} has the shape {@code lgw_<env>_<32+ base62 chars>}. No regex: this runs per request. */
    public static boolean isWellFormed(CharSequence key) {
        int n = key.length();
        if (n < PREFIX.length() + 2 + MIN_SECRET_LENGTH || n > 200) return false;
        for (int i = 0; i < PREFIX.length(); i++) {
            if (key.charAt(i) != PREFIX.charAt(i)) return false;
        }
        int i = PREFIX.length();
        int envStart = i;
        while (i < n && key.charAt(i) >= 'a' && key.charAt(i) <= 'z') i++;
        if (i == envStart || i - envStart > 16 || i >= n || key.charAt(i) != '_') return false;
        i++;
        if (n - i < MIN_SECRET_LENGTH) return false;
        for (; i < n; i++) {
            char c = key.charAt(i);
            boolean ok = (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
            if (!ok) return false;
        }
        return true;
    }

    /** SHA-256 of the key's UTF-8 bytes, as 64 lower-case hex characters. */
    public static String sha256Hex(String key) {
        return hex(sha256(key));
    }

    public static byte[] sha256(String key) {
        MessageDigest md = SHA256.get();
        md.reset();
        return md.digest(key.getBytes(StandardCharsets.UTF_8));
    }

    public static String hex(byte[] bytes) {
        char[] out = new char[bytes.length * 2];
        for (int i = 0; i < bytes.length; i++) {
            out[2 * i] = HEX[(bytes[i] >> 4) & 0xF];
            out[2 * i + 1] = HEX[bytes[i] & 0xF];
        }
        return new String(out);
    }

    /** {@code lgw_prod_ab12…}: the prefix and four characters of the secret; anything else as {@code …}. */
    public static String mask(String key) {
        if (key == null) return "<none>";
        if (!key.startsWith(PREFIX)) return "…";
        int sep = key.indexOf('_', PREFIX.length());
        if (sep < 0 || sep + 5 > key.length()) return PREFIX + "…";
        return key.substring(0, sep + 5) + "…";
    }

    /** Constant-time comparison of two hashes. */
    public static boolean sameHash(byte[] a, byte[] b) {
        return MessageDigest.isEqual(a, b);
    }
}
