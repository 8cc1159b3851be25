package io.gridwatch.rules;

import io.gridwatch.catalogue.Catalogue;
import io.gridwatch.catalogue.CatalogueClass;
import io.gridwatch.sensor.SensorType;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Judges a {@link Rule} against what it runs on: the metrics of its sensor type and their valid ranges
 * ({@link SensorType#metrics()}, CONTRACTS.md §1) and the 部件/事件 catalogue of the configured edition.
 * {@link Rule} and {@link RuleSet} check that a rule is well formed; this checks that it can work.
 *
 * <p>Errors are what cannot work: a metric the type does not report, a category the catalogue does not have,
 * a raise that can never hold, a clear that always holds (a case would clear at the next reading: one flood
 * became six flapping cases). Warnings are what is merely odd: a raise that holds for every reading, a raise on a
 * single reading ({@code for_s} 0), a clear that can never hold, raise and clear that can hold at once, a
 * severity level out of reach. The CLI ({@code rules push|diff|backtest}) and the rules job use this one check.
 */
public final class RuleCheck {

    private RuleCheck() {
    }

    /**
     * What the check found, each message naming the rule and the field.
     *
     * @param errors   what cannot work: such a rule must not be applied
     * @param warnings what is odd but may be meant
     */
    public record Findings(List<String> errors, List<String> warnings) {
        public Findings {
            errors = List.copyOf(errors);
            warnings = List.copyOf(warnings);
        }

        public boolean hasErrors() {
            return !errors.isEmpty();
        }

        /** @throws RuleSet.InvalidRuleException listing every error, when there is any */
        public Findings requireNoErrors() {
            if (hasErrors()) {
                throw new RuleSet.InvalidRuleException(String.join("; ", errors));
            }
            return this;
        }
    }

    /** Checks every rule; the findings of all, in order. */
    public static Findings check(Collection<Rule> rules, Catalogue catalogue) {
        List<String> errors = new ArrayList<>();
        List<String> warnings = new ArrayList<>();
        for (Rule r : rules) {
            Findings f = check(r, catalogue);
            errors.addAll(f.errors());
            warnings.addAll(f.warnings());
        }
        return new Findings(errors, warnings);
    }

    /** Checks one rule. */
    public static Findings check(Rule rule, Catalogue catalogue) {
        Check c = new Check(rule);
        c.category(catalogue);
        switch (rule.kind()) {
            case THRESHOLD -> c.threshold(rule.threshold());
            case RATE -> c.metric("rate.metric", rule.rate().metric());
            case WINDOW_SUM -> c.metric("window_sum.metric", rule.windowSum().metric());
            case OFFLINE -> {
                // nothing that depends on the type or the catalogue
            }
        }
        return new Findings(c.errors, c.warnings);
    }

    /** The findings of one rule, as they are gathered. */
    private static final class Check {
        private final Rule rule;
        private final SensorType type;
        private final List<String> errors = new ArrayList<>();
        private final List<String> warnings = new ArrayList<>();

        Check(Rule rule) {
            this.rule = rule;
            this.type = rule.sensorType();
        }

        void error(String field, String message) {
            errors.add("rule '" + rule.ruleId() + "': " + field + ": " + message);
        }

        void warning(String field, String message) {
            warnings.add("rule '" + rule.ruleId() + "': " + field + ": " + message);
        }

        void category(Catalogue catalogue) {
            Rule.CategorySpec cat = rule.category();
            if (cat != null && cat.code() != null) {
                CatalogueClass.Kind kind = CatalogueClass.Kind.of(cat.kind());
                if (!catalogue.isValid(kind, cat.code())) {
                    error("category.code", "'" + cat.code() + "' is not among the " + kind.id() + " (" + kind.chinese() + ") classes of the "
                            + catalogue.edition().id() + " catalogue (gridwatch catalogue --kind " + kind.id() + " lists them)");
                }
            }
            if (rule.componentCode() != null && !catalogue.isValid(CatalogueClass.Kind.COMPONENT, rule.componentCode())) {
                error("component_code", "'" + rule.componentCode() + "' is not a component (部件) class of the "
                        + catalogue.edition().id() + " catalogue");
            }
        }

        /** Whether the type reports {@code metric}; an error if not. */
        boolean metric(String field, String metric) {
            if (type.metrics().containsKey(metric)) {
                return true;
            }
            error(field, "'" + metric + "' is not a metric of a " + type.id() + " sensor; its metrics are "
                    + type.metrics().keySet().stream().sorted().toList());
            return false;
        }

        void threshold(Rule.Threshold t) {
            boolean known = true;
            known &= conditions("threshold.raise", t.raise());
            known &= conditions("threshold.clear", t.clear());
            if (t.severity() != null) {
                known &= metric("threshold.severity.metric", t.severity().metric());
            }
            if (!known) {
                return; // ranges of metrics the type does not have mean nothing
            }
            for (int i = 0; i < t.raise().size(); i++) {
                Rule.Hold h = t.raise().get(i);
                String at = "threshold.raise[" + i + "]";
                if (never(h)) {
                    error(at, "can never hold for a valid reading (" + ranges(h) + "): the rule would never raise");
                } else if (always(h)) {
                    warning(at, "holds for every valid reading (" + ranges(h) + "): every reading raises");
                }
                if (h.forS() == 0) {
                    warning(at + ".for_s", "0: a single reading raises, so one spike opens a case");
                }
            }
            for (int j = 0; j < t.clear().size(); j++) {
                Rule.Hold h = t.clear().get(j);
                String at = "threshold.clear[" + j + "]";
                if (always(h)) {
                    error(at, "always holds for a valid reading (" + ranges(h) + "): a case would clear as soon as it is raised");
                } else if (never(h)) {
                    warning(at, "can never hold for a valid reading (" + ranges(h) + "): a case would never clear by itself");
                }
            }
            for (int i = 0; i < t.raise().size(); i++) {
                for (int j = 0; j < t.clear().size(); j++) {
                    String example = overlap(t.raise().get(i), t.clear().get(j));
                    if (example != null) {
                        warning("threshold.clear[" + j + "]", "holds together with threshold.raise[" + i + "] (e.g. at " + example
                                + "): the clearing condition usually lies beyond the raising one (hysteresis)");
                    }
                }
            }
            if (t.severity() != null) {
                SensorType.Range range = type.metrics().get(t.severity().metric());
                for (int k = 0; k < t.severity().levels().size(); k++) {
                    Rule.Level level = t.severity().levels().get(k);
                    if (level.at() > range.max()) {
                        warning("threshold.severity.levels[" + k + "]", "at " + number(level.at()) + " is above the largest valid "
                                + t.severity().metric() + " (" + number(range.max()) + "): " + level.severity() + " is never reached");
                    }
                }
            }
        }

        private boolean conditions(String field, List<Rule.Hold> holds) {
            boolean ok = true;
            for (int i = 0; i < holds.size(); i++) {
                Rule.Hold h = holds.get(i);
                for (int k = 0; k < h.all().size(); k++) {
                    ok &= metric(field + "[" + i + "].all[" + k + "].metric", h.all().get(k).metric());
                }
                for (int k = 0; k < h.any().size(); k++) {
                    ok &= metric(field + "[" + i + "].any[" + k + "].metric", h.any().get(k).metric());
                }
            }
            return ok;
        }

        private Interval range(String metric) {
            SensorType.Range r = type.metrics().get(metric);
            return new Interval(r.min(), false, r.max(), false);
        }

        /** Whether no valid reading satisfies the hold: its {@code all} contradict, or none of its {@code any} can hold. */
        private boolean never(Rule.Hold h) {
            Map<String, Interval> allowed = new LinkedHashMap<>();
            for (Rule.Condition c : h.all()) {
                if (neverHolds(c)) {
                    return true;
                }
                Interval i = Interval.of(c);
                if (i != null) {
                    allowed.merge(c.metric(), range(c.metric()).and(i), Interval::and);
                }
            }
            if (allowed.values().stream().anyMatch(Interval::isEmpty)) {
                return true;
            }
            return !h.any().isEmpty() && h.any().stream().allMatch(this::neverHolds);
        }

        /** Whether every valid reading satisfies the hold. */
        private boolean always(Rule.Hold h) {
            return h.all().stream().allMatch(this::alwaysHolds) && (h.any().isEmpty() || h.any().stream().anyMatch(this::alwaysHolds));
        }

        private boolean alwaysHolds(Rule.Condition c) {
            Interval r = range(c.metric());
            if (c.op() == Rule.Op.NE) {
                return c.value() < r.lo || c.value() > r.hi;
            }
            return Interval.of(c).contains(r);
        }

        private boolean neverHolds(Rule.Condition c) {
            Interval r = range(c.metric());
            if (c.op() == Rule.Op.NE) {
                return r.lo == r.hi && r.lo == c.value();
            }
            return r.and(Interval.of(c)).isEmpty();
        }

        /**
         * A valid reading at which both holds' {@code all} conditions are met, as {@code metric = value, …}; null when there is
         * none, or when either hold has {@code any} or {@code !=} conditions (not judged, to warn only about what is certain).
         */
        private String overlap(Rule.Hold raise, Rule.Hold clear) {
            if (!raise.any().isEmpty() || !clear.any().isEmpty()) {
                return null;
            }
            Map<String, Interval> both = new LinkedHashMap<>();
            for (Rule.Condition c : concat(raise.all(), clear.all())) {
                Interval i = Interval.of(c);
                if (i == null) {
                    return null;
                }
                both.merge(c.metric(), range(c.metric()).and(i), Interval::and);
            }
            List<String> example = new ArrayList<>();
            for (Map.Entry<String, Interval> e : both.entrySet()) {
                if (e.getValue().isEmpty()) {
                    return null;
                }
                example.add(e.getKey() + " = " + number(e.getValue().point()));
            }
            return String.join(", ", example);
        }

        private String ranges(Rule.Hold h) {
            return concat(h.all(), h.any()).stream().map(Rule.Condition::metric).distinct()
                    .map(m -> m + " is " + number(type.metrics().get(m).min()) + ".." + number(type.metrics().get(m).max()))
                    .reduce((a, b) -> a + ", " + b).orElse("") + " for a " + type.id() + " sensor";
        }
    }

    private static List<Rule.Condition> concat(List<Rule.Condition> a, List<Rule.Condition> b) {
        List<Rule.Condition> out = new ArrayList<>(a);
        out.addAll(b);
        return out;
    }

    private static String number(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : Double.toString(v);
    }

    /** An interval of the real line, each end open or closed; infinite ends are open. */
    private record Interval(double lo, boolean loOpen, double hi, boolean hiOpen) {

        /** The values a comparison accepts; null for {@code !=}, which is not one interval. */
        static Interval of(Rule.Condition c) {
            double v = c.value();
            double inf = Double.POSITIVE_INFINITY;
            return switch (c.op()) {
                case GE -> new Interval(v, false, inf, true);
                case GT -> new Interval(v, true, inf, true);
                case LE -> new Interval(-inf, true, v, false);
                case LT -> new Interval(-inf, true, v, true);
                case EQ -> new Interval(v, false, v, false);
                case NE -> null;
            };
        }

        Interval and(Interval o) {
            double l = Math.max(lo, o.lo);
            boolean lOpen = (l == lo && loOpen) || (l == o.lo && o.loOpen);
            double h = Math.min(hi, o.hi);
            boolean hOpen = (h == hi && hiOpen) || (h == o.hi && o.hiOpen);
            return new Interval(l, lOpen, h, hOpen);
        }

        boolean isEmpty() {
            return lo > hi || (lo == hi && (loOpen || hiOpen));
        }

        /** Whether every value of {@code o} (not empty) lies in this one. */
        boolean contains(Interval o) {
            boolean lower = lo < o.lo || (lo == o.lo && (!loOpen || o.loOpen));
            boolean upper = hi > o.hi || (hi == o.hi && (!hiOpen || o.hiOpen));
            return lower && upper;
        }

        /** A value inside (not empty): a closed end, else the middle. */
        double point() {
            if (!loOpen) {
                return lo;
            }
            if (!hiOpen) {
                return hi;
            }
            return (lo + hi) / 2;
        }
    }
}
