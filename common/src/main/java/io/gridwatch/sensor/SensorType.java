package io.gridwatch.sensor;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * The sensor types of CONTRACTS.md §1, each with the metrics it reports and their physical
 * ranges. A value outside its range is invalid input (dead-lettered), not a measurement.
 */
public enum SensorType {

    /** 积水监测 — water depth on the road; 0 = dry. */
    WATER_LEVEL("water_level", Map.of("water_level_cm", new Range(0, 300))),
    /** 井盖监测 — manhole cover tilt and open switch. */
    MANHOLE("manhole", Map.of("tilt_deg", new Range(0, 90), "cover_open", new Range(0, 1))),
    /** 垃圾箱满溢 — bin fill level. */
    BIN_FILL("bin_fill", Map.of("fill_pct", new Range(0, 120))),
    /** 路面气象 — snow depth and road surface temperature. */
    ROAD_WEATHER("road_weather", Map.of("snow_depth_cm", new Range(0, 200), "road_temp_c", new Range(-50, 80))),
    /** 雨量计 — rain since the previous reading. */
    RAIN_GAUGE("rain_gauge", Map.of("rain_mm", new Range(0, 200)));

    /** Every type reports this often unless its registry entry says otherwise (CONTRACTS.md §1). */
    public static final int DEFAULT_INTERVAL_S = 60;

    private static final SensorType[] VALUES = values();

    private final String id;
    private final Map<String, Range> metrics;

    SensorType(String id, Map<String, Range> metrics) {
        this.id = id;
        this.metrics = metrics;
    }

    /** The type as written in JSON, CSV and the database: {@code water_level}, … */
    @JsonValue
    public String id() {
        return id;
    }

    /** The metrics this type reports, with their valid ranges. Other metrics are kept but not used. */
    public Map<String, Range> metrics() {
        return metrics;
    }

    @JsonCreator
    public static SensorType of(String id) {
        for (SensorType t : VALUES) {
            if (t.id.equals(id)) {
                return t;
            }
        }
        throw new IllegalArgumentException("unknown sensor type '" + id + "'; known: " + ids());
    }

    public static List<String> ids() {
        return Arrays.stream(values()).map(SensorType::id).toList();
    }

    /** A closed interval of physically possible values. */
    public record Range(double min, double max) {
        public boolean contains(double v) {
            return v >= min && v <= max;
        }
    }
}
