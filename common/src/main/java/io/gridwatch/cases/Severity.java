package io.gridwatch.cases;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

import java.util.Arrays;
import java.util.List;

/**
 * The warning colours of China's early-warning levels (蓝色 → 黄色 → 橙色 → 红色), in rising order. Detections
 * carry it typed; cases and alerts carry its {@link #id()} (CONTRACTS.md §4, §5), so the static helpers also take
 * the wire form.
 */
public enum Severity {
    BLUE("blue", "蓝色"),
    YELLOW("yellow", "黄色"),
    ORANGE("orange", "橙色"),
    RED("red", "红色");

    private final String id;
    private final String chinese;

    Severity(String id, String chinese) {
        this.id = id;
        this.chinese = chinese;
    }

    /** As written in JSON: {@code blue} … {@code red}. */
    @JsonValue
    public String id() {
        return id;
    }

    /** The wire form, so that logs and ids read as the JSON does. */
    @Override
    public String toString() {
        return id;
    }

    /** 蓝色 … 红色. */
    public String chinese() {
        return chinese;
    }

    /** Orange and red are urgent: their deadlines count calendar time, not working time (workflow.md §4). */
    public boolean urgent() {
        return compareTo(ORANGE) >= 0;
    }

    @JsonCreator
    public static Severity of(String id) {
        for (Severity s : values()) {
            if (s.id.equals(id)) {
                return s;
            }
        }
        throw new IllegalArgumentException("unknown severity '" + id + "'; expected one of " + ids());
    }

    /** The wire form of a severity, or null. */
    public static String idOf(Severity s) {
        return s == null ? null : s.id;
    }

    public static List<String> ids() {
        return Arrays.stream(values()).map(Severity::id).toList();
    }

    /** 0 for none (null), 1 blue … 4 red. */
    public static int rank(String severity) {
        return severity == null ? 0 : of(severity).ordinal() + 1;
    }

    /** Whether {@code candidate} is strictly more severe than {@code current}. */
    public static boolean rises(String current, String candidate) {
        return rank(candidate) > rank(current);
    }

    /** 蓝色 … 红色, or null. */
    public static String chinese(String severity) {
        return severity == null ? null : of(severity).chinese;
    }

    /** Whether a severity (wire form, or null) is urgent. */
    public static boolean urgent(String severity) {
        return severity != null && of(severity).urgent();
    }
}
