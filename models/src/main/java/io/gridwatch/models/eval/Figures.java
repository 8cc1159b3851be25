package io.gridwatch.models.eval;

import java.util.Locale;

/**
 * How a figure is written in a report: to four decimals, or {@code n/a} where it is not defined (NaN: recall of a class
 * with no examples, precision of a class never predicted) — never a made-up 1.0. In JSON such a figure is null.
 */
public final class Figures {

    public static final String NOT_AVAILABLE = "n/a";

    private Figures() {
    }

    /** {@code v} to four decimals, or {@code n/a}. */
    public static String text(double v) {
        return Double.isNaN(v) ? NOT_AVAILABLE : String.format(Locale.ROOT, "%.4f", v);
    }

    /** {@code v} rounded to four decimals, or null (JSON null) where it is not defined. */
    public static Double json(double v) {
        return Double.isNaN(v) ? null : Math.round(v * 10000) / 10000.0;
    }
}
