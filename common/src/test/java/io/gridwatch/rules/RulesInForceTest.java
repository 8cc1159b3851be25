package io.gridwatch.rules;

import io.gridwatch.catalogue.Catalogue;
import io.gridwatch.config.GridwatchConfig;
import io.gridwatch.sensor.SensorType;
import org.junit.jupiter.api.Test;

import java.util.AbstractMap.SimpleImmutableEntry;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The one definition of the rules in force, as the rules job and {@code gridwatch rules} apply the rules topic. */
class RulesInForceTest {

    static final Catalogue CLASSIC = Catalogue.load(GridwatchConfig.Edition.CLASSIC);
    static final RuleSet DEFAULTS = RuleSet.defaults();

    /** A water-level rule raising at {@code raiseCm} for 5 minutes; {@code extra} is more JSON fields (family, scope …). */
    static String water(String id, double raiseCm, String extra) {
        return """
                {"schema":1,"rule_id":"%s","sensor_type":"water_level","kind":"threshold",%s
                 "category":{"kind":"event","code":"0406"},"team":"flood",
                 "threshold":{"raise":[{"all":[{"metric":"water_level_cm","op":">=","value":%s}],"for_s":300}],
                              "clear":[{"all":[{"metric":"water_level_cm","op":"<","value":5}],"for_s":600}]}}"""
                .formatted(id, extra, raiseCm);
    }

    static double raiseAt(RuleSet set, String sensor, String district) {
        Rule r = set.effective(SensorType.WATER_LEVEL, "water_level.default", sensor, "210211016001002", district);
        return r.threshold().raise().get(0).all().get(0).value();
    }

    static Map.Entry<String, String> record(String id, String json) {
        return new SimpleImmutableEntry<>(id, json);
    }

    @Test
    void withoutRecordsTheDefaultsAreInForce() {
        RulesInForce r = RulesInForce.defaults(CLASSIC);
        assertThat(r.effective()).isEqualTo(DEFAULTS);
        assertThat(r.analysts()).isEmpty();
        assertThat(r.origin("water_level.default")).isEqualTo(RulesInForce.Origin.DEFAULT);
    }

    @Test
    void anAnalystRuleOverridesItsDefaultByIdAndADeletionBringsTheDefaultBack() {
        RulesInForce.Applied a = RulesInForce.defaults(CLASSIC).apply("water_level.default", water("water_level.default", 25, ""));
        assertThat(a.outcome()).isEqualTo(RulesInForce.Outcome.APPLIED);
        assertThat(raiseAt(a.rules().effective(), "wl-1", "210211")).isEqualTo(25);
        assertThat(a.rules().origin("water_level.default")).isEqualTo(RulesInForce.Origin.OVERRIDDEN);
        assertThat(a.rules().effective().rules()).hasSameSizeAs(DEFAULTS.rules());

        RulesInForce.Applied d = a.rules().apply("water_level.default", null);
        assertThat(d.outcome()).isEqualTo(RulesInForce.Outcome.DELETED);
        assertThat(d.rules().effective()).isEqualTo(DEFAULTS);
        assertThat(d.rules().origin("water_level.default")).isEqualTo(RulesInForce.Origin.DEFAULT);
    }

    @Test
    void anAddedRuleOfANarrowerScopeWinsWhereItAppliesOnly() {
        RulesInForce r = RulesInForce.replay(DEFAULTS, CLASSIC, List.of(record("wl.zhongshan",
                water("wl.zhongshan", 30, "\"family\":\"water_level.default\",\"scope\":{\"district\":\"210202\"},"))));
        assertThat(r.origin("wl.zhongshan")).isEqualTo(RulesInForce.Origin.ADDED);
        assertThat(raiseAt(r.effective(), "wl-1", "210202")).isEqualTo(30);
        assertThat(raiseAt(r.effective(), "wl-1", "210211")).isEqualTo(15);
    }

    @Test
    void aRecordThatCannotWorkIsIgnoredWithItsReasonAndTheRuleBeforeStays() {
        RulesInForce r = RulesInForce.replay(DEFAULTS, CLASSIC, List.of(record("water_level.default", water("water_level.default", 25, ""))));
        List<String> bad = List.of(
                "{not json",
                water("another.id", 30, ""),                                          // keyed apart from its rule_id
                water("water_level.default", 30, "").replace("water_level_cm\",\"op\":\">=\"", "fill_pct\",\"op\":\">=\""), // RuleCheck error
                water("water_level.default", 30, "").replace("\"code\":\"0406\"", "\"code\":\"0477\""));             // not in the catalogue
        for (String json : bad) {
            RulesInForce.Applied a = r.apply("water_level.default", json);
            assertThat(a.outcome()).as(json).isEqualTo(RulesInForce.Outcome.IGNORED);
            assertThat(a.reason()).as(json).isNotBlank();
            assertThat(a.rules().ignored()).as(json).containsKey("water_level.default");
            assertThat(raiseAt(a.rules().effective(), "wl-1", "210211")).as(json).isEqualTo(25);
        }
        assertThat(r.apply("water_level.default", bad.get(1)).reason()).contains("keyed 'water_level.default'", "'another.id'");
        assertThat(r.apply("water_level.default", bad.get(2)).reason()).contains("fill_pct");
        assertThat(r.apply("water_level.default", bad.get(3)).reason()).contains("0477");

        // a later good record clears the note
        RulesInForce after = r.apply("water_level.default", bad.get(2)).rules().apply("water_level.default", water("water_level.default", 28, "")).rules();
        assertThat(after.ignored()).isEmpty();
        assertThat(raiseAt(after.effective(), "wl-1", "210211")).isEqualTo(28);
    }

    @Test
    void aRuleThatClashesWithTheSetIsIgnored() {
        // a second rule of the default family with the default's scope: which would win is a guess
        RulesInForce.Applied a = RulesInForce.defaults(CLASSIC).apply("wl.twin", water("wl.twin", 30, "\"family\":\"water_level.default\","));
        assertThat(a.outcome()).isEqualTo(RulesInForce.Outcome.IGNORED);
        assertThat(a.reason()).contains("same scope");
        assertThat(a.rules().effective()).isEqualTo(DEFAULTS);
    }

    @Test
    void aDeletionThatBringsBackAClashingDefaultDropsTheRuleThatNoLongerFits() {
        // water_level.default is replaced by a district rule, and wl.all takes the family's unscoped place
        RulesInForce r = RulesInForce.replay(DEFAULTS, CLASSIC, List.of(
                record("water_level.default", water("water_level.default", 25, "\"scope\":{\"district\":\"210202\"},")),
                record("wl.all", water("wl.all", 40, "\"family\":\"water_level.default\","))));
        assertThat(r.ignored()).isEmpty();
        assertThat(raiseAt(r.effective(), "wl-1", "210211")).isEqualTo(40);
        assertThatThrownBy(() -> r.after(List.of(), List.of("water_level.default")))
                .isInstanceOf(RuleSet.InvalidRuleException.class).hasMessageContaining("same scope");

        RulesInForce.Applied d = r.apply("water_level.default", null);
        assertThat(d.rules().analysts()).isEmpty();
        assertThat(d.rules().ignored()).containsOnlyKeys("wl.all");
        assertThat(d.rules().effective()).isEqualTo(DEFAULTS);
    }

    @Test
    void warningsOfAnAppliedRuleAreReported() {
        // a raise on a single reading is odd, not wrong
        RulesInForce.Applied a = RulesInForce.defaults(CLASSIC).apply("water_level.default",
                water("water_level.default", 25, "").replace("\"for_s\":300", "\"for_s\":0"));
        assertThat(a.outcome()).isEqualTo(RulesInForce.Outcome.APPLIED);
        assertThat(a.warnings()).isNotEmpty();
    }

    @Test
    void replayingInOffsetOrderEqualsApplyingOneByOne() {
        List<Map.Entry<String, String>> records = new ArrayList<>();
        records.add(record("water_level.default", water("water_level.default", 25, "")));
        records.add(record("wl.zs", water("wl.zs", 30, "\"family\":\"water_level.default\",\"scope\":{\"district\":\"210202\"},")));
        records.add(record("water_level.default", null));
        records.add(record("wl.zs", water("wl.zs", 35, "\"family\":\"water_level.default\",\"scope\":{\"district\":\"210202\"},")));
        RulesInForce replayed = RulesInForce.replay(DEFAULTS, CLASSIC, records);
        assertThat(replayed.analysts()).containsOnlyKeys("wl.zs");
        assertThat(raiseAt(replayed.effective(), "wl-1", "210202")).isEqualTo(35);
        assertThat(raiseAt(replayed.effective(), "wl-1", "210211")).isEqualTo(15);
        assertThat(replayed.with(RuleSet.parse(water("wl.zs", 50, "\"family\":\"water_level.default\",\"scope\":{\"district\":\"210202\"},")), "f.json")
                .rule("wl.zs").orElseThrow().threshold().raise().get(0).all().get(0).value()).isEqualTo(50);
        assertThatThrownBy(() -> replayed.with(RuleSet.parse(water("wl.twin", 50, "\"family\":\"water_level.default\",")), "f.json"))
                .hasMessageContaining("f.json: rule 'wl.twin' does not fit the rules in force");
    }
}
