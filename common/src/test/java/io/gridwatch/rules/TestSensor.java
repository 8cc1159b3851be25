package io.gridwatch.rules;

import io.gridwatch.detection.Detection;
import io.gridwatch.sensor.Reading;
import io.gridwatch.sensor.SensorType;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;

/** A sensor under test: builds its readings and feeds them through an evaluator, collecting detections. */
final class TestSensor {

    /** 2026-07-28T00:00:00Z = 08:00 in Asia/Shanghai. */
    static final long T0 = 1_785_196_800_000L;
    static final long MIN = 60_000L;

    final String id;
    final SensorType type;
    final String district;
    final String grid;
    final String component;
    final int intervalS;
    final SensorRuleState state = new SensorRuleState();
    final RuleEvaluator evaluator = new RuleEvaluator();
    final List<Detection> detections = new ArrayList<>();
    RuleSet rules;
    private long seq;

    TestSensor(String id, SensorType type, String district, String grid, String component, int intervalS, RuleSet rules) {
        this.id = id;
        this.type = type;
        this.district = district;
        this.grid = grid;
        this.component = component;
        this.intervalS = intervalS;
        this.rules = rules;
    }

    static TestSensor water(String id) {
        return new TestSensor(id, SensorType.WATER_LEVEL, "210211", "210211016003007", null, 60, RuleSet.defaults());
    }

    Reading reading(long ts, Long seq, double... metricValues) {
        LinkedHashMap<String, Double> values = new LinkedHashMap<>();
        String[] metrics = metricsOf(type);
        for (int i = 0; i < metricValues.length; i++) {
            values.put(metrics[i], metricValues[i]);
        }
        return new Reading(Reading.SCHEMA, id, type, Reading.TELEMETRY, ts, null, ts, seq, values, null,
                121.5301, 38.8756, grid, district, component, intervalS);
    }

    Reading status(long ts, boolean online) {
        return new Reading(Reading.SCHEMA, id, type, Reading.STATUS, ts, null, ts, null, null, online,
                121.5301, 38.8756, grid, district, component, intervalS);
    }

    /** Sends one reading (with the next seq) and returns what it raised. */
    List<Detection> send(long ts, double... values) {
        return send(reading(ts, ++seq, values));
    }

    List<Detection> send(Reading r) {
        List<Detection> d = evaluator.onReading(state, r, rules);
        detections.addAll(d);
        return d;
    }

    /** One reading a minute, from {@code fromMinute}, with these values of the first metric. */
    List<Detection> series(int fromMinute, double... firstMetric) {
        List<Detection> d = new ArrayList<>();
        for (int i = 0; i < firstMetric.length; i++) {
            d.addAll(send(T0 + (fromMinute + i) * MIN, firstMetric[i]));
        }
        return d;
    }

    List<Detection> timer(long time) {
        List<Detection> d = evaluator.onTimer(state, time, rules);
        detections.addAll(d);
        return d;
    }

    static String[] metricsOf(SensorType type) {
        return switch (type) {
            case WATER_LEVEL -> new String[]{"water_level_cm"};
            case MANHOLE -> new String[]{"cover_open", "tilt_deg"};
            case BIN_FILL -> new String[]{"fill_pct"};
            case ROAD_WEATHER -> new String[]{"snow_depth_cm", "road_temp_c"};
            case RAIN_GAUGE -> new String[]{"rain_mm"};
        };
    }

    /** "state@minute:severity" for each detection, for compact assertions. */
    List<String> summary() {
        return detections.stream().map(d -> d.state() + "@" + (d.ts() - T0) / 1000 + "s"
                + (d.severity() == null ? "" : ":" + d.severity())).toList();
    }
}
