package dev.watchllm.metering;

import java.math.BigDecimal;
import java.math.RoundingMode;

/** Integer micro-dollars to and from decimal USD; money is never held in floating point. */
public final class Usd {
    private Usd() {
    }

    /** {@code micros} as USD with up to 6 decimals and no trailing zeros: {@code 0.000123}, {@code 1.5}, {@code 0}. */
    public static String format(long micros) {
        if (micros == 0) return "0";
        return BigDecimal.valueOf(micros, 6).stripTrailingZeros().toPlainString();
    }

    /** An amount in USD as exact micro-dollars; more than 6 decimals, or a negative amount, is refused. */
    public static long toMicros(BigDecimal usd, String what) {
        if (usd == null) throw new IllegalArgumentException(what + ": required");
        if (usd.signum() < 0) throw new IllegalArgumentException(what + ": must not be negative");
        try {
            return usd.setScale(6, RoundingMode.UNNECESSARY).unscaledValue().longValueExact();
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException(what + ": " + usd.toPlainString() + " has more than 6 decimals or is too large");
        }
    }
}
