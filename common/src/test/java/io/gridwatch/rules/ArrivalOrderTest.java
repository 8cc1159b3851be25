package io.gridwatch.rules;

import io.gridwatch.admin.AdministrativeDivisions;
import io.gridwatch.cases.Alert;
import io.gridwatch.cases.CaseFile;
import io.gridwatch.cases.CaseMessage;
import io.gridwatch.cases.CaseState;
import io.gridwatch.cases.CaseStatus;
import io.gridwatch.cases.CaseTracker;
import io.gridwatch.cases.GridNames;
import io.gridwatch.cases.Responsibility;
import io.gridwatch.catalogue.Catalogue;
import io.gridwatch.config.GridwatchConfig;
import io.gridwatch.detection.Detection;
import io.gridwatch.sensor.Reading;
import io.gridwatch.sensor.SensorType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Readings judged in event-time order whatever order they arrive in (CONTRACTS.md §1: up to an hour late): the rules
 * and the case tracker together, fed a sensor's readings sorted and in shuffled arrival orders, end with the same
 * cases and alert states. A case raised on a wrong premise may be retracted on the way (ended as rejected); the
 * cases that stand must be the same.
 */
class ArrivalOrderTest {

    /** 2026-07-28T00:00:00Z = 08:00 in Asia/Shanghai. */
    static final long T0 = 1_785_196_800_000L;
    static final long MIN = 60_000L;
    static final int INTERVAL_S = 30;
    static final String GRID = "210211016003007";

    static CaseTracker tracker;

    @BeforeAll
    static void load() {
        tracker = new CaseTracker(Catalogue.load(GridwatchConfig.Edition.CLASSIC), GridNames.of(AdministrativeDivisions.dalian()),
                Responsibility.load(), CaseTracker.Settings.DEFAULTS);
    }

    /** The rules and the case tracker of one sensor, as the two operators run them, and what they sent. */
    static final class Pipeline {
        final SensorRuleState state = new SensorRuleState();
        final RuleEvaluator evaluator = new RuleEvaluator();
        final RuleSet rules = RuleSet.defaults();
        final Map<String, CaseState> problems = new HashMap<>();
        final Map<String, Integer> counters = new HashMap<>();
        final Map<String, CaseFile> cases = new LinkedHashMap<>();
        final Map<String, List<String>> alerts = new LinkedHashMap<>();
        final List<Detection> detections = new ArrayList<>();
        int maxStateBytes;

        Pipeline feed(List<Reading> readings) {
            for (int k = 0; k < readings.size(); k++) {
                Reading r = readings.get(k);
                for (Detection d : evaluator.onReading(state, r, rules)) {
                    detections.add(d);
                    CaseTracker.Outcome o = tracker.onDetection(problems.get(d.problemKey()), d,
                            (district, day, opening) -> counters.merge(district + "/" + day, 1, Integer::sum));
                    if (o.state() == null) {
                        problems.remove(d.problemKey());
                    } else {
                        problems.put(d.problemKey(), o.state());
                    }
                    for (CaseMessage m : o.messages()) {
                        cases.put(m.caseFile().caseId(), m.caseFile());
                    }
                    for (Alert a : o.alerts()) {
                        alerts.computeIfAbsent(a.caseId(), id -> new ArrayList<>()).add(a.state());
                    }
                }
                if (k % 5 == 0 || k == readings.size() - 1) {
                    maxStateBytes = Math.max(maxStateBytes, state.toBytes().length);
                }
            }
            return this;
        }

        /** The cases that stand (not rejected): category, severity, first and last seen, status, last alert state. */
        List<String> standing() {
            List<String> out = new ArrayList<>();
            for (CaseFile f : cases.values()) {
                if (CaseStatus.REJECTED.equals(f.status())) {
                    continue;
                }
                List<String> a = alerts.getOrDefault(f.caseId(), List.of());
                out.add(f.category().code() + " " + f.severity() + " " + (f.firstSeen() - T0) / 1000 + "s–" + (f.lastSeen() - T0) / 1000
                        + "s " + f.status() + " alert:" + (a.isEmpty() ? "-" : a.get(a.size() - 1)));
            }
            Collections.sort(out);
            return out;
        }
    }

    static List<String> summary(List<Detection> ds) {
        return ds.stream().map(d -> d.state() + "@" + (d.ts() - T0) / 1000 + "s(" + (d.startedAt() - T0) / 1000 + "s"
                + (d.severity() == null ? "" : " " + d.severity()) + (d.endedAt() == null ? "" : " to " + (d.endedAt() - T0) / 1000) + ")").toList();
    }

    static Reading reading(long ts, long seq, double cm) {
        LinkedHashMap<String, Double> values = new LinkedHashMap<>();
        values.put("water_level_cm", cm);
        return new Reading(Reading.SCHEMA, "wl-order", SensorType.WATER_LEVEL, Reading.TELEMETRY, ts, null, ts, seq, values, null,
                121.5301, 38.8756, GRID, "210211", null, INTERVAL_S);
    }

    /** A water-level sensor's 2.5 hours: dry, perhaps a wobble near the threshold, one flood rising and receding, dropouts. */
    static List<Reading> history(Random random) {
        int n = 300;
        double[] depth = new double[n];
        int start = 40 + random.nextInt(80);
        int rise = 2 + random.nextInt(20);
        int stay = random.nextInt(50);
        int fall = 2 + random.nextInt(20);
        double peak = 8 + random.nextDouble() * 90;
        for (int i = 0; i < n; i++) {
            double v;
            if (i < start) {
                v = random.nextDouble() * 3;
            } else if (i < start + rise) {
                v = peak * (i - start + 1) / rise;
            } else if (i < start + rise + stay) {
                v = peak;
            } else if (i < start + rise + stay + fall) {
                v = peak * (1 - (double) (i - start - rise - stay + 1) / fall);
            } else {
                v = random.nextDouble() * 3;
            }
            depth[i] = Math.max(0, Math.min(300, v + (random.nextDouble() - 0.5) * 4));
        }
        if (random.nextInt(3) == 0) { // a wobble around 15 cm before the flood: holds that start and break
            int w = 5 + random.nextInt(Math.max(1, start - 20));
            for (int i = w; i < Math.min(start, w + 20); i++) {
                depth[i] = 13 + random.nextDouble() * 5;
            }
        }
        List<Reading> readings = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            if (random.nextDouble() < 0.03) {
                continue; // lost on the way: never arrives
            }
            readings.add(reading(T0 + i * INTERVAL_S * 1000L, i + 1, Math.round(depth[i] * 10) / 10.0));
        }
        return readings;
    }

    /** An arrival order within the lateness bound: outages flushed in shuffled batches, or readings delayed at random. */
    static List<Reading> arrival(List<Reading> sorted, Random random) {
        TreeMap<Long, List<Reading>> byArrival = new TreeMap<>();
        if (random.nextBoolean()) {
            // 1–3 outages of 2–25 minutes; what was measured during one arrives at its end in 5-minute batches, shuffled
            long[] outageStart = new long[1 + random.nextInt(3)];
            long[] outageEnd = new long[outageStart.length];
            for (int k = 0; k < outageStart.length; k++) {
                outageStart[k] = T0 + random.nextInt(140) * MIN;
                outageEnd[k] = outageStart[k] + (2 + random.nextInt(24)) * MIN;
            }
            for (Reading r : sorted) {
                long at = r.ts();
                for (int k = 0; k < outageStart.length; k++) {
                    if (r.ts() >= outageStart[k] && r.ts() < outageEnd[k]) {
                        long batch = (r.ts() - outageStart[k]) / (5 * MIN);
                        at = Math.max(at, outageEnd[k] + batch * 1000 + random.nextInt(900)); // shuffled inside its batch
                    }
                }
                byArrival.computeIfAbsent(at, t -> new ArrayList<>()).add(r);
            }
        } else {
            for (Reading r : sorted) {
                long delay = random.nextDouble() < 0.25 ? (long) (random.nextDouble() * (RuleEvaluator.DEFAULT_LATENESS.toMillis() - MIN)) : 0;
                byArrival.computeIfAbsent(r.ts() + delay, t -> new ArrayList<>()).add(r);
            }
        }
        List<Reading> out = new ArrayList<>();
        byArrival.values().forEach(out::addAll);
        return out;
    }

    @Test
    void everyArrivalOrderWithinTheLatenessBoundEndsWithTheCasesOfSortedArrival() {
        int withCases = 0;
        int corrected = 0;
        int maxBytes = 0;
        for (int seed = 1; seed <= 400; seed++) {
            Random random = new Random(seed);
            List<Reading> sorted = history(random);
            Pipeline inOrder = new Pipeline().feed(sorted);
            if (!inOrder.cases.isEmpty()) {
                withCases++;
            }
            for (int order = 0; order < 3; order++) {
                List<Reading> arriving = arrival(sorted, random);
                Pipeline shuffled = new Pipeline().feed(arriving);
                assertThat(shuffled.standing()).as("seed %d, order %d: the cases that stand; sent %s; sorted sent %s", seed, order,
                                summary(shuffled.detections), summary(inOrder.detections))
                        .isEqualTo(inOrder.standing());
                for (Map.Entry<String, List<String>> a : shuffled.alerts.entrySet()) {
                    assertThat(a.getValue().stream().filter(Alert.RAISED::equals).count())
                            .as("seed %d, order %d: one raised alert per case %s", seed, order, a.getKey()).isEqualTo(1);
                }
                if (shuffled.detections.stream().anyMatch(d -> d.state() == Detection.State.REVISED || d.state() == Detection.State.RETRACTED)) {
                    corrected++;
                }
                maxBytes = Math.max(maxBytes, shuffled.maxStateBytes);
            }
        }
        System.out.printf("arrival orders: 1,200 over 400 histories (%d with a case); %d needed corrections; state at most %d bytes%n",
                withCases, corrected, maxBytes);
        assertThat(withCases).as("the histories exercise cases").isGreaterThan(200);
        assertThat(corrected).as("the orders exercise corrections").isGreaterThan(20);
        assertThat(maxBytes).as("state per sensor").isLessThanOrEqualTo(4096);
    }

    @Test
    void aFloodWhoseReadingsArriveShuffledInFiveMinuteBatchesRaisesOneCase() {
        // finding 5 of issue 11: 19 cm for 18 minutes, every 30 s, flushed after an outage in shuffled 5-minute batches
        List<Reading> sorted = new ArrayList<>();
        for (int i = 0; i < 120; i++) {
            double cm = i >= 20 && i < 56 ? 19 : 1;
            sorted.add(reading(T0 + i * INTERVAL_S * 1000L, i + 1, cm));
        }
        Random random = new Random(11);
        List<Reading> arriving = new ArrayList<>();
        for (int b = 0; b < sorted.size(); b += 10) {
            List<Reading> batch = new ArrayList<>(sorted.subList(b, Math.min(sorted.size(), b + 10)));
            Collections.shuffle(batch, random);
            arriving.addAll(batch);
        }
        Pipeline p = new Pipeline().feed(arriving);
        assertThat(p.standing()).containsExactly(
                "0406 blue 600s–1680s verified alert:cleared"); // from the first 19 cm to the first reading below 5 cm
        assertThat(p.standing()).isEqualTo(new Pipeline().feed(sorted).standing());
    }

    @Test
    void aLateLowReadingRetractsACaseRaisedOnABrokenHold() {
        Pipeline p = new Pipeline();
        List<Reading> first = new ArrayList<>();
        for (int i = 0; i <= 10; i++) { // 16 cm every 30 s for 5 minutes: raised at 300 s
            if (i != 5) {
                first.add(reading(T0 + i * 30_000L, i + 1, 16));
            }
        }
        p.feed(first);
        assertThat(p.cases.values()).singleElement().satisfies(f -> assertThat(f.status()).isEqualTo(CaseStatus.FILED));
        p.feed(List.of(reading(T0 + 5 * 30_000L, 6, 2))); // the missing reading arrives: the water had dropped to 2 cm
        assertThat(p.cases.values()).singleElement().satisfies(f -> assertThat(f.status()).isEqualTo(CaseStatus.REJECTED));
        assertThat(p.alerts.values()).singleElement().isEqualTo(List.of(Alert.RAISED, Alert.CLEARED));
        assertThat(p.detections).extracting(Detection::state).containsExactly(Detection.State.RAISED, Detection.State.RETRACTED);
        assertThat(p.standing()).isEmpty();
    }

    @Test
    void aLateHighReadingReopensACaseThatHadNotCleared() {
        Pipeline p = new Pipeline();
        List<Reading> readings = new ArrayList<>();
        for (int i = 0; i <= 60; i++) { // 20 cm for 10 minutes, then 2 cm for 20 minutes, one reading at 20 min missing
            if (i != 40) {
                readings.add(reading(T0 + i * 30_000L, i + 1, i < 20 ? 20 : 2));
            }
        }
        p.feed(readings);
        assertThat(p.cases.values()).singleElement().satisfies(f -> assertThat(f.status()).isEqualTo(CaseStatus.VERIFIED));
        p.feed(List.of(reading(T0 + 40 * 30_000L, 41, 25))); // the missing one: the water was back at 25 cm
        assertThat(p.detections).extracting(Detection::state).containsExactly(Detection.State.RAISED, Detection.State.CLEARED, Detection.State.REVISED);
        CaseFile f = p.cases.values().iterator().next();
        assertThat(f.status()).as("reopened").isEqualTo(CaseStatus.FILED);
        assertThat(p.alerts.values()).singleElement().isEqualTo(List.of(Alert.RAISED, Alert.CLEARED, Alert.ESCALATED));
    }
}
