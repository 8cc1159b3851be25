package io.gridwatch.rules;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonValue;
import io.gridwatch.sensor.SensorType;

import java.util.Arrays;
import java.util.List;

/**
 * One detection rule over the readings of one sensor type, as data (CONTRACTS.md §1, §3: the
 * compacted topic {@code gw.rules.v1}, keyed by {@link #ruleId}). Analysts change rules at run
 * time; nothing about a threshold is compiled in. The shipped defaults are
 * {@code /io/gridwatch/rules/default-rules.json} ({@link RuleSet#defaults()}).
 *
 * <pre>{@code
 * {"schema":1,"rule_id":"water_level.default","family":"water_level.default","sensor_type":"water_level",
 *  "kind":"threshold","enabled":true,"scope":null,"schedule":null,
 *  "category":{"kind":"event","code":"0406"},"team":"flood",
 *  "threshold":{"raise":[{"all":[{"metric":"water_level_cm","op":">=","value":15}],"for_s":300}],
 *               "clear":[{"all":[{"metric":"water_level_cm","op":"<","value":5}],"for_s":600}],
 *               "severity":{"metric":"water_level_cm","levels":[{"at":15,"severity":"blue"},
 *                 {"at":30,"severity":"yellow"},{"at":50,"severity":"orange"},{"at":80,"severity":"red"}]}}}
 * }</pre>
 *
 * <p><b>Families and precedence.</b> Rules with the same {@link #family} (default: the rule id) and
 * sensor type are versions of one check for different places. For a reading, the rule of each family
 * whose {@link Scope} applies and is the most specific wins: sensor &gt; grid &gt; district &gt; the type
 * (no scope). A winning rule with {@code enabled: false} switches its family off where it wins (e.g.
 * silence one broken sensor). The family, not the rule id, names the problem
 * ({@code sensor:<id>:<family>}), so an override continues the case a default opened.
 *
 * <p>Exactly one kind-specific part is present, the one {@link #kind} names.
 *
 * @param family        the group of rules that override each other; defaults to {@code rule_id}
 * @param enabled       defaults to true when absent
 * @param scope         where the rule applies; absent = every sensor of the type
 * @param schedule      when the rule runs (Asia/Shanghai); absent = always. Outside it the rule is idle
 * @param category      the 部件/事件 class of the problem, or null (maintenance signals, watches)
 * @param componentCode the attached 部件 to report when the reading names none (e.g. 0305 垃圾箱)
 * @param team          the response team to alert, or null
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Rule(int schema, String ruleId, String family, SensorType sensorType, Kind kind, Boolean enabled,
                   Scope scope, Schedule schedule, CategorySpec category, String componentCode, String team,
                   String description, Threshold threshold, Rate rate, WindowSum windowSum, Offline offline) {

    public static final int SCHEMA = 1;

    public Rule {
        if (schema != SCHEMA) {
            throw new IllegalArgumentException("schema: unsupported version " + schema + " (expected " + SCHEMA + ")");
        }
        requireText(ruleId, "rule_id");
        family = family == null ? ruleId : family;
        requireText(family, "family");
        require(sensorType != null, "sensor_type is required; known: " + SensorType.ids());
        require(kind != null, "kind is required; known: " + Kind.ids());
        enabled = enabled == null ? Boolean.TRUE : enabled;
        scope = scope == null ? Scope.ANY : scope;
        Object[] parts = {threshold, rate, windowSum, offline}; // in the order of Kind
        require(parts[kind.ordinal()] != null, kind.id + " is required for kind " + kind.id);
        for (Kind k : Kind.values()) {
            require(k == kind || parts[k.ordinal()] == null, k.id + " is not allowed for kind " + kind.id);
        }
    }

    public boolean isEnabled() {
        return enabled;
    }

    /** The condition, hold and clear part of a rule, by kind. */
    public enum Kind {
        /** a condition held for a duration; hysteresis to clear; an optional severity ladder */
        THRESHOLD("threshold"),
        /** change of a metric per minute over a window */
        RATE("rate"),
        /** sum of a metric over a sliding window; raises a district watch, not a case */
        WINDOW_SUM("window_sum"),
        /** no reading for a multiple of the sensor's interval */
        OFFLINE("offline");

        private final String id;

        Kind(String id) {
            this.id = id;
        }

        @JsonValue
        public String id() {
            return id;
        }

        @JsonCreator
        public static Kind of(String id) {
            return Arrays.stream(values()).filter(k -> k.id.equals(id)).findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("unknown kind '" + id + "'; known: " + ids()));
        }

        static List<String> ids() {
            return Arrays.stream(values()).map(Kind::id).toList();
        }
    }

    /**
     * Where a rule applies. Every field given must match the reading; absent fields match anything.
     * Specificity: sensor (3) &gt; grid (2) &gt; district (1) &gt; none (0).
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Scope(String district, String grid, String sensor) {
        public static final Scope ANY = new Scope(null, null, null);

        public boolean applies(String sensorId, String gridCode, String districtCode) {
            return (sensor == null || sensor.equals(sensorId))
                    && (grid == null || grid.equals(gridCode))
                    && (district == null || district.equals(districtCode));
        }

        public int specificity() {
            return sensor != null ? 3 : grid != null ? 2 : district != null ? 1 : 0;
        }
    }

    /**
     * The 部件/事件 class of the problem: a fixed {@code code}, or, with {@code from_component: true},
     * the reading's attached component (a manhole sensor's 井盖 class, 01xx).
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record CategorySpec(String kind, String code, Boolean fromComponent) {
        public CategorySpec {
            require("event".equals(kind) || "component".equals(kind), "kind must be event or component, got " + kind);
            fromComponent = Boolean.TRUE.equals(fromComponent) ? Boolean.TRUE : null;
            require((fromComponent != null) == (code == null), "give exactly one of code and from_component: true");
            require(code == null || code.matches("\\d{4,6}"), "code must be 4 to 6 digits, got " + code);
        }

        /** Whether the code is the reading's attached component rather than a fixed one. */
        public boolean takesComponentCode() {
            return fromComponent != null;
        }
    }

    /** A comparison, written as in the rule files. */
    public enum Op {
        GE(">="), GT(">"), LE("<="), LT("<"), EQ("=="), NE("!=");

        private final String symbol;

        Op(String symbol) {
            this.symbol = symbol;
        }

        @JsonValue
        public String symbol() {
            return symbol;
        }

        @JsonCreator
        public static Op of(String symbol) {
            return Arrays.stream(values()).filter(o -> o.symbol.equals(symbol)).findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("unknown op '" + symbol + "'; known: "
                            + Arrays.stream(values()).map(Op::symbol).toList()));
        }

        public boolean test(double left, double right) {
            return switch (this) {
                case GE -> left >= right;
                case GT -> left > right;
                case LE -> left <= right;
                case LT -> left < right;
                case EQ -> left == right;
                case NE -> left != right;
            };
        }
    }

    /** {@code metric op value}, e.g. {@code water_level_cm >= 15}. */
    public record Condition(String metric, Op op, double value) {
        public Condition {
            requireText(metric, "metric");
            require(op != null, "op is required");
            require(Double.isFinite(value), "value must be a finite number");
        }
    }

    /**
     * One alternative of a raise or clear: every condition of {@code all} and at least one of
     * {@code any} (when given) hold on every reading for at least {@code for_s} seconds.
     */
    public record Hold(List<Condition> all, List<Condition> any, Integer forS) {
        public Hold {
            all = all == null ? List.of() : List.copyOf(all);
            any = any == null ? List.of() : List.copyOf(any);
            require(!all.isEmpty() || !any.isEmpty(), "all or any needs at least one condition");
            require(forS != null, "for_s is required (0 for at once)");
            require(forS >= 0, "for_s must be >= 0, got " + forS);
        }

        /** The metric a detection reports for this alternative: the first one it names. */
        public String firstMetric() {
            return all.isEmpty() ? any.get(0).metric() : all.get(0).metric();
        }
    }

    /** One rung of a severity ladder: at or above {@code at}, {@code severity}. */
    public record Level(double at, io.gridwatch.cases.Severity severity) {
        public Level {
            require(Double.isFinite(at), "at must be a finite number");
            require(severity != null, "severity is required; known: " + io.gridwatch.cases.Severity.ids());
        }
    }

    /** Severity grows with a metric; levels strictly ascending. A case's severity only rises. */
    public record Ladder(String metric, List<Level> levels) {
        public Ladder {
            requireText(metric, "metric");
            require(levels != null && !levels.isEmpty(), "levels needs at least one level");
            require(levels.size() <= 16, "levels: at most 16");
            levels = List.copyOf(levels);
            for (int i = 1; i < levels.size(); i++) {
                require(levels.get(i).at() > levels.get(i - 1).at(), "levels must ascend strictly by at");
            }
        }

        /** The index of the highest level reached by {@code v}, or -1 below the first (or NaN). */
        public int levelOf(double v) {
            int idx = -1;
            for (int i = 0; i < levels.size() && v >= levels.get(i).at(); i++) {
                idx = i;
            }
            return idx;
        }
    }

    /**
     * Raise when any {@code raise} alternative holds for its {@code for_s}; once raised, clear when any
     * {@code clear} alternative holds for its own {@code for_s} (hysteresis: clear conditions are not
     * the negation of the raise conditions).
     */
    public record Threshold(List<Hold> raise, List<Hold> clear, Ladder severity) {
        public Threshold {
            require(raise != null && !raise.isEmpty() && raise.size() <= 8, "raise needs 1 to 8 alternatives");
            require(clear != null && !clear.isEmpty() && clear.size() <= 8, "clear needs 1 to 8 alternatives");
            raise = List.copyOf(raise);
            clear = List.copyOf(clear);
        }
    }

    /**
     * Change of {@code metric} per minute between the oldest and the newest reading within
     * {@code window_s} ({@code op value}, e.g. {@code >= 1.0} cm/min), held for {@code for_s};
     * cleared when the rate no longer satisfies {@code op clear_value} for {@code clear_for_s}.
     * The oldest and newest reading must be at least half a window apart.
     */
    public record Rate(String metric, int windowS, Op op, double value, int forS, double clearValue, int clearForS) {
        public static final int MAX_SAMPLES = 32;

        public Rate {
            requireText(metric, "metric");
            require(windowS >= 60 && windowS <= 3600, "window_s must be within 60..3600, got " + windowS);
            require(op == Op.GE || op == Op.GT || op == Op.LE || op == Op.LT, "op must be one of >=, >, <=, <");
            require(forS >= 0, "for_s must be >= 0");
            require(clearForS >= 0, "clear_for_s must be >= 0");
            require(Double.isFinite(value) && Double.isFinite(clearValue), "value and clear_value must be finite");
        }
    }

    /**
     * Sum of {@code metric} over the sliding {@code window_s}, at a resolution of window/{@value #BUCKETS}:
     * a {@code watch} detection when it reaches {@code value}, {@code cleared} when it falls below
     * {@code clear_below}. The problem is the district's ({@code district:<code>:<rule_id>}).
     */
    public record WindowSum(String metric, int windowS, double value, double clearBelow) {
        public static final int BUCKETS = 60;

        public WindowSum {
            requireText(metric, "metric");
            require(windowS >= BUCKETS && windowS <= 86_400 && windowS % BUCKETS == 0,
                    "window_s must be a multiple of " + BUCKETS + " within " + BUCKETS + "..86400, got " + windowS);
            require(Double.isFinite(value) && value > 0, "value must be > 0");
            require(Double.isFinite(clearBelow) && clearBelow <= value, "clear_below must be <= value");
        }
    }

    /** Offline when no reading came for {@code factor} × the sensor's {@code interval_s}. */
    public record Offline(double factor) {
        public Offline {
            require(factor >= 1 && factor <= 1000, "factor must be within 1..1000, got " + factor);
        }
    }

    static void require(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }

    static void requireText(String s, String field) {
        require(s != null && !s.isBlank(), field + " is required");
    }
}
