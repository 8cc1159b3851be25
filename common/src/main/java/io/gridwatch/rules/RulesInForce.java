package io.gridwatch.rules;

import io.gridwatch.catalogue.Catalogue;

import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * 生效规则 — the rules in force: the shipped defaults with the analysts' rules of the compacted rules topic
 * ({@code gw.rules.v1}, keyed by rule id, a null value deletes) laid over them by rule id. The one definition that
 * the sensor rules job and {@code gridwatch rules list | diff | push | backtest} share.
 *
 * <p>A record is applied only when its rule parses, its key is its {@code rule_id}, {@link RuleCheck} finds no error in
 * it and it fits the set (no two rules of a family with the same scope); otherwise it is ignored, with the reason, and
 * the rule in force before stays. A deleted id falls back to its default, if it has one. Immutable: {@link #apply}
 * returns a new value.
 */
public final class RulesInForce {

    /** Where a rule in force comes from. */
    public enum Origin {
        /** shipped, not on the topic */
        DEFAULT,
        /** shipped, replaced by the topic's rule of the same id */
        OVERRIDDEN,
        /** on the topic only */
        ADDED;

        public String id() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** What a record of the rules topic did. */
    public enum Outcome {
        /** the rule is in force (added, or replacing the rule of its id) */
        APPLIED,
        /** the id's analyst rule is gone; its default, if any, applies again */
        DELETED,
        /** the record cannot work and changed nothing; {@link Applied#reason()} says why */
        IGNORED
    }

    /**
     * The result of {@link #apply}.
     *
     * @param rules    the rules in force after the record (the same value when it was ignored)
     * @param reason   why an ignored record was ignored; null otherwise
     * @param warnings what {@link RuleCheck} finds odd in an applied rule
     */
    public record Applied(RulesInForce rules, String ruleId, Outcome outcome, String reason, List<String> warnings) {
        public Applied {
            Objects.requireNonNull(rules, "rules");
            Objects.requireNonNull(ruleId, "ruleId");
            Objects.requireNonNull(outcome, "outcome");
            warnings = List.copyOf(warnings);
        }
    }

    private final RuleSet defaults;
    private final Catalogue catalogue;
    private final Map<String, Rule> analysts;
    private final Map<String, String> ignored;
    private final RuleSet effective;

    private RulesInForce(RuleSet defaults, Catalogue catalogue, LinkedHashMap<String, Rule> analysts,
                         LinkedHashMap<String, String> ignored, RuleSet effective) {
        this.defaults = defaults;
        this.catalogue = catalogue;
        this.analysts = Collections.unmodifiableMap(analysts);
        this.ignored = Collections.unmodifiableMap(ignored);
        this.effective = effective;
    }

    /** The shipped defaults ({@link RuleSet#defaults()}) with no analyst rule yet; rules are checked against {@code catalogue}. */
    public static RulesInForce defaults(Catalogue catalogue) {
        return of(RuleSet.defaults(), catalogue);
    }

    /** {@code defaults} with no analyst rule yet. */
    public static RulesInForce of(RuleSet defaults, Catalogue catalogue) {
        Objects.requireNonNull(defaults, "defaults");
        Objects.requireNonNull(catalogue, "catalogue");
        return new RulesInForce(defaults, catalogue, new LinkedHashMap<>(), new LinkedHashMap<>(), defaults);
    }

    /** {@code defaults} with the records (rule id → the rule's JSON, or null to delete) applied in the order given. */
    public static RulesInForce replay(RuleSet defaults, Catalogue catalogue, Iterable<? extends Map.Entry<String, String>> records) {
        RulesInForce r = of(defaults, catalogue);
        for (Map.Entry<String, String> e : records) {
            r = r.apply(e.getKey(), e.getValue()).rules();
        }
        return r;
    }

    /**
     * Applies one record of the rules topic.
     *
     * @param ruleId the record's key
     * @param json   the record's value, the rule's JSON; null deletes the analyst's rule of this id
     */
    public Applied apply(String ruleId, String json) {
        Objects.requireNonNull(ruleId, "ruleId");
        LinkedHashMap<String, String> nextIgnored = new LinkedHashMap<>(ignored);
        nextIgnored.remove(ruleId);
        if (json == null) {
            LinkedHashMap<String, Rule> nextAnalysts = new LinkedHashMap<>(analysts);
            nextAnalysts.remove(ruleId);
            // dropping an analyst's rule brings its default back, which may clash with another analyst rule: that one leaves
            RuleSet set = defaults;
            for (Rule r : List.copyOf(nextAnalysts.values())) {
                try {
                    set = set.with(r);
                } catch (IllegalArgumentException e) {
                    nextAnalysts.remove(r.ruleId());
                    nextIgnored.put(r.ruleId(), "no longer fits once '" + ruleId + "' was deleted: " + e.getMessage());
                }
            }
            return new Applied(new RulesInForce(defaults, catalogue, nextAnalysts, nextIgnored, set), ruleId, Outcome.DELETED,
                    null, List.of());
        }
        Rule rule;
        RuleCheck.Findings findings;
        RuleSet set;
        try {
            rule = RuleSet.parseRule(json);
            if (!rule.ruleId().equals(ruleId)) {
                throw new IllegalArgumentException("the record is keyed '" + ruleId + "' but its rule_id is '" + rule.ruleId() + "'");
            }
            findings = RuleCheck.check(rule, catalogue).requireNoErrors();
            set = effective.with(rule);
        } catch (IllegalArgumentException e) {
            nextIgnored.put(ruleId, e.getMessage());
            return new Applied(new RulesInForce(defaults, catalogue, new LinkedHashMap<>(analysts), nextIgnored, effective), ruleId,
                    Outcome.IGNORED, e.getMessage(), List.of());
        }
        LinkedHashMap<String, Rule> nextAnalysts = new LinkedHashMap<>(analysts);
        nextAnalysts.put(ruleId, rule);
        return new Applied(new RulesInForce(defaults, catalogue, nextAnalysts, nextIgnored, set), ruleId, Outcome.APPLIED, null,
                findings.warnings());
    }

    /** The rules a sensor is judged by: the defaults with the analysts' rules laid over them. */
    public RuleSet effective() {
        return effective;
    }

    /** The analysts' rules in force, by rule id, in the order first applied. */
    public Map<String, Rule> analysts() {
        return analysts;
    }

    /** Rule id → why its newest record was ignored (the rule in force before stays). */
    public Map<String, String> ignored() {
        return ignored;
    }

    /** The shipped rules these lie over. */
    public RuleSet defaults() {
        return defaults;
    }

    public Origin origin(String ruleId) {
        boolean shipped = defaults.rule(ruleId).isPresent();
        return !analysts.containsKey(ruleId) ? Origin.DEFAULT : shipped ? Origin.OVERRIDDEN : Origin.ADDED;
    }

    /**
     * The rules in force with {@code candidates} laid over them, one by one, so that a clash names its rule.
     *
     * @param origin where the candidates come from (a file name), for the message
     * @throws RuleSet.InvalidRuleException naming the rule that does not fit
     */
    public RuleSet with(RuleSet candidates, String origin) {
        RuleSet set = effective;
        for (Rule r : candidates.rules()) {
            try {
                set = set.with(r);
            } catch (IllegalArgumentException e) {
                throw new RuleSet.InvalidRuleException(origin + ": rule '" + r.ruleId()
                        + "' does not fit the rules in force: " + e.getMessage(), e);
            }
        }
        return set;
    }

    /**
     * The rules that would be in force with these analysts' rules deleted and {@code added} laid over the rest — what a
     * push of both would leave.
     *
     * @throws RuleSet.InvalidRuleException when the result would clash (a default coming back beside an analyst's rule)
     */
    public RuleSet after(Collection<Rule> added, Collection<String> deleted) {
        LinkedHashMap<String, Rule> next = new LinkedHashMap<>(analysts);
        deleted.forEach(next::remove);
        added.forEach(r -> next.put(r.ruleId(), r));
        RuleSet set = defaults;
        for (Rule r : next.values()) {
            set = set.with(r);
        }
        return set;
    }

    @Override
    public String toString() {
        return "RulesInForce" + effective.rules().stream().map(r -> r.ruleId() + "=" + origin(r.ruleId()).id()).toList();
    }
}
