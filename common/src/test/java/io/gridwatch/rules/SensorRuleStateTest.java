package io.gridwatch.rules;

import io.gridwatch.sensor.SensorType;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.util.Arrays;
import java.util.Random;

import static io.gridwatch.rules.TestSensor.MIN;
import static io.gridwatch.rules.TestSensor.T0;
import static org.assertj.core.api.Assertions.assertThat;

class SensorRuleStateTest {

    /** CONTRACTS / issue 3 target: state ≤ 1 KB per sensor. */
    /** Issue 11: at most 4 KB per sensor, with an hour of readings in the replay log. */
    static final int MAX_BYTES = 4096;

    /** A day of realistic readings (one a minute, with noise, a wet spell, duplicates and late ones). */
    private static TestSensor day(TestSensor s) {
        return day(s, new int[1]);
    }

    /** ... and the largest encoded state seen after any reading, in {@code maxBytes[0]}. */
    private static TestSensor day(TestSensor s, int[] maxBytes) {
        Random random = new Random(42);
        String[] metrics = TestSensor.metricsOf(s.type);
        long seq = 1_000_000_000L;
        int step = Math.min(60, s.intervalS); // one reading per interval, at most a minute apart
        for (int k = 0; k < 24 * 3600 / step; k++) {
            int m = k * step / 60;
            double wet = m > 300 && m < 500 ? 1 : 0;
            double[] v = new double[metrics.length];
            for (int i = 0; i < v.length; i++) {
                v[i] = switch (metrics[i]) {
                    case "water_level_cm" -> wet * (20 + 40 * random.nextDouble());
                    case "rain_mm" -> wet * random.nextDouble();
                    case "road_temp_c" -> -3 + 6 * random.nextDouble();
                    case "cover_open" -> 0;
                    default -> wet * 95 + 5 * random.nextDouble();
                };
            }
            long ts = T0 + k * step * 1000L + random.nextInt(step * 80);
            s.send(s.reading(ts, ++seq, v));
            maxBytes[0] = Math.max(maxBytes[0], s.state.toBytes().length);
            if (k % 97 == 0) {
                s.send(s.reading(ts, seq, v)); // a duplicate delivery
            }
            if (k % 53 == 0 && m > 10) {
                s.send(s.reading(ts - 7 * MIN, seq - 7, v)); // a late one
            }
        }
        return s;
    }

    @Test
    void theStateOfASensorWithTheDefaultRulesFitsInFourKilobytes() throws Exception {
        for (SensorType type : SensorType.values()) {
            int[] max = new int[1];
            // a reading every 20 s fills the log to its capacity, faster ones hold less than an hour (RuleEvaluator)
            TestSensor s = day(new TestSensor("sensor-" + type.id() + "-000123", type, "210211", "210211016003007",
                    type == SensorType.MANHOLE ? "0103" : null, 20, RuleSet.defaults()), max);
            byte[] bytes = s.state.toBytes();
            System.out.printf("sensor rule state, %s: %d bytes at most during a day, %d at its end (toBytes); "
                    + "%d bytes (Java serialization)%n", type.id(), max[0], bytes.length, javaSerialized(s.state).length);
            assertThat(max[0]).as(type.id()).isLessThanOrEqualTo(MAX_BYTES);
            if (type == SensorType.WATER_LEVEL) {
                assertThat(s.detections).as("the wet spell raised a case").isNotEmpty();
            }
        }
    }

    @Test
    void bytesRoundTripToAnEquivalentState() throws Exception {
        for (SensorType type : SensorType.values()) {
            TestSensor a = day(new TestSensor("s-" + type.id(), type, "210211", "g", "0103", 60, RuleSet.defaults()));
            SensorRuleState copy = SensorRuleState.fromBytes(a.state.toBytes());
            assertThat(copy.toBytes()).isEqualTo(a.state.toBytes());
            if (type != SensorType.RAIN_GAUGE) { // no threshold rule: no log
                assertThat(copy.logSize()).as("the replay log travels").isGreaterThan(0);
            }
            // the log's arrays keep spare capacity in memory; only what they hold is encoded
            assertThat(copy).usingRecursiveComparison().ignoringFields("logTs", "logValues").isEqualTo(a.state);
            assertThat(Arrays.copyOf(copy.logTs, copy.logSize)).isEqualTo(Arrays.copyOf(a.state.logTs, a.state.logSize));
            assertThat(Arrays.copyOf(copy.logValues, copy.logSize * copy.logWidth))
                    .isEqualTo(Arrays.copyOf(a.state.logValues, a.state.logSize * a.state.logWidth));
            SensorRuleState copied = a.state.copy();
            assertThat(copied.toBytes()).as("copy").isEqualTo(a.state.toBytes());
            byte[] before = a.state.toBytes();
            copied.logInsert(copied.lastTs() + 1, new double[copied.logWidth]);
            copied.slots[0].startedAt = 42;
            assertThat(a.state.toBytes()).as("the copy shares nothing").isEqualTo(before);
            SensorRuleState viaJava = (SensorRuleState) new ObjectInputStream(
                    new ByteArrayInputStream(javaSerialized(a.state))).readObject();
            assertThat(viaJava).usingRecursiveComparison().isEqualTo(a.state);
        }
    }

    @Test
    void aRestoredStateContinuesWhereTheOriginalWas() {
        TestSensor wl = TestSensor.water("wl-restore");
        wl.series(0, 20, 20, 20, 20);
        TestSensor restored = TestSensor.water("wl-restore");
        SensorRuleState copy = SensorRuleState.fromBytes(wl.state.toBytes());
        wl.series(4, 20, 35);
        var d = restored.evaluator.onReading(copy, restored.reading(T0 + 4 * MIN, 5L, 20), restored.rules);
        d.addAll(restored.evaluator.onReading(copy, restored.reading(T0 + 5 * MIN, 6L, 35), restored.rules));
        assertThat(d).isEqualTo(wl.detections);
        assertThat(d).singleElement().satisfies(x -> assertThat(x.severity()).isEqualTo(io.gridwatch.cases.Severity.YELLOW));
    }

    private static byte[] javaSerialized(Object o) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(o);
        }
        return bytes.toByteArray();
    }
}
