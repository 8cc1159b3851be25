package io.gridwatch.cases;

import java.util.List;

/**
 * The warning colours of China's early-warning levels (蓝色 → 黄色 → 橙色 → 红色) as they appear in
 * detections, cases and alerts. Kept as strings on the wire; this class only orders and names them.
 */
public final class Severity {

    public static final String BLUE = "blue";
    public static final String YELLOW = "yellow";
    public static final String ORANGE = "orange";
    public static final String RED = "red";

    private static final List<String> ORDER = List.of(BLUE, YELLOW, ORANGE, RED);
    private static final List<String> CHINESE = List.of("蓝色", "黄色", "橙色", "红色");

    private Severity() {
    }

    /** 0 for none (null), 1 blue … 4 red. */
    public static int rank(String severity) {
        if (severity == null) {
            return 0;
        }
        int i = ORDER.indexOf(severity);
        if (i < 0) {
            throw new IllegalArgumentException("unknown severity '" + severity + "'; expected one of " + ORDER);
        }
        return i + 1;
    }

    /** Whether {@code candidate} is strictly more severe than {@code current}. */
    public static boolean rises(String current, String candidate) {
        return rank(candidate) > rank(current);
    }

    /** 蓝色 … 红色, or null. */
    public static String chinese(String severity) {
        int r = rank(severity);
        return r == 0 ? null : CHINESE.get(r - 1);
    }

    /** Orange and red are urgent: their deadlines count calendar time, not working time (workflow.md §4). */
    public static boolean urgent(String severity) {
        return rank(severity) >= rank(ORANGE);
    }
}
