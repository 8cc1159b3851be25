package io.gridwatch.rules;

import io.gridwatch.catalogue.Catalogue;
import io.gridwatch.config.GridwatchConfig;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RuleCheckTest {

    static final Catalogue CLASSIC = Catalogue.load(GridwatchConfig.Edition.CLASSIC);

    /** A water-level threshold rule with these raise and clear conditions (JSON), category 0406. */
    static Rule water(String raise, String clear) {
        return water(raise, clear, "0406", 300);
    }

    static Rule water(String raise, String clear, String code, int raiseFor) {
        return RuleSet.parseRule("""
                {"schema":1,"rule_id":"wl.test","sensor_type":"water_level","kind":"threshold",
                 "category":{"kind":"event","code":"%s"},"team":"flood",
                 "threshold":{"raise":[{"all":[%s],"for_s":%d}],"clear":[{"all":[%s],"for_s":600}]}}"""
                .formatted(code, raise, raiseFor, clear));
    }

    static String cond(String metric, String op, double value) {
        return "{\"metric\":\"" + metric + "\",\"op\":\"" + op + "\",\"value\":" + value + "}";
    }

    @Test
    void theShippedDefaultsHaveNoErrors() {
        RuleCheck.Findings f = RuleCheck.check(RuleSet.defaults().rules(), CLASSIC);
        assertThat(f.errors()).isEmpty();
    }

    @Test
    void aSoundRuleHasNeitherErrorsNorWarnings() {
        RuleCheck.Findings f = RuleCheck.check(water(cond("water_level_cm", ">=", 20), cond("water_level_cm", "<", 8)), CLASSIC);
        assertThat(f.errors()).isEmpty();
        assertThat(f.warnings()).isEmpty();
    }

    @Test
    void aMetricTheTypeDoesNotHaveIsAnError() {
        RuleCheck.Findings f = RuleCheck.check(water(cond("fill_pct", ">=", 20), cond("water_level_cm", "<", 8)), CLASSIC);
        assertThat(f.errors()).singleElement().asString()
                .contains("rule 'wl.test'", "threshold.raise[0].all[0].metric", "'fill_pct' is not a metric of a water_level sensor",
                        "water_level_cm");
    }

    @Test
    void aCategoryTheCatalogueDoesNotHaveIsAnError() {
        RuleCheck.Findings f = RuleCheck.check(water(cond("water_level_cm", ">=", 20), cond("water_level_cm", "<", 8), "0477", 300),
                CLASSIC);
        assertThat(f.errors()).singleElement().asString().contains("category.code", "'0477'", "classic");
        // the classic code is not a class of the 2026 edition either
        assertThat(RuleCheck.check(water(cond("water_level_cm", ">=", 20), cond("water_level_cm", "<", 8)),
                Catalogue.load(GridwatchConfig.Edition.GB47678_2026)).errors()).singleElement().asString().contains("'0406'");
    }

    @Test
    void aClearThatAlwaysHoldsIsAnError() {
        // the rule that turned one 8-minute flood into 6 flapping cases
        RuleCheck.Findings f = RuleCheck.check(water(cond("water_level_cm", ">=", 15), cond("water_level_cm", ">=", 0)), CLASSIC);
        assertThat(f.errors()).singleElement().asString()
                .contains("threshold.clear[0]", "always holds", "water_level_cm is 0..300", "clear as soon as it is raised");
        assertThat(RuleCheck.check(water(cond("water_level_cm", ">=", 15), cond("water_level_cm", "<=", 300)), CLASSIC).errors())
                .hasSize(1);
        assertThat(RuleCheck.check(water(cond("water_level_cm", ">=", 15), cond("water_level_cm", "<", 300)), CLASSIC).errors())
                .isEmpty();
    }

    @Test
    void aRaiseThatCanNeverHoldIsAnError() {
        assertThat(RuleCheck.check(water(cond("water_level_cm", ">", 300), cond("water_level_cm", "<", 5)), CLASSIC).errors())
                .singleElement().asString().contains("threshold.raise[0]", "can never hold");
        // contradicting conditions of one alternative
        assertThat(RuleCheck.check(water(cond("water_level_cm", ">=", 50) + "," + cond("water_level_cm", "<", 20),
                cond("water_level_cm", "<", 5)), CLASSIC).errors()).singleElement().asString().contains("can never hold");
        assertThat(RuleCheck.check(water(cond("water_level_cm", "==", 300), cond("water_level_cm", "<", 5)), CLASSIC).errors())
                .isEmpty();
    }

    @Test
    void whatIsMerelyOddIsAWarning() {
        RuleCheck.Findings overlap = RuleCheck.check(water(cond("water_level_cm", ">=", 15), cond("water_level_cm", "<", 20)), CLASSIC);
        assertThat(overlap.errors()).isEmpty();
        assertThat(overlap.warnings()).singleElement().asString()
                .contains("threshold.clear[0]", "holds together with threshold.raise[0]", "water_level_cm = 15");
        RuleCheck.Findings spike = RuleCheck.check(water(cond("water_level_cm", ">=", 15), cond("water_level_cm", "<", 5), "0406", 0),
                CLASSIC);
        assertThat(spike.errors()).isEmpty();
        assertThat(spike.warnings()).singleElement().asString().contains("threshold.raise[0].for_s", "single reading");
        RuleCheck.Findings always = RuleCheck.check(water(cond("water_level_cm", ">=", 0), cond("water_level_cm", "<", 0)), CLASSIC);
        assertThat(always.errors()).isEmpty();
        assertThat(always.warnings()).anySatisfy(w -> assertThat(w).contains("threshold.raise[0]", "every reading raises"))
                .anySatisfy(w -> assertThat(w).contains("threshold.clear[0]", "never clear"));
    }

    @Test
    void requireNoErrorsNamesEveryError() {
        Rule bad = water(cond("fill_pct", ">=", 20), cond("water_level_cm", ">=", 0), "0477", 300);
        assertThatThrownBy(() -> RuleCheck.check(bad, CLASSIC).requireNoErrors())
                .isInstanceOf(RuleSet.InvalidRuleException.class)
                .hasMessageContaining("fill_pct").hasMessageContaining("0477");
    }
}
