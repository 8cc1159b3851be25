package io.gridwatch.rules;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.gridwatch.json.Json;
import io.gridwatch.sensor.SensorType;
import org.junit.jupiter.api.Test;

import java.io.UncheckedIOException;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RuleSetTest {

    static String toJson(Rule r) {
        try {
            return Json.mapper().writeValueAsString(r);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Rule rule(String id) {
        return RuleSet.defaults().rule(id).orElseThrow();
    }

    @Test
    void theDefaultsAreThoseOfContractsSection1() {
        RuleSet d = RuleSet.defaults();
        assertThat(d.rules()).extracting(Rule::ruleId).containsExactlyInAnyOrder(
                "water_level.default", "manhole.default", "bin_fill.default", "road_weather.default", "rain_gauge.default",
                "water_level.offline", "manhole.offline", "bin_fill.offline", "road_weather.offline", "rain_gauge.offline");
        assertThat(d.rules()).allSatisfy(r -> {
            assertThat(r.isEnabled()).isTrue();
            assertThat(r.scope()).isEqualTo(Rule.Scope.ANY);
            assertThat(r.schedule()).isNull();
        });

        Rule water = rule("water_level.default");
        Rule.Threshold wt = water.threshold();
        assertThat(wt.raise()).containsExactly(new Rule.Hold(
                List.of(new Rule.Condition("water_level_cm", Rule.Op.GE, 15)), null, 300));
        assertThat(wt.clear()).containsExactly(new Rule.Hold(
                List.of(new Rule.Condition("water_level_cm", Rule.Op.LT, 5)), null, 600));
        assertThat(wt.severity().metric()).isEqualTo("water_level_cm");
        assertThat(wt.severity().levels()).containsExactly(new Rule.Level(15, io.gridwatch.cases.Severity.BLUE), new Rule.Level(30, io.gridwatch.cases.Severity.YELLOW),
                new Rule.Level(50, io.gridwatch.cases.Severity.ORANGE), new Rule.Level(80, io.gridwatch.cases.Severity.RED));
        assertThat(water.category()).isEqualTo(new Rule.CategorySpec("event", "0406", null));
        assertThat(water.team()).isEqualTo("flood");

        Rule manhole = rule("manhole.default");
        assertThat(manhole.threshold().raise()).containsExactly(new Rule.Hold(null, List.of(
                new Rule.Condition("cover_open", Rule.Op.EQ, 1), new Rule.Condition("tilt_deg", Rule.Op.GE, 15)), 30));
        assertThat(manhole.threshold().clear()).containsExactly(new Rule.Hold(List.of(
                new Rule.Condition("cover_open", Rule.Op.EQ, 0), new Rule.Condition("tilt_deg", Rule.Op.LT, 5)), null, 300));
        assertThat(manhole.category()).isEqualTo(new Rule.CategorySpec("component", null, true));

        Rule bin = rule("bin_fill.default");
        assertThat(bin.threshold().raise()).containsExactly(new Rule.Hold(
                List.of(new Rule.Condition("fill_pct", Rule.Op.GE, 90)), null, 900));
        assertThat(bin.threshold().clear()).containsExactly(new Rule.Hold(
                List.of(new Rule.Condition("fill_pct", Rule.Op.LT, 50)), null, 0));
        assertThat(bin.category()).isEqualTo(new Rule.CategorySpec("event", "0102", null));
        assertThat(bin.componentCode()).isEqualTo("0305");

        Rule snow = rule("road_weather.default");
        assertThat(snow.threshold().raise()).containsExactly(
                new Rule.Hold(List.of(new Rule.Condition("snow_depth_cm", Rule.Op.GE, 2)), null, 600),
                new Rule.Hold(List.of(new Rule.Condition("road_temp_c", Rule.Op.LE, 0),
                        new Rule.Condition("snow_depth_cm", Rule.Op.GT, 0)), null, 0));
        assertThat(snow.threshold().clear()).containsExactly(new Rule.Hold(
                List.of(new Rule.Condition("snow_depth_cm", Rule.Op.LT, 0.5)), null, 1800));
        assertThat(snow.category()).isEqualTo(new Rule.CategorySpec("event", "0407", null));
        assertThat(snow.team()).isEqualTo("snow");

        Rule rain = rule("rain_gauge.default");
        assertThat(rain.kind()).isEqualTo(Rule.Kind.WINDOW_SUM);
        assertThat(rain.windowSum().metric()).isEqualTo("rain_mm");
        assertThat(rain.windowSum().windowS()).isEqualTo(3600);
        assertThat(rain.windowSum().value()).isEqualTo(30);
        assertThat(rain.team()).isEqualTo("flood");
        assertThat(rain.category()).isNull();

        for (SensorType t : SensorType.values()) {
            Rule off = rule(t.id() + ".offline");
            assertThat(off.sensorType()).isEqualTo(t);
            assertThat(off.offline().factor()).isEqualTo(3);
            assertThat(off.category()).isNull();
        }
    }

    @Test
    void rulesSurviveAJsonRoundTrip() {
        RuleSet d = RuleSet.defaults().with(RuleSet.parseRule(RuleEvaluatorTest.DISTRICT_RULE))
                .with(RuleSet.parseRule(RuleEvaluatorTest.RATE_RULE));
        String json = d.toJson();
        assertThat(RuleSet.parse(json)).isEqualTo(d);
        assertThat(json).contains("\"rule_id\"", "\"for_s\"", "\"window_sum\"", "\"from_component\"");
        Rule one = rule("road_weather.default");
        assertThat(RuleSet.parseRule(toJson(one))).isEqualTo(one);
        String scheduled = toJson(one).replace("\"kind\":\"threshold\"", "\"kind\":\"threshold\",\"schedule\":\"Mon-Fri 22:00-06:00\"");
        assertThat(toJson(RuleSet.parseRule(scheduled))).contains("\"schedule\":\"Mon-Fri 22:00-06:00\"");
    }

    @Test
    void aMalformedRuleIsRejectedNamingTheField() {
        String water = toJson(rule("water_level.default"));
        assertThatThrownBy(() -> RuleSet.parseRule(water.replace("\"for_s\":300", "\"for_ss\":300")))
                .isInstanceOf(RuleSet.InvalidRuleException.class)
                .hasMessageContaining("'water_level.default'")
                .hasMessageContaining("unknown field 'threshold.raise[0].for_ss'");
        assertThatThrownBy(() -> RuleSet.parseRule(water.replace("\"for_s\":300", "\"for_s\":-1")))
                .hasMessageContaining("threshold.raise[0]").hasMessageContaining("for_s must be >= 0");
        assertThatThrownBy(() -> RuleSet.parseRule(water.replace("\"for_s\":300", "\"for_s\":\"five minutes\"")))
                .hasMessageContaining("threshold.raise[0].for_s");
        assertThatThrownBy(() -> RuleSet.parseRule(water.replace("\">=\"", "\"=>\"")))
                .hasMessageContaining("threshold.raise[0].all[0].op").hasMessageContaining("unknown op '=>'");
        assertThatThrownBy(() -> RuleSet.parseRule(water.replace("\"kind\":\"threshold\"", "\"kind\":\"thresold\"")))
                .hasMessageContaining("'kind'").hasMessageContaining("unknown kind 'thresold'");
        assertThatThrownBy(() -> RuleSet.parseRule(water.replace("\"kind\":\"threshold\"", "\"kind\":\"rate\"")))
                .hasMessageContaining("rate is required for kind rate");
        assertThatThrownBy(() -> RuleSet.parseRule(water.replace("\"sensor_type\":\"water_level\"", "\"sensor_type\":\"tide\"")))
                .hasMessageContaining("sensor_type").hasMessageContaining("unknown sensor type 'tide'");
        assertThatThrownBy(() -> RuleSet.parseRule(water.replace("\"kind\":\"threshold\"", "\"kind\":\"threshold\",\"schedule\":\"25:00-06:00\"")))
                .hasMessageContaining("schedule").hasMessageContaining("'25:00' is not a time of day");
        assertThatThrownBy(() -> RuleSet.parseRule(water.replace("\"schema\":1", "\"schema\":2")))
                .hasMessageContaining("schema: unsupported version 2");
        assertThatThrownBy(() -> RuleSet.parseRule(water.replace("{\"at\":30.0", "{\"at\":10.0")))
                .hasMessageContaining("threshold.severity").hasMessageContaining("ascend");
        assertThatThrownBy(() -> RuleSet.parse("[" + water + ", {\"schema\":1}]"))
                .hasMessageContaining("rules[1]").hasMessageContaining("rule_id is required");
        assertThatThrownBy(() -> RuleSet.parse("[{]")).hasMessageContaining("not valid JSON");
    }

    @Test
    void aSetRejectsAmbiguity() {
        Rule water = rule("water_level.default");
        assertThatThrownBy(() -> RuleSet.of(List.of(water, water))).hasMessageContaining("appears twice");
        Rule twin = RuleSet.parseRule(toJson(water).replace("\"rule_id\":\"water_level.default\"",
                "\"rule_id\":\"water_level.twin\",\"family\":\"water_level.default\""));
        assertThatThrownBy(() -> RuleSet.of(List.of(water, twin))).hasMessageContaining("the same scope");
        Rule mixed = RuleSet.parseRule(RuleEvaluatorTest.RATE_RULE.replace("\"rule_id\":\"water_level.rising\"",
                "\"rule_id\":\"water_level.rising\",\"family\":\"water_level.default\""));
        assertThatThrownBy(() -> RuleSet.of(List.of(water, mixed))).hasMessageContaining("is of kind threshold");
    }

    @Test
    void withAndWithoutMakeNewSets() {
        RuleSet d = RuleSet.defaults();
        RuleSet less = d.without("bin_fill.default");
        assertThat(less.rule("bin_fill.default")).isEmpty();
        assertThat(d.rule("bin_fill.default")).isPresent();
        assertThat(less.with(rule("bin_fill.default"))).isEqualTo(d);
        assertThat(d.without("no.such.rule")).isSameAs(d);
    }

    @Test
    void schedulesReadShanghaiTime() {
        long t0 = TestSensor.T0;                         // Tuesday 2026-07-28 08:00 in Shanghai
        long hour = 3_600_000L;
        Schedule night = Schedule.parse("22:00-06:00");
        assertThat(night.isActive(t0)).isFalse();
        assertThat(night.isActive(t0 + 14 * hour)).isTrue();   // 22:00
        assertThat(night.isActive(t0 + 21 * hour)).isTrue();   // 05:00 Wednesday
        assertThat(night.isActive(t0 + 22 * hour)).isFalse();  // 06:00
        Schedule weekdays = Schedule.parse("Mon-Fri 07:00-19:00");
        assertThat(weekdays.isActive(t0)).isTrue();
        assertThat(weekdays.isActive(t0 + 4 * 24 * hour)).isFalse(); // Saturday
        Schedule fridayNight = Schedule.parse("Fri 22:00-06:00");
        assertThat(fridayNight.isActive(t0 + (3 * 24 + 14) * hour)).isTrue();  // Friday 22:00
        assertThat(fridayNight.isActive(t0 + (3 * 24 + 21) * hour)).isTrue();  // Saturday 05:00
        assertThat(fridayNight.isActive(t0 + (4 * 24 + 14) * hour)).isFalse(); // Saturday 22:00
        Schedule weekend = Schedule.parse("Sat,Sun; Mon 00:00-01:00");
        assertThat(weekend.isActive(t0 + 5 * 24 * hour)).isTrue();          // Sunday 08:00
        assertThat(weekend.isActive(t0 + (5 * 24 + 16) * hour + 1)).isTrue(); // Monday 00:00
        assertThat(weekend.isActive(t0)).isFalse();
        assertThatThrownBy(() -> Schedule.parse("Moonday")).hasMessageContaining("unknown day 'Moonday'");
        assertThatThrownBy(() -> Schedule.parse("06:00-06:00")).hasMessageContaining("empty");
    }
}
