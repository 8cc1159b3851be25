package io.gridwatch.sensor;

/**
 * Why a sensor message was not processed (CONTRACTS.md §1). The {@link #code()} is the {@code reason}
 * header on {@code gw.deadletter.v1} and the label of the per-reason counters, so it never changes.
 */
public enum RejectReason {
    /** The topic is not {@code gw/v1/sensors/{id}/telemetry} or {@code …/status}. */
    BAD_TOPIC("bad_topic"),
    /** The topic's sensor id does not match {@link Sensor#ID_PATTERN}. */
    BAD_SENSOR_ID("bad_sensor_id"),
    /** The payload is larger than {@link TelemetryParser#MAX_PAYLOAD_BYTES}. */
    TOO_LARGE("too_large"),
    /** The payload is not valid UTF-8. */
    NOT_UTF8("not_utf8"),
    /** The payload is not one JSON object (syntax error, trailing data, duplicate keys, another JSON type). */
    BAD_JSON("bad_json"),
    /** A field has the wrong JSON type ({@code values} not an object, {@code seq} not an integer …). */
    WRONG_TYPE("wrong_type"),
    /** A required field other than {@code ts} is missing ({@code values} of telemetry, {@code online} of status). */
    MISSING_FIELD("missing_field"),
    /** A number is NaN or infinite. */
    NOT_FINITE("not_finite"),
    /** A metric value is not a number. */
    NON_NUMERIC("non_numeric"),
    /**
     * A metric name is empty, longer than {@link TelemetryParser#MAX_METRIC_NAME} characters or holds control characters
     * (a NUL cannot even be stored in PostgreSQL).
     */
    BAD_METRIC("bad_metric"),
    /** {@code ts} is missing. */
    MISSING_TS("missing_ts"),
    /** {@code ts} is neither epoch milliseconds nor an ISO-8601 time with an offset. */
    BAD_TS("bad_ts"),
    /** {@code ts} lies more than {@link TelemetryParser#MAX_FUTURE} after the time the message was received. */
    FUTURE_TS("future_ts"),
    /** A metric of the sensor's type is outside the type's physical range ({@link SensorType#metrics()}). */
    OUT_OF_RANGE("out_of_range"),
    /** The sensor is not in the registry. */
    UNKNOWN_SENSOR("unknown_sensor");

    private final String code;

    RejectReason(String code) {
        this.code = code;
    }

    /** The stable, snake_case name used in headers and metrics. */
    public String code() {
        return code;
    }
}
