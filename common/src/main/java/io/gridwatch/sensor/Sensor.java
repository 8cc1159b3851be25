package io.gridwatch.sensor;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A registered IoT sensor (物联网传感器), as imported from the registry CSV (CONTRACTS.md §1).
 * Readings from sensors that are not registered are dead-lettered.
 *
 * @param sensorId      the id in its MQTT topic, {@link #ID_PATTERN}
 * @param lon           WGS-84 longitude of where it stands
 * @param lat           WGS-84 latitude
 * @param componentCode the 4- or 5-digit 部件 class code of the attached component (e.g. a manhole cover), or null
 * @param intervalS     how often it usually reports, seconds ({@link SensorType#DEFAULT_INTERVAL_S} when not given)
 * @param name          a free-text name for people, or null
 */
public record Sensor(String sensorId, SensorType type, double lon, double lat, String componentCode, int intervalS,
                     String name) {

    /** The sensor id as it appears in the MQTT topic (CONTRACTS.md §1). */
    public static final Pattern ID_PATTERN = Pattern.compile("[A-Za-z0-9_.-]{1,64}");
    /** 部件 class codes: 4 digits (CJ/T 214 lineage) or 5 (GB/T 47678.5-2026). */
    public static final Pattern COMPONENT_CODE_PATTERN = Pattern.compile("[0-9]{4,5}");

    public Sensor {
        Objects.requireNonNull(sensorId, "sensor_id");
        Objects.requireNonNull(type, "type");
        if (!ID_PATTERN.matcher(sensorId).matches()) {
            throw new IllegalArgumentException("sensor_id must match " + ID_PATTERN.pattern() + ": '" + sensorId + "'");
        }
        if (!(lon >= -180 && lon <= 180)) {
            throw new IllegalArgumentException("lon must be within -180..180 (WGS-84 degrees), got " + lon);
        }
        if (!(lat >= -90 && lat <= 90)) {
            throw new IllegalArgumentException("lat must be within -90..90 (WGS-84 degrees), got " + lat);
        }
        if (componentCode != null && !COMPONENT_CODE_PATTERN.matcher(componentCode).matches()) {
            throw new IllegalArgumentException("component_code must have 4 or 5 digits, got '" + componentCode + "'");
        }
        if (intervalS <= 0) {
            throw new IllegalArgumentException("interval_s must be a positive number of seconds, got " + intervalS);
        }
    }
}
