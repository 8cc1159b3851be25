package io.gridwatch.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.gridwatch.json.Json;
import io.gridwatch.rules.Rule;
import io.gridwatch.rules.RuleSet;
import io.gridwatch.sensor.Reading;
import io.gridwatch.sensor.SensorType;
import io.gridwatch.testkit.TestServices;
import io.gridwatch.topics.Topics;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code gridwatch rules …} on a real Kafka: what analysts push is what the rules job reads. */
class RulesCommandTest {

    /** 2026-03-02 08:00 in Asia/Shanghai: a morning no other test records readings for. */
    static final long T0 = Instant.parse("2026-03-02T00:00:00Z").toEpochMilli();
    static final long MIN = 60_000L;
    static final String GRID = "210211016003007"; // 甘井子区 凌水街道 凌海社区

    @TempDir
    static Path home;
    static Path config;
    static String bootstrap;


    static CliRun run(String... args) {
        return CliRun.of(home, config, args);
    }

    @BeforeAll
    static void kafka() throws Exception {
        bootstrap = TestServices.shared().kafkaBootstrap();
        int colon = bootstrap.lastIndexOf(':');
        config = Files.writeString(home.resolve("gridwatch.yaml"), String.format("""
                stack:
                  kafka: {host: %s, port: %s}
                """, bootstrap.substring(0, colon), bootstrap.substring(colon + 1)));
    }

    /** Every test leaves the topic as it found it: the default water rule in force. */
    @AfterEach
    void restoreDefaults() {
        if (lastValues().getOrDefault("water_level.default", null) != null) {
            assertThat(run("rules", "push", "--delete", "water_level.default").status()).isZero();
        }
    }

    /** The default water rule raising at {@code cm} instead of 15 cm. */
    static String waterRule(double cm) {
        Rule d = RuleSet.defaults().rule("water_level.default").orElseThrow();
        return Json.mapper().valueToTree(d).toString().replace("\"op\":\">=\",\"value\":15.0", "\"op\":\">=\",\"value\":" + cm);
    }

    static Path file(String name, String text) throws Exception {
        return Files.writeString(home.resolve(name), text);
    }

    static List<JsonNode> jsonLines(String out) throws Exception {
        List<JsonNode> lines = new ArrayList<>();
        for (String line : out.split("\n")) {
            if (!line.isBlank()) {
                lines.add(Json.mapper().readTree(line));
            }
        }
        return lines;
    }

    static JsonNode listed(String ruleId) throws Exception {
        CliRun list = run("rules", "list", "--json");
        assertThat(list.status()).as(list.err()).isZero();
        return jsonLines(list.out()).stream().filter(n -> n.get("rule_id").asText().equals(ruleId)).findFirst().orElseThrow();
    }

    static double raiseAt(JsonNode listed) {
        return listed.get("rule").get("threshold").get("raise").get(0).get("all").get(0).get("value").asDouble();
    }

    // ---- what is on the topic, read with a plain consumer ------------------------------------------

    static KafkaConsumer<String, String> consumer() {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        return new KafkaConsumer<>(p, new StringDeserializer(), new StringDeserializer());
    }

    static long rulesEndOffset() {
        try (KafkaConsumer<String, String> c = consumer()) {
            TopicPartition tp = new TopicPartition(Topics.RULES.name(), 0);
            return c.endOffsets(List.of(tp)).get(tp);
        }
    }

    /** The newest value of each key on the rules topic (null for a tombstone). */
    static Map<String, String> lastValues() {
        Map<String, String> out = new LinkedHashMap<>();
        try (KafkaConsumer<String, String> c = consumer()) {
            TopicPartition tp = new TopicPartition(Topics.RULES.name(), 0);
            c.assign(List.of(tp));
            c.seekToBeginning(List.of(tp));
            long end = c.endOffsets(List.of(tp)).get(tp);
            while (c.position(tp) < end) {
                for (ConsumerRecord<String, String> r : c.poll(Duration.ofMillis(500))) {
                    out.put(r.key(), r.value());
                }
            }
        }
        return out;
    }

    // ---- list, push, delete -------------------------------------------------------------------------

    @Test
    void pushThenListShowsTheOverrideAndDeleteRestoresTheDefault() throws Exception {
        assertThat(listed("water_level.default").get("origin").asText()).isEqualTo("default");
        Path rules = file("water-25.json", "[" + waterRule(25) + "]");

        CliRun push = run("rules", "push", rules.toString());
        assertThat(push.status()).as(push.err()).isZero();
        assertThat(push.out()).contains("water_level.default").contains("changed")
                .contains("threshold.raise[0].all[0].value: 15 → 25").contains("pushed 1 record to gw.rules.v1");
        // on the topic, keyed by rule id, readable by the rules job
        assertThat(RuleSet.parseRule(lastValues().get("water_level.default")).threshold().raise().get(0).all().get(0).value())
                .isEqualTo(25);

        JsonNode overridden = listed("water_level.default");
        assertThat(overridden.get("origin").asText()).isEqualTo("overridden");
        assertThat(raiseAt(overridden)).isEqualTo(25);
        assertThat(listed("manhole.default").get("origin").asText()).isEqualTo("default");
        CliRun table = run("rules", "list");
        assertThat(table.out()).containsPattern("water_level\\.default\\s+water_level\\s+threshold\\s+overridden\\s+all\\s+water_level_cm >= 25 for 300 s")
                .contains("10 rules in force: 9 default, 1 overridden, 0 added");

        long before = rulesEndOffset();
        CliRun again = run("rules", "push", rules.toString());
        assertThat(again.out()).contains("unchanged").contains("nothing to push");
        assertThat(rulesEndOffset()).isEqualTo(before);

        CliRun delete = run("rules", "push", "--delete", "water_level.default");
        assertThat(delete.status()).as(delete.err()).isZero();
        assertThat(delete.out()).contains("deleted").contains("its default applies again");
        assertThat(lastValues()).containsEntry("water_level.default", null); // a tombstone
        JsonNode restored = listed("water_level.default");
        assertThat(restored.get("origin").asText()).isEqualTo("default");
        assertThat(raiseAt(restored)).isEqualTo(15);

        CliRun nothing = run("rules", "push", "--delete", "water_level.default");
        assertThat(nothing.status()).isEqualTo(1);
        assertThat(nothing.err()).contains("is a default that gw.rules.v1 does not override");
    }

    @Test
    void anAddedRuleIsListedAsAddedAndCanBeDeleted() throws Exception {
        String scoped = waterRule(40).replace("\"rule_id\":\"water_level.default\"", "\"rule_id\":\"water_level.rc-district\"")
                .replace("\"scope\":{}", "\"family\":\"water_level.default\",\"scope\":{\"district\":\"210204\"}");
        CliRun push = run("rules", "push", file("scoped.json", scoped).toString());
        assertThat(push.status()).as(push.err()).isZero();
        assertThat(push.out()).contains("water_level.rc-district").contains("added");
        try {
            JsonNode added = listed("water_level.rc-district");
            assertThat(added.get("origin").asText()).isEqualTo("added");
            assertThat(run("rules", "list").out()).contains("district 210204, family water_level.default");
        } finally {
            assertThat(run("rules", "push", "--delete", "water_level.rc-district").status()).isZero();
        }
        CliRun list = run("rules", "list", "--json");
        assertThat(jsonLines(list.out())).extracting(n -> n.get("rule_id").asText()).doesNotContain("water_level.rc-district");
    }

    @Test
    void anInvalidFileIsRefusedAndNothingIsProduced() throws Exception {
        long before = rulesEndOffset();

        CliRun missing = run("rules", "push", home.resolve("no-such.json").toString());
        assertThat(missing.status()).isEqualTo(1);
        assertThat(missing.err()).contains("rules file").contains("no-such.json does not exist");

        String noHold = waterRule(25).replace(",\"for_s\":300", "");
        CliRun invalid = run("rules", "push", file("bad.json", "[" + waterRule(20).replace("water_level.default", "water_level.ok")
                .replace("\"scope\":{}", "\"scope\":{\"sensor\":\"wl-x\"}") + "," + noHold + "]").toString());
        assertThat(invalid.status()).isEqualTo(1);
        assertThat(invalid.err()).contains("bad.json").contains("rules[1] 'water_level.default'").contains("for_s is required");

        CliRun typo = run("rules", "push", file("typo.json", waterRule(25).replace("\"team\"", "\"teem\"")).toString());
        assertThat(typo.status()).isEqualTo(1);
        assertThat(typo.err()).contains("'water_level.default'").contains("unknown field 'teem'");

        // valid alone, but it clashes with the default of its family (same family, same scope: which wins would be a guess)
        String clash = waterRule(25).replace("\"rule_id\":\"water_level.default\"", "\"rule_id\":\"water_level.clash\"")
                .replace("\"scope\":{}", "\"family\":\"water_level.default\",\"scope\":{}");
        CliRun clashing = run("rules", "push", file("clash.json", clash).toString());
        assertThat(clashing.status()).isEqualTo(1);
        assertThat(clashing.err()).contains("rule 'water_level.clash' does not fit the rules in force").contains("same scope");

        CliRun unknownDelete = run("rules", "push", "--delete", "no.such.rule");
        assertThat(unknownDelete.status()).isEqualTo(1);
        assertThat(unknownDelete.err()).contains("no rule 'no.such.rule' on gw.rules.v1");

        assertThat(rulesEndOffset()).isEqualTo(before);
    }

    /** Issue 11, finding 7: rules that cannot work on their sensor type or catalogue are refused by every command; odd ones warned. */
    @Test
    void rulesThatCannotWorkAreRefusedByPushDiffAndBacktestAndOddOnesWarned() throws Exception {
        long before = rulesEndOffset();
        String clearAlways = waterRule(15).replace("\"op\":\"<\",\"value\":5.0", "\"op\":\">=\",\"value\":0");
        String otherMetric = waterRule(15).replace("\"metric\":\"water_level_cm\",\"op\":\">=\"", "\"metric\":\"rain_mm\",\"op\":\">=\"");
        String noSuchCategory = waterRule(15).replace("\"code\":\"0406\"", "\"code\":\"0477\"");
        String raiseNever = waterRule(301);
        record Bad(String name, String rule, String why) {
        }
        List<Bad> bad = List.of(
                new Bad("clear-always.json", clearAlways, "threshold.clear[0]: always holds"),
                new Bad("metric.json", otherMetric, "'rain_mm' is not a metric of a water_level sensor"),
                new Bad("category.json", noSuchCategory, "category.code: '0477' is not among the event (事件) classes of the classic catalogue"),
                new Bad("raise-never.json", raiseNever, "threshold.raise[0]: can never hold"));
        for (Bad b : bad) {
            Path f = file(b.name(), "[" + b.rule() + "]");
            for (String[] args : List.of(new String[]{"rules", "push", f.toString()}, new String[]{"rules", "diff", f.toString()},
                    new String[]{"rules", "backtest", f.toString(), "--from", "2026-03-02", "--to", "2026-03-03"})) {
                CliRun r = run(args);
                assertThat(r.status()).as(String.join(" ", args) + ": " + r.err()).isEqualTo(1);
                assertThat(r.err()).contains(b.name(), "rule 'water_level.default'", b.why(), "nothing done");
            }
        }
        assertThat(rulesEndOffset()).isEqualTo(before);

        // odd, not wrong: a clear threshold above the raise threshold is pushed, with a warning
        String overlapping = waterRule(15).replace("\"op\":\"<\",\"value\":5.0", "\"op\":\"<\",\"value\":20");
        CliRun warned = run("rules", "push", file("overlap.json", "[" + overlapping + "]").toString());
        assertThat(warned.status()).as(warned.err()).isZero();
        assertThat(warned.err()).contains("warning:", "threshold.clear[0]: holds together with threshold.raise[0]", "water_level_cm = 15");
        assertThat(warned.out()).contains("pushed 1 record");
        assertThat(run("rules", "push", "--delete", "water_level.default").status()).isZero();

        // written to the topic past the CLI: the rules job ignores it, and so does what the CLI shows as in force
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(p, new StringSerializer(), new StringSerializer())) {
            producer.send(new ProducerRecord<>(Topics.RULES.name(), "water_level.default", clearAlways)).get();
            try {
                CliRun list = run("rules", "list", "--json");
                assertThat(list.status()).as(list.err()).isZero();
                assertThat(list.err()).contains("rule 'water_level.default'", "ignored by the rules job", "always holds");
                JsonNode inForce = listed("water_level.default");
                assertThat(inForce.get("origin").asText()).isEqualTo("default");
            } finally {
                producer.send(new ProducerRecord<>(Topics.RULES.name(), "water_level.default", null)).get();
            }
        }
    }

    @Test
    void diffShowsAChangedThresholdWithoutPushing() throws Exception {
        long before = rulesEndOffset();
        String added = waterRule(20).replace("water_level.default", "water_level.rc-sensor")
                .replace("\"scope\":{}", "\"family\":\"water_level.default\",\"scope\":{\"sensor\":\"wl-rc-9\"}");
        String bins = Json.mapper().valueToTree(RuleSet.defaults().rule("bin_fill.default").orElseThrow()).toString();
        CliRun diff = run("rules", "diff", file("diff.json", "[" + waterRule(25) + "," + added + "," + bins + "]").toString());
        assertThat(diff.status()).as(diff.err()).isZero();
        assertThat(diff.out()).containsPattern("water_level\\.default\\s+changed\\s+\\(default\\)")
                .contains("    threshold.raise[0].all[0].value: 15 → 25")
                .containsPattern("water_level\\.rc-sensor\\s+added")
                .containsPattern("bin_fill\\.default\\s+unchanged")
                .contains("1 changed, 1 added, 1 unchanged against the rules in force (nothing pushed)");
        assertThat(diff.out()).doesNotContain("clear[0]"); // only what differs
        assertThat(rulesEndOffset()).isEqualTo(before);
    }

    // ---- backtest -----------------------------------------------------------------------------------

    static Reading water(String sensor, long ts, long seq, double cm) {
        LinkedHashMap<String, Double> values = new LinkedHashMap<>();
        values.put("water_level_cm", cm);
        return new Reading(Reading.SCHEMA, sensor, SensorType.WATER_LEVEL, Reading.TELEMETRY, ts, Instant.ofEpochMilli(ts).toString(),
                ts + 400, seq, values, null, 121.5301, 38.8756, GRID, "210211", null, 60);
    }

    /** Dry, then 20 cm for 12 min (over 15 cm, never 25 cm), then receding: a flood the defaults raise and clear. */
    static void recordFlood(String sensor) throws Exception {
        double[] cm = new double[40];
        for (int i = 0; i < cm.length; i++) {
            cm[i] = i < 3 ? 0 : i < 15 ? 20 : 2;
        }
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(p, new StringSerializer(), new StringSerializer())) {
            // out of order on purpose: the backtest replays in event time
            for (int i = cm.length - 1; i >= 0; i--) {
                Reading r = water(sensor, T0 + i * MIN, i, cm[i]);
                producer.send(new ProducerRecord<>(Topics.READINGS.name(), sensor, Json.mapper().writeValueAsString(r))).get();
            }
        }
    }

    @Test
    void backtestShowsTheCaseTheLiveRulesRaiseAndTheCandidateWouldNot() throws Exception {
        recordFlood("wl-rc-1");
        Path candidate = file("candidate.json", "[" + waterRule(25) + "]");

        CliRun table = run("rules", "backtest", candidate.toString(), "--from", "2026-03-02T08:00+08:00", "--to", "2026-03-02T09:00+08:00");
        assertThat(table.status()).as(table.err()).isZero();
        assertThat(table.out()).contains("replayed 40 readings of 1 sensor with ts in [03-02 08:00, 03-02 09:00)")
                .contains("wl-rc-1 water_level.default").contains("0406 道路积水").contains("甘井子区 凌水街道")
                .contains("蓝色 03-02 08:08→08:25")
                .contains("only live: the candidate raises no case")
                .contains("live: 1 case, 2 alerts; candidate: 0 cases, 0 alerts — 1 only live, 0 only candidate, 0 changed, 0 same");

        CliRun json = run("rules", "backtest", candidate.toString(), "--from", "2026-03-02T00:00:00Z", "--to", "2026-03-02T01:00:00Z", "--json");
        assertThat(json.status()).as(json.err()).isZero();
        JsonNode cmp = Json.mapper().readTree(json.out());
        assertThat(cmp.get("from").asLong()).isEqualTo(T0);
        assertThat(cmp.get("candidate_rules").get(0).asText()).isEqualTo("water_level.default");
        assertThat(cmp.get("live").get("cases")).hasSize(1);
        JsonNode liveCase = cmp.get("live").get("cases").get(0);
        assertThat(liveCase.get("problem_key").asText()).isEqualTo("sensor:wl-rc-1:water_level.default");
        assertThat(liveCase.get("severity").asText()).isEqualTo("blue");
        assertThat(liveCase.get("grid").get("street").asText()).isEqualTo("凌水街道");
        assertThat(liveCase.get("ended_at").asLong()).isEqualTo(T0 + 25 * MIN);
        assertThat(cmp.get("candidate").get("cases")).isEmpty();
        assertThat(cmp.get("problems")).hasSize(1);
        assertThat(cmp.get("problems").get(0).get("change").asText()).isEqualTo("only_live");

        // the candidate is laid over the rules in force: once it is pushed, live and candidate agree
        assertThat(run("rules", "push", candidate.toString()).status()).isZero();
        CliRun same = run("rules", "backtest", candidate.toString(), "--from", "2026-03-02", "--to", "2026-03-03");
        assertThat(same.status()).as(same.err()).isZero();
        assertThat(same.out()).contains("neither the live nor the candidate rules raise a case");
    }

    // ---- camera dwell rules beside the sensor rules ---------------------------------------------------

    static String dwellRule(String id, String camera, int stayS) {
        return "{\"schema\":1,\"rule_id\":\"" + id + "\",\"family\":\"dwell.stall\",\"kind\":\"dwell\",\"scope\":{\"camera\":\""
                + camera + "\"},\"object\":\"stall\",\"category\":{\"kind\":\"event\",\"code\":\"0501\"},\"stay_s\":" + stayS
                + ",\"max_gap_s\":60,\"clear_s\":60,\"min_score\":0.6}";
    }

    @Test
    void dwellRulesArePushedListedAndDeletedBesideTheSensorRules() throws Exception {
        Path file = file("dwell.json", "[" + dwellRule("stall.cam-rc", "cam-rc", 120) + "]");
        CliRun push = run("rules", "push", file.toString());
        assertThat(push.status()).as(push.err()).isZero();
        assertThat(push.out()).contains("stall.cam-rc").contains("added").contains("pushed 1 record to gw.rules.v1");
        assertThat(io.gridwatch.video.DwellRules.parse(lastValues().get("stall.cam-rc")).stayS()).isEqualTo(120);

        JsonNode listed = listed("stall.cam-rc");
        assertThat(listed.get("origin").asText()).isEqualTo("added");
        assertThat(listed("stall.no_vending").get("origin").asText()).isEqualTo("default");
        CliRun table = run("rules", "list");
        // the sensor rules do not count it, nor call it ignored; the dwell table shows it
        assertThat(table.out()).contains("10 rules in force: 10 default").containsPattern(
                "stall\\.cam-rc\\s+stall\\s+added\\s+camera cam-rc\\s+0501\\s+appears and stays 120 s")
                .contains("7 camera dwell rules in force");
        assertThat(table.err()).doesNotContain("ignored");

        CliRun diff = run("rules", "diff", file("dwell-300.json", dwellRule("stall.cam-rc", "cam-rc", 300)).toString());
        assertThat(diff.status()).as(diff.err()).isZero();
        assertThat(diff.out()).contains("stall.cam-rc").contains("stay_s: 120 → 300");

        CliRun bad = run("rules", "push", file("dwell-bad.json", dwellRule("stall.x", "cam-rc", 60).replace("\"stay_s\"", "\"stay_min\"")).toString());
        assertThat(bad.status()).isNotZero();
        assertThat(bad.err()).contains("stay_min");

        CliRun delete = run("rules", "push", "--delete", "stall.cam-rc");
        assertThat(delete.status()).as(delete.err()).isZero();
        assertThat(lastValues()).containsEntry("stall.cam-rc", null);
        assertThat(jsonLines(run("rules", "list", "--json").out())).noneMatch(n -> n.get("rule_id").asText().equals("stall.cam-rc"));
    }

    @Test
    void aDwellBacktestReplaysTheRecordedObservationsThroughTheCandidate() throws Exception {
        long t0 = Instant.parse("2026-03-03T00:00:00Z").toEpochMilli();
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(p, new StringSerializer(), new StringSerializer())) {
            for (int k = 0; k < 80; k++) { // a stall seen from minute 2 to minute 9, a frame every 10 s
                boolean stall = k >= 12 && k < 54;
                io.gridwatch.video.Observation o = new io.gridwatch.video.Observation(1, "cam-bt", "plaza", "no_vending",
                        io.gridwatch.video.WatchedObject.STALL, t0 + k * 10_000L, stall ? 0.95 : 0.1,
                        stall ? new double[] {0.3, 0.5, 0.5, 0.8} : null, stall ? 121.5301 : null, stall ? 38.8756 : null,
                        stall ? GRID : null, stall ? "210211" : null);
                producer.send(new ProducerRecord<>(Topics.OBSERVATIONS.name(), "cam-bt", Json.mapper().writeValueAsString(o))).get();
            }
        }
        Path candidate = file("dwell-5min.json", "[" + dwellRule("stall.cam-bt", "cam-bt", 300) + "]");
        CliRun table = run("rules", "backtest", candidate.toString(), "--from", "2026-03-03T08:00+08:00", "--to", "2026-03-03T09:00+08:00");
        assertThat(table.status()).as(table.err()).isZero();
        // the default waits 10 minutes, the stall stayed 7: only the candidate's 5 minutes raise, and the case ends
        assertThat(table.out()).contains("replayed 80 observations of 1 camera").contains("0501")
                .contains("only candidate: new case").contains("live: 0 cases");
    }

    @Test
    void backtestSaysWhatIsWrongWithItsArguments() throws Exception {
        Path candidate = file("candidate.json", "[" + waterRule(25) + "]");
        CliRun badTime = run("rules", "backtest", candidate.toString(), "--from", "yesterday", "--to", "2026-03-02");
        assertThat(badTime.status()).isEqualTo(1);
        assertThat(badTime.err()).contains("--from must be an ISO-8601 time").contains("'yesterday'");
        CliRun farTime = run("rules", "backtest", candidate.toString(), "--from", "2026-03-02", "--to", "-999999999-01-01");
        assertThat(farTime.status()).isEqualTo(1);
        assertThat(farTime.err()).contains("--to must lie between 1970-01-01 and 9999-12-31");

        CliRun backwards = run("rules", "backtest", candidate.toString(), "--from", "2026-03-02T09:00+08:00", "--to", "2026-03-02T08:00+08:00");
        assertThat(backwards.status()).isEqualTo(1);
        assertThat(backwards.err()).contains("the range is empty");

        CliRun nothing = run("rules", "backtest", candidate.toString(), "--from", "2001-01-01", "--to", "2001-01-02");
        assertThat(nothing.status()).isEqualTo(Gridwatch.NOT_FOUND);
        assertThat(nothing.err()).contains("no readings on gw.readings.v1 with ts in [01-01 00:00, 01-02 00:00)");

        CliRun missing = run("rules", "backtest", home.resolve("none.json").toString(), "--from", "2026-03-02", "--to", "2026-03-03");
        assertThat(missing.status()).isEqualTo(1);
        assertThat(missing.err()).contains("none.json does not exist");

        CliRun noRange = run("rules", "backtest", candidate.toString());
        assertThat(noRange.status()).isEqualTo(2);
        assertThat(noRange.err()).contains("--from");
    }
}
