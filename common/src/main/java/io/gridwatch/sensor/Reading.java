package io.gridwatch.sensor;

import com.fasterxml.jackson.annotation.JsonInclude;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * A normalised sensor reading, as it travels on {@code gw.readings.v1} (keyed by sensor id).
 * Ingest validates the device's message and adds what the registry knows about the sensor
 * (where it stands, its unit grid, its attached component, its usual interval), so that the
 * jobs need no registry look-up.
 *
 * <p>JSON (snake_case, CONTRACTS.md §3):
 * <pre>{@code
 * {"schema":1,"sensor_id":"wl-0031","type":"water_level","kind":"telemetry","ts":1785196800000,
 *  "ts_iso":"2026-07-28T00:00:00Z","received_at":1785196800412,"seq":1042,
 *  "values":{"water_level_cm":17.5,"battery_pct":81.0},"online":null,
 *  "lon":121.5301,"lat":38.8756,"grid_code":"210211016003007","district_code":"210211",
 *  "component_code":null,"interval_s":60}
 * }</pre>
 *
 * @param kind       {@code telemetry} (values) or {@code status} (online flag, e.g. a last will)
 * @param ts         time of measurement, epoch ms
 * @param receivedAt when ingest received it, epoch ms
 * @param seq        the device's per-sensor counter, when it sends one (duplicates repeat it)
 * @param values     metric → value, in the order received; never change it once the reading is made (the jobs'
 *                   serializer treats a reading as immutable and shares it between operators)
 * @param online     for status messages: whether the device says it is online
 * @param gridCode   its unit grid, or null when it stands outside every grid
 */
@JsonInclude(JsonInclude.Include.ALWAYS)
public record Reading(int schema, String sensorId, SensorType type, String kind, long ts, String tsIso, long receivedAt,
                      Long seq, LinkedHashMap<String, Double> values, Boolean online, double lon, double lat,
                      String gridCode, String districtCode, String componentCode, int intervalS) implements Measurement {

    public static final int SCHEMA = 1;
    public static final String TELEMETRY = "telemetry";
    public static final String STATUS = "status";

    public Reading {
        Objects.requireNonNull(sensorId, "sensor_id");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(kind, "kind");
        if (!TELEMETRY.equals(kind) && !STATUS.equals(kind)) {
            throw new IllegalArgumentException("kind must be telemetry or status, got " + kind);
        }
        values = values == null ? new LinkedHashMap<>() : values;
        if (intervalS <= 0) {
            intervalS = SensorType.DEFAULT_INTERVAL_S;
        }
    }

    /** The value of a metric, or NaN when this reading does not carry it. */
    @Override
    public double value(String metric) {
        Double v = values.get(metric);
        return v == null ? Double.NaN : v;
    }

    /** An unmodifiable view of the values. */
    public Map<String, Double> valuesView() {
        return java.util.Collections.unmodifiableMap(values);
    }
}
