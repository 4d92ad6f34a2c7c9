package dev.watchllm.config;

import java.util.Locale;

/** Parses sizes such as {@code 1MiB}, {@code 512KiB}, {@code 64MB}, {@code 1048576}. */
public final class ByteSizes {
    private ByteSizes() {
    }

    public static long parse(String field, String text) {
        if (text == null || text.isBlank()) {
            throw new ConfigException(field + ": a size is required (e.g. 1MiB)");
        }
        String s = text.trim();
        int i = 0;
        while (i < s.length() && Character.isDigit(s.charAt(i))) {
            i++;
        }
        if (i == 0) {
            throw bad(field, text);
        }
        long n;
        try {
            n = Long.parseLong(s.substring(0, i));
        } catch (NumberFormatException e) {
            throw bad(field, text);
        }
        long mult;
        switch (s.substring(i).trim().toLowerCase(Locale.ROOT)) {
            case "": case "b": mult = 1; break;
            case "k": case "kb": mult = 1000; break;
            case "kib": mult = 1024; break;
            case "m": case "mb": mult = 1000_000; break;
            case "mib": mult = 1024 * 1024; break;
            case "g": case "gb": mult = 1000_000_000L; break;
            case "gib": mult = 1024L * 1024 * 1024; break;
            default: throw bad(field, text);
        }
        long v = Math.multiplyExact(n, mult);
        if (v <= 0) {
            throw new ConfigException(field + ": must be greater than zero");
        }
        return v;
    }

    private static ConfigException bad(String field, String text) {
        return new ConfigException(field + ": '" + text + "' is not a size (use e.g. 1MiB, 512KiB, 64MB)");
    }
}
