package io.gridwatch.video;

import io.gridwatch.camera.ZonePurpose;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DwellRulesTest {

    static final long NOON = 1_785_211_200_000L; // 2026-07-28 12:00 Asia/Shanghai

    static String rule(String id, String scope, int stayS, String extra) {
        return "{\"schema\":1,\"rule_id\":\"" + id + "\",\"family\":\"dwell.stall\",\"kind\":\"dwell\",\"scope\":" + scope
                + ",\"object\":\"stall\",\"category\":{\"kind\":\"event\",\"code\":\"0501\"},\"stay_s\":" + stayS
                + ",\"max_gap_s\":60,\"clear_s\":120,\"min_score\":0.6" + extra + "}";
    }

    @Test
    void theDefaultsFollowTheIssue() {
        DwellRules d = DwellRules.defaults();
        assertThat(d.effective("cam", "z", ZonePurpose.NO_VENDING, NOON)).singleElement().satisfies(r -> {
            assertThat(r.object()).isEqualTo(WatchedObject.STALL);
            assertThat(r.category().code()).isEqualTo("0501");
            assertThat(r.stayS()).isEqualTo(600);
        });
        assertThat(d.effective("cam", "z", ZonePurpose.BIN_AREA, NOON)).extracting(r -> r.object() + "/" + r.category().code() + "/" + r.stayS())
                .containsExactly("garbage/0102/300");
        assertThat(d.effective("cam", "z", ZonePurpose.ROADWAY, NOON)).extracting(r -> r.object() + "/" + r.category().code() + "/" + r.team() + "/" + r.stayS())
                .containsExactly("water/0406/flood/180", "snow/0407/snow/180");
        assertThat(d.effective("cam", "z", ZonePurpose.SIDEWALK, NOON)).extracting(r -> r.object() + "/" + r.category().code())
                .containsExactly("garbage/0102", "snow/0407");
    }

    @Test
    void theMostSpecificRuleOfAFamilyWinsAndADisabledWinnerSwitchesItOff() {
        DwellRules d = DwellRules.defaults()
                .apply("stall.cam1", rule("stall.cam1", "{\"camera\":\"cam1\",\"purpose\":\"no_vending\"}", 60, "")).rules()
                .apply("stall.cam1.market", rule("stall.cam1.market", "{\"camera\":\"cam1\",\"zone\":\"market\"}", 30, ",\"enabled\":false")).rules();
        assertThat(d.effective("cam1", "plaza", ZonePurpose.NO_VENDING, NOON)).extracting(DwellRule::ruleId).containsExactly("stall.cam1");
        assertThat(d.effective("cam1", "market", ZonePurpose.NO_VENDING, NOON)).isEmpty();
        assertThat(d.effective("cam2", "plaza", ZonePurpose.NO_VENDING, NOON)).extracting(DwellRule::ruleId).containsExactly("stall.no_vending");
        // deleting the analyst's rule brings the default back
        assertThat(d.apply("stall.cam1", null).rules().effective("cam1", "plaza", ZonePurpose.NO_VENDING, NOON))
                .extracting(DwellRule::ruleId).containsExactly("stall.no_vending");
    }

    @Test
    void aRuleRunsOnlyOnItsSchedule() {
        DwellRules d = DwellRules.defaults().apply("night", rule("night", "{\"camera\":\"cam1\"}", 60, ",\"schedule\":\"22:00-06:00\"")).rules();
        assertThat(d.effective("cam1", "plaza", ZonePurpose.NO_VENDING, NOON)).isEmpty();
        assertThat(d.effective("cam1", "plaza", ZonePurpose.NO_VENDING, NOON + 11 * 3_600_000L)).extracting(DwellRule::ruleId).containsExactly("night");
    }

    @Test
    void badRecordsAreIgnoredNamingWhatIsWrongAndTheRuleBeforeStays() {
        DwellRules d = DwellRules.defaults();
        DwellRules.Applied typo = d.apply("x", rule("x", "{\"camera\":\"cam1\"}", 60, ",\"stay_minutes\":3"));
        assertThat(typo.outcome()).isEqualTo(DwellRules.Outcome.IGNORED);
        assertThat(typo.reason()).contains("'x'", "stay_minutes");
        assertThat(d.apply("x", rule("x", "{\"camera\":\"cam1\",\"zon\":\"a\"}", 60, "")).reason()).contains("scope.zon");
        assertThat(d.apply("x", rule("x", "{\"purpose\":\"lawn\"}", 60, "")).reason()).contains("lawn", "no_vending");
        assertThat(d.apply("x", rule("x", "{\"zone\":\"a\"}", 60, "")).reason()).contains("scope.camera");
        assertThat(d.apply("y", rule("x", "{\"camera\":\"c\"}", 60, "")).reason()).contains("keyed 'y'");
        assertThat(d.apply("x", rule("x", "{\"purpose\":\"no_vending\"}", 60, "")).reason()).contains("same scope");
        assertThat(d.apply("x", rule("x", "{\"camera\":\"c\"}", 60, ",\"min_score\":2").replace(",\"min_score\":0.6", "")).reason())
                .contains("min_score");
        assertThat(typo.rules()).isSameAs(d);
    }

    @Test
    void dwellRulesAndSensorRulesAreToldApartOnTheSharedTopic() {
        assertThat(DwellRules.isDwell(rule("x", "null", 1, ""))).isTrue();
        assertThat(DwellRules.isDwell("{\"rule_id\":\"water_level.default\",\"kind\":\"threshold\"}")).isFalse();
        assertThat(DwellRules.isDwell("not json")).isFalse();
        assertThat(DwellRules.isDwell(null)).isFalse();
        DwellRules replayed = DwellRules.replay(DwellRules.defaults(), List.of(
                java.util.Map.entry("water_level.default", "{\"rule_id\":\"water_level.default\",\"kind\":\"threshold\"}"),
                java.util.Map.entry("x", rule("x", "{\"camera\":\"c\"}", 5, ""))));
        assertThat(replayed.analysts()).containsOnlyKeys("x");
    }
}
