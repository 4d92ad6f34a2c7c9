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
        // by hand, not through BigDecimal: it runs for the cost headers of every answer
        boolean negative = micros < 0;
        long abs = Math.abs(micros);
        if (abs < 0) return BigDecimal.valueOf(micros, 6).stripTrailingZeros().toPlainString(); // Long.MIN_VALUE
        long whole = abs / 1_000_000;
        int frac = (int) (abs % 1_000_000);
        StringBuilder b = new StringBuilder(28);
        if (negative) b.append('-');
        b.append(whole);
        if (frac != 0) {
            int digits = 6;
            while (frac % 10 == 0) {
                frac /= 10;
                digits--;
            }
            b.append('.');
            for (int pad = digits - stringSize(frac); pad > 0; pad--) b.append('0');
            b.append(frac);
        }
        return b.toString();
    }

    private static int stringSize(int positive) {
        int n = 1;
        while (positive >= 10) {
            positive /= 10;
            n++;
        }
        return n;
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
