package dev.watchllm.admin;

import dev.watchllm.auth.ApiKeys;
import java.security.SecureRandom;

/**
 * Admin keys: {@code lgwa_<40 base62>}. A namespace apart from project keys ({@code lgw_<env>_...}):
 * neither kind is ever accepted where the other is expected. Stored only as SHA-256 hex (in the
 * config's {@code admin.keys}), compared in constant time, never logged (masked {@code lgwa_ab12…}).
 */
public final class AdminKeys {
    public static final String PREFIX = "lgwa_";
    private static final char[] BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz".toCharArray();
    private static final SecureRandom RANDOM = new SecureRandom();

    private AdminKeys() {
    }

    /** A new admin key. */
    public static String mint() {
        StringBuilder sb = new StringBuilder(PREFIX.length() + ApiKeys.MINT_SECRET_LENGTH).append(PREFIX);
        for (int i = 0; i < ApiKeys.MINT_SECRET_LENGTH; i++) sb.append(BASE62[RANDOM.nextInt(BASE62.length)]);
        return sb.toString();
    }

    /** True for {@code lgwa_} followed by 32 to 200 base62 characters. */
    public static boolean isWellFormed(CharSequence key) {
        int n = key.length();
        if (n < PREFIX.length() + ApiKeys.MIN_SECRET_LENGTH || n > PREFIX.length() + 200) return false;
        for (int i = 0; i < PREFIX.length(); i++) {
            if (key.charAt(i) != PREFIX.charAt(i)) return false;
        }
        for (int i = PREFIX.length(); i < n; i++) {
            char c = key.charAt(i);
            if (!((c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'))) return false;
        }
        return true;
    }

    /** {@code lgwa_ab12…}: the prefix and four characters of the secret. */
    public static String mask(String key) {
        if (key == null || !key.startsWith(PREFIX) || key.length() < PREFIX.length() + 4) return PREFIX + "…";
        return key.substring(0, PREFIX.length() + 4) + "…";
    }
}
