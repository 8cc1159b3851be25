package io.gridwatch.jobs;

import io.gridwatch.rules.RuleEvaluator;
import io.gridwatch.rules.RuleSet;
import io.gridwatch.rules.SensorRuleState;
import io.gridwatch.sensor.Reading;
import io.gridwatch.sensor.SensorType;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSchemaCompatibility;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The Flink serializers of the sensor pipeline: what goes in comes out, and a snapshot restores the same serializer. */
class ReadingsSerializerTest {

    static LinkedHashMap<String, Double> values(Object... kv) {
        LinkedHashMap<String, Double> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], (Double) kv[i + 1]);
        }
        return m;
    }

    static final List<Reading> READINGS = List.of(
            new Reading(1, "wl-0031", SensorType.WATER_LEVEL, Reading.TELEMETRY, 1785196800000L, "2026-07-28T00:00:00Z",
                    1785196800412L, 1042L, values("water_level_cm", 17.5, "battery_pct", 81.0), null, 121.5301, 38.8756,
                    "210211016003007", "210211", null, 60),
            new Reading(1, "mh.7", SensorType.MANHOLE, Reading.TELEMETRY, 0, null, 5, null,
                    values("tilt_deg", -0.0, "cover_open", 1.0, "nothing", null), null, -0.5, 90, null, null, "0101", 15),
            new Reading(1, "rw_1", SensorType.ROAD_WEATHER, Reading.STATUS, -1, "x", Long.MIN_VALUE, Long.MAX_VALUE, values(), false,
                    121.0, 38.0, "210202001001001", "210202", null, 600),
            new Reading(1, "bin-9", SensorType.BIN_FILL, Reading.TELEMETRY, 1, "满溢", 2, -3L, values("fill \"pct\"", 120.0), true,
                    121.7, 38.9, null, null, null, 1));

    static <T> T roundTrip(TypeSerializer<T> s, T value) throws IOException {
        DataOutputSerializer out = new DataOutputSerializer(64);
        s.serialize(value, out);
        DataInputDeserializer in = new DataInputDeserializer(out.getCopyOfBuffer());
        T back = s.deserialize(in);
        assertThat(in.available()).as("bytes left after reading").isZero();
        return back;
    }

    @Test
    void readingsComeBackEqual() throws IOException {
        TypeSerializer<Reading> s = Readings.TYPE.createSerializer(new SerializerConfigImpl());
        for (Reading r : READINGS) {
            assertThat(roundTrip(s, r)).isEqualTo(r);
            // copying between two views (what Flink does when it re-partitions serialized records)
            DataOutputSerializer a = new DataOutputSerializer(64);
            s.serialize(r, a);
            DataOutputSerializer b = new DataOutputSerializer(64);
            s.copy(new DataInputDeserializer(a.getCopyOfBuffer()), b);
            assertThat(b.getCopyOfBuffer()).isEqualTo(a.getCopyOfBuffer());
        }
    }

    @Test
    void sensorStateComesBackEqualAndCopiesShareNothing() throws IOException {
        RuleEvaluator evaluator = new RuleEvaluator();
        SensorRuleState rules = new SensorRuleState();
        evaluator.onReading(rules, READINGS.get(0), RuleSet.defaults());
        SensorKeyState state = new SensorKeyState(rules);
        state.timer = 1785197000000L;

        SensorKeyState back = roundTrip(SensorKeyState.Serializer.INSTANCE, state);
        assertThat(back.timer).isEqualTo(state.timer);
        assertThat(back.rules.toBytes()).isEqualTo(rules.toBytes());

        SensorKeyState copy = SensorKeyState.Serializer.INSTANCE.copy(state);
        assertThat(copy.rules).isNotSameAs(rules);
        assertThat(copy.rules.toBytes()).isEqualTo(rules.toBytes());
        // a later reading changes the original only (a copy-on-write snapshot must keep what it copied)
        Reading later = new Reading(1, "wl-0031", SensorType.WATER_LEVEL, Reading.TELEMETRY, 1785196860000L, "t", 1L, 1043L,
                values("water_level_cm", 40.0), null, 121.5301, 38.8756, "210211016003007", "210211", null, 60);
        evaluator.onReading(state.rules, later, RuleSet.defaults());
        assertThat(copy.rules.toBytes()).isNotEqualTo(state.rules.toBytes()).isEqualTo(back.rules.toBytes());
    }

    @Test
    void snapshotsRestoreACompatibleSerializer() throws IOException {
        checkSnapshot(Readings.ReadingSerializer.INSTANCE);
        checkSnapshot(SensorKeyState.Serializer.INSTANCE);
    }

    private static <T> void checkSnapshot(TypeSerializer<T> s) throws IOException {
        TypeSerializerSnapshot<T> snap = s.snapshotConfiguration();
        DataOutputSerializer out = new DataOutputSerializer(64);
        TypeSerializerSnapshot.writeVersionedSnapshot(out, snap);
        TypeSerializerSnapshot<T> read = TypeSerializerSnapshot.readVersionedSnapshot(
                new DataInputDeserializer(out.getCopyOfBuffer()), ReadingsSerializerTest.class.getClassLoader());
        assertThat(read.restoreSerializer()).isEqualTo(s);
        TypeSerializerSchemaCompatibility<T> compat = s.snapshotConfiguration().resolveSchemaCompatibility(read);
        assertThat(compat.isCompatibleAsIs()).isTrue();
    }
}
