package io.gridwatch.sensor;

import io.gridwatch.json.Json;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The streaming codec and the project's mapper agree on every reading, both ways. */
class ReadingJsonTest {

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
            new Reading(1, "mh.7", SensorType.MANHOLE, Reading.TELEMETRY, 0, "1970-01-01T00:00:00Z", 5, null,
                    values("tilt_deg", 1e-7, "cover_open", 1.0, "nothing", null), null, -0.5, 90, null, null, "0101", 15),
            new Reading(1, "rw_1", SensorType.ROAD_WEATHER, Reading.STATUS, 1785196800001L, "2026-07-28T00:00:00.001Z",
                    1785196800002L, Long.MAX_VALUE, values(), false, 121.0, 38.0, "210202001001001", "210202", null, 600),
            // a name a device could send (metric names are the device's), with characters JSON must escape
            new Reading(1, "bin-9", SensorType.BIN_FILL, Reading.TELEMETRY, 1, "x", 2, -3L,
                    values("fill \"pct\"\n满溢", 120.0), true, 121.7, 38.9, null, null, null, 1));

    @Test
    void writesWhatTheMapperWritesAndReadsItBack() throws IOException {
        for (Reading r : READINGS) {
            byte[] fast = ReadingJson.write(r);
            assertThat(new String(fast, StandardCharsets.UTF_8)).isEqualTo(Json.mapper().writeValueAsString(r));
            assertThat(ReadingJson.read(fast)).isEqualTo(r);
            assertThat(Json.mapper().readValue(fast, Reading.class)).isEqualTo(r);
        }
    }

    @Test
    void readsFieldsInAnyOrderAndMissingOptionalOnesAsTheMapperDoes() throws IOException {
        String json = """
                {"values": {"rain_mm": 2}, "kind": "telemetry", "interval_s": 30, "lat": 38.9, "lon": 121.5, "received_at": 9,
                 "type": "rain_gauge", "sensor_id": "rg-1", "ts": 7, "schema": 1}""";
        assertThat(ReadingJson.read(json.getBytes(StandardCharsets.UTF_8))).isEqualTo(Json.mapper().readValue(json, Reading.class));
    }

    @Test
    void refusesWhatTheMapperRefuses() {
        for (String bad : List.of(
                "[]",
                "{\"sensor_id\": \"a\", \"type\": \"rain_gauge\", \"kind\": \"telemetry\", \"surprise\": 1}",
                "{\"sensor_id\": \"a\", \"type\": \"lava\", \"kind\": \"telemetry\"}",
                "{\"sensor_id\": \"a\", \"type\": \"rain_gauge\", \"kind\": \"telemetry\", \"ts\": null}",
                "{\"sensor_id\": \"a\", \"type\": \"rain_gauge\", \"kind\": \"sideways\"}",
                "{\"type\": \"rain_gauge\", \"kind\": \"telemetry\"}",
                "{\"schema\": 1, \"sensor_id\": \"a\", \"type\": \"rain_gauge\", \"kind\": \"telemetry\", \"ts\": 7, \"received_at\": 9, \"lon\": 1, \"lat\": 2}",
                "{\"sensor_id\": \"a\", \"type\": \"rain_gauge\", \"kind\": \"telemetry\", \"values\": {\"rain_mm\": \"2\"}}",
                "{\"sensor_id\": \"a\", \"type\": \"rain_gauge\", \"kind\": \"telemetry\"")) {
            byte[] bytes = bad.getBytes(StandardCharsets.UTF_8);
            assertThatThrownBy(() -> Json.mapper().readValue(bytes, Reading.class)).as("mapper: %s", bad).isInstanceOf(IOException.class);
            assertThatThrownBy(() -> ReadingJson.read(bytes)).as("codec: %s", bad).isInstanceOf(IOException.class);
        }
    }
}
