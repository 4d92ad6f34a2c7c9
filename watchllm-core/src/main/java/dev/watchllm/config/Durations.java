package dev.watchllm.config;

import java.time.Duration;
import java.time.format.DateTimeParseException;

/**
 * Parses durations as operators write them: {@code 500ms}, {@code 60s}, {@code 5m}, {@code 24h},
 * {@code 7d}, ISO-8601 ({@code PT1M}), or a bare number of seconds.
 */
public final class Durations {
    private Durations() {
    }

    public static Duration parse(String field, String text) {
        if (text == null || text.isBlank()) {
            throw new ConfigException(field + ": a duration is required (e.g. 60s, 24h)");
        }
        String s = text.trim();
        try {
            if (s.startsWith("P") || s.startsWith("p")) {
                return positive(field, Duration.parse(s.toUpperCase(java.util.Locale.ROOT)));
            }
            int unitStart = 0;
            while (unitStart < s.length() && Character.isDigit(s.charAt(unitStart))) {
                unitStart++;
            }
            if (unitStart == 0) {
                throw new NumberFormatException();
            }
            long amount = Long.parseLong(s.substring(0, unitStart));
            String unit = s.substring(unitStart).trim();
            Duration d;
            switch (unit) {
                case "ms": d = Duration.ofMillis(amount); break;
                case "": case "s": d = Duration.ofSeconds(amount); break;
                case "m": d = Duration.ofMinutes(amount); break;
                case "h": d = Duration.ofHours(amount); break;
                case "d": d = Duration.ofDays(amount); break;
                default: throw new NumberFormatException();
            }
            return positive(field, d);
        } catch (NumberFormatException | DateTimeParseException | ArithmeticException e) {
            throw new ConfigException(field + ": '" + text + "' is not a duration (use e.g. 500ms, 60s, 5m, 24h, 7d)");
        }
    }

    private static Duration positive(String field, Duration d) {
        if (d.isNegative() || d.isZero()) {
            throw new ConfigException(field + ": must be greater than zero");
        }
        return d;
    }

    /** Formats as the shortest of the units above, for messages and round trips. */
    public static String format(Duration d) {
        long ms = d.toMillis();
        if (ms % 86_400_000L == 0) return (ms / 86_400_000L) + "d";
        if (ms % 3_600_000L == 0) return (ms / 3_600_000L) + "h";
        if (ms % 60_000L == 0) return (ms / 60_000L) + "m";
        if (ms % 1000L == 0) return (ms / 1000L) + "s";
        return ms + "ms";
    }
}
