package io.gridwatch.sensor;

import io.gridwatch.grid.GridLocation;
import io.gridwatch.sensor.TelemetryParser.Accepted;
import io.gridwatch.sensor.TelemetryParser.Rejection;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** Every rule of CONTRACTS.md §1 for sensor messages, one reason at a time. */
class TelemetryParserTest {

    static final long NOW = 1_785_196_800_000L; // 2026-07-28T00:00:00Z
    static final GridLocation GRID = new GridLocation("210211016003007", "210211", "甘井子区", "210211016", "凌水街道",
            "210211016003", "某社区", Optional.empty(), 10_000);
    static final Map<String, Sensor> SENSORS = Map.of(
            "wl-0031", new Sensor("wl-0031", SensorType.WATER_LEVEL, 121.5301, 38.8756, null, 30, "凌水路积水点"),
            "mh-7", new Sensor("mh-7", SensorType.MANHOLE, 121.6, 38.9, "0101", 60, null),
            "far-1", new Sensor("far-1", SensorType.RAIN_GAUGE, 0.0, 0.0, null, 60, null));
    static final TelemetryParser PARSER = new TelemetryParser(id -> Optional.ofNullable(SENSORS.get(id)),
            (lon, lat) -> lon > 100 ? Optional.of(GRID) : Optional.empty());

    static TelemetryParser.Result parse(String topic, String payload) {
        return PARSER.parse(topic, payload.getBytes(StandardCharsets.UTF_8), NOW);
    }

    static final String WL = "gw/v1/sensors/wl-0031/telemetry";

    @Test
    void validTelemetryIsNormalisedAndEnriched() {
        TelemetryParser.Result r = parse(WL, "{\"ts\": 1785196800000, \"values\": {\"water_level_cm\": 17.5, \"battery_pct\": 81}, \"seq\": 1042}");
        assertThat(r).isInstanceOf(Accepted.class);
        Reading reading = ((Accepted) r).reading();
        assertThat(reading.sensorId()).isEqualTo("wl-0031");
        assertThat(reading.type()).isEqualTo(SensorType.WATER_LEVEL);
        assertThat(reading.kind()).isEqualTo(Reading.TELEMETRY);
        assertThat(reading.ts()).isEqualTo(NOW);
        assertThat(reading.tsIso()).isEqualTo("2026-07-28T00:00:00Z");
        assertThat(reading.receivedAt()).isEqualTo(NOW);
        assertThat(reading.seq()).isEqualTo(1042L);
        // unknown metrics are kept, not validated
        assertThat(reading.values()).containsExactly(Map.entry("water_level_cm", 17.5), Map.entry("battery_pct", 81.0));
        assertThat(reading.lon()).isEqualTo(121.5301);
        assertThat(reading.lat()).isEqualTo(38.8756);
        assertThat(reading.gridCode()).isEqualTo("210211016003007");
        assertThat(reading.districtCode()).isEqualTo("210211");
        assertThat(reading.intervalS()).isEqualTo(30);
        assertThat(reading.online()).isNull();
    }

    @Test
    void isoTimesWithAnOffsetAreAccepted() {
        Reading r = ((Accepted) parse(WL, "{\"ts\": \"2026-07-28T08:00:00+08:00\", \"values\": {\"water_level_cm\": 0}}")).reading();
        assertThat(r.ts()).isEqualTo(NOW);
        assertThat(r.seq()).isNull();
        Reading z = ((Accepted) parse(WL, "{\"ts\": \"2026-07-28T00:00:00.250Z\", \"values\": {\"water_level_cm\": 0}}")).reading();
        assertThat(z.ts()).isEqualTo(NOW + 250);
    }

    @Test
    void lateReadingsAndTenMinutesOfClockSkewAreAccepted() {
        assertThat(parse(WL, "{\"ts\": " + (NOW - 3_600_000) + ", \"values\": {\"water_level_cm\": 3}}")).isInstanceOf(Accepted.class);
        assertThat(parse(WL, "{\"ts\": " + (NOW + 600_000) + ", \"values\": {\"water_level_cm\": 3}}")).isInstanceOf(Accepted.class);
    }

    @Test
    void statusMessagesCarryTheOnlineFlag() {
        Reading r = ((Accepted) parse("gw/v1/sensors/mh-7/status", "{\"ts\": 1785196800000, \"online\": false}")).reading();
        assertThat(r.kind()).isEqualTo(Reading.STATUS);
        assertThat(r.online()).isFalse();
        assertThat(r.values()).isEmpty();
        assertThat(r.componentCode()).isEqualTo("0101");
    }

    @Test
    void aSensorOutsideEveryGridIsAcceptedWithoutGrid() {
        Reading r = ((Accepted) parse("gw/v1/sensors/far-1/telemetry", "{\"ts\": 1785196800000, \"values\": {\"rain_mm\": 2}}")).reading();
        assertThat(r.gridCode()).isNull();
        assertThat(r.districtCode()).isNull();
    }

    @Test
    void boundsOfThePhysicalRangeAreInside() {
        assertThat(parse(WL, "{\"ts\": 1785196800000, \"values\": {\"water_level_cm\": 300}}")).isInstanceOf(Accepted.class);
        assertThat(parse("gw/v1/sensors/mh-7/telemetry", "{\"ts\": 1785196800000, \"values\": {\"cover_open\": 1, \"tilt_deg\": 0}}"))
                .isInstanceOf(Accepted.class);
    }

    static Stream<Arguments> invalid() {
        String ok = "\"ts\": 1785196800000";
        return Stream.of(
                Arguments.of("gw/v1/sensors/wl-0031/other", "{" + ok + ", \"values\": {}}", RejectReason.BAD_TOPIC),
                Arguments.of("gw/v2/sensors/wl-0031/telemetry", "{}", RejectReason.BAD_TOPIC),
                Arguments.of("gw/v1/sensors/a/b/telemetry", "{}", RejectReason.BAD_TOPIC),
                Arguments.of("gw/v1/sensors/wl 0031/telemetry", "{}", RejectReason.BAD_SENSOR_ID),
                Arguments.of("gw/v1/sensors//telemetry", "{}", RejectReason.BAD_SENSOR_ID),
                Arguments.of("gw/v1/sensors/" + "x".repeat(65) + "/telemetry", "{}", RejectReason.BAD_SENSOR_ID),
                Arguments.of(WL, "{" + ok + ", \"values\": {\"water_level_cm\": 1}, \"pad\": \"" + "x".repeat(16 * 1024) + "\"}", RejectReason.TOO_LARGE),
                Arguments.of(WL, "not json", RejectReason.BAD_JSON),
                Arguments.of(WL, "{" + ok + ", \"values\": {\"water_level_cm\": 1}", RejectReason.BAD_JSON),
                Arguments.of(WL, "{" + ok + ", \"values\": {\"water_level_cm\": 1}} {}", RejectReason.BAD_JSON),
                Arguments.of(WL, "[1, 2]", RejectReason.BAD_JSON),
                Arguments.of(WL, "", RejectReason.BAD_JSON),
                Arguments.of(WL, "{" + ok + ", " + ok + ", \"values\": {\"water_level_cm\": 1}}", RejectReason.BAD_JSON),
                Arguments.of(WL, "{" + ok + ", \"values\": [1]}", RejectReason.WRONG_TYPE),
                Arguments.of(WL, "{" + ok + ", \"values\": {\"water_level_cm\": 1}, \"seq\": \"7\"}", RejectReason.WRONG_TYPE),
                Arguments.of(WL, "{" + ok + ", \"values\": {\"water_level_cm\": 1}, \"seq\": 1.5}", RejectReason.WRONG_TYPE),
                Arguments.of("gw/v1/sensors/mh-7/status", "{" + ok + ", \"online\": \"no\"}", RejectReason.WRONG_TYPE),
                Arguments.of(WL, "{" + ok + "}", RejectReason.MISSING_FIELD),
                Arguments.of(WL, "{" + ok + ", \"values\": {}}", RejectReason.MISSING_FIELD),
                Arguments.of("gw/v1/sensors/mh-7/status", "{" + ok + "}", RejectReason.MISSING_FIELD),
                Arguments.of(WL, "{" + ok + ", \"values\": {\"water_level_cm\": NaN}}", RejectReason.NOT_FINITE),
                Arguments.of(WL, "{" + ok + ", \"values\": {\"water_level_cm\": -Infinity}}", RejectReason.NOT_FINITE),
                Arguments.of(WL, "{" + ok + ", \"values\": {\"battery_pct\": 1e999}}", RejectReason.NOT_FINITE),
                Arguments.of(WL, "{" + ok + ", \"values\": {\"water_level_cm\": \"17\"}}", RejectReason.NON_NUMERIC),
                Arguments.of(WL, "{" + ok + ", \"values\": {\"water_level_cm\": true}}", RejectReason.NON_NUMERIC),
                Arguments.of(WL, "{" + ok + ", \"values\": {\"water_level_cm\": null}}", RejectReason.NON_NUMERIC),
                Arguments.of(WL, "{" + ok + ", \"values\": {\"water_level_cm\": 1, \"a\\u0000b\": 2}}", RejectReason.BAD_METRIC),
                Arguments.of(WL, "{" + ok + ", \"values\": {\"water_level_cm\": 1, \"line\\nbreak\": 2}}", RejectReason.BAD_METRIC),
                Arguments.of(WL, "{" + ok + ", \"values\": {\"\": 2}}", RejectReason.BAD_METRIC),
                Arguments.of(WL, "{" + ok + ", \"values\": {\"" + "m".repeat(129) + "\": 2}}", RejectReason.BAD_METRIC),
                Arguments.of(WL, "{\"values\": {\"water_level_cm\": 1}}", RejectReason.MISSING_TS),
                Arguments.of(WL, "{\"ts\": null, \"values\": {\"water_level_cm\": 1}}", RejectReason.MISSING_TS),
                Arguments.of(WL, "{\"ts\": \"2026-07-28T08:00:00\", \"values\": {\"water_level_cm\": 1}}", RejectReason.BAD_TS),
                Arguments.of(WL, "{\"ts\": \"yesterday\", \"values\": {\"water_level_cm\": 1}}", RejectReason.BAD_TS),
                Arguments.of(WL, "{\"ts\": 1785196800000.5, \"values\": {\"water_level_cm\": 1}}", RejectReason.BAD_TS),
                Arguments.of(WL, "{\"ts\": -1, \"values\": {\"water_level_cm\": 1}}", RejectReason.BAD_TS),
                Arguments.of(WL, "{\"ts\": true, \"values\": {\"water_level_cm\": 1}}", RejectReason.BAD_TS),
                Arguments.of(WL, "{\"ts\": " + (NOW + 600_001) + ", \"values\": {\"water_level_cm\": 1}}", RejectReason.FUTURE_TS),
                Arguments.of(WL, "{\"ts\": \"2026-07-28T00:10:01Z\", \"values\": {\"water_level_cm\": 1}}", RejectReason.FUTURE_TS),
                Arguments.of(WL, "{" + ok + ", \"values\": {\"water_level_cm\": 300.1}}", RejectReason.OUT_OF_RANGE),
                Arguments.of(WL, "{" + ok + ", \"values\": {\"water_level_cm\": -0.5}}", RejectReason.OUT_OF_RANGE),
                Arguments.of("gw/v1/sensors/mh-7/telemetry", "{" + ok + ", \"values\": {\"cover_open\": 2}}", RejectReason.OUT_OF_RANGE),
                Arguments.of("gw/v1/sensors/nobody/telemetry", "{" + ok + ", \"values\": {\"water_level_cm\": 1}}", RejectReason.UNKNOWN_SENSOR));
    }

    @ParameterizedTest(name = "{2}: {0} {1}")
    @MethodSource("invalid")
    void invalidMessagesAreRejectedWithTheirReason(String topic, String payload, RejectReason reason) {
        TelemetryParser.Result r = parse(topic, payload);
        assertThat(r).isInstanceOf(Rejection.class);
        Rejection rej = (Rejection) r;
        assertThat(rej.reason()).as(rej.message()).isEqualTo(reason);
        assertThat(rej.message()).isNotBlank();
    }

    @Test
    void unknownMetricsWithAnyPrintableNameAreKept() {
        String name128 = "m".repeat(128);
        TelemetryParser.Result r = parse(WL, "{\"ts\": " + (NOW - 1_000) + ", \"values\": {\"water_level_cm\": 1, \"温度 (℃)\": 2, \""
                + name128 + "\": 3}}");
        assertThat(r).isInstanceOf(TelemetryParser.Accepted.class);
        assertThat(((TelemetryParser.Accepted) r).reading().values()).containsKeys("温度 (℃)", name128);
    }

    @Test
    void everyReasonIsCovered() {
        Set<RejectReason> covered = invalid().map(a -> (RejectReason) a.get()[2]).collect(Collectors.toSet());
        covered.add(RejectReason.NOT_UTF8);
        assertThat(covered).isEqualTo(EnumSet.allOf(RejectReason.class));
    }

    @Test
    void invalidUtf8IsRejected() {
        byte[] bad = "{\"ts\": 1785196800000, \"values\": {\"water_level_cm\": 1}, \"n\": \"\u00e9\"}".getBytes(StandardCharsets.UTF_8);
        byte[] broken = Arrays.copyOf(bad, bad.length);
        int i = new String(bad, StandardCharsets.ISO_8859_1).indexOf('\u00c3');
        broken[i + 1] = (byte) 0x28; // a continuation byte replaced: malformed
        Rejection r = (Rejection) PARSER.parse(WL, broken, NOW);
        assertThat(r.reason()).isEqualTo(RejectReason.NOT_UTF8);
        assertThat(r.sensorId()).isEqualTo("wl-0031");
        // overlong encoding of '/' (0xC0 0xAF) is malformed too
        Rejection overlong = (Rejection) PARSER.parse(WL, new byte[]{'{', '"', (byte) 0xC0, (byte) 0xAF, '"', ':', '1', '}'}, NOW);
        assertThat(overlong.reason()).isEqualTo(RejectReason.NOT_UTF8);
    }

    @Test
    void rejectionsCarryTheSensorIdOfTheTopicForTheDeadLetterKey() {
        assertThat(((Rejection) parse("gw/v1/sensors/nobody/telemetry", "{}")).sensorId()).isEqualTo("nobody");
        assertThat(((Rejection) parse("gw/v1/other", "{}")).sensorId()).isNull();
    }

    @Test
    void readingsSerialiseAsDocumented() throws Exception {
        Reading r = ((Accepted) parse(WL, "{\"ts\": 1785196800000, \"values\": {\"water_level_cm\": 17.5}, \"seq\": 3}")).reading();
        String json = io.gridwatch.json.Json.mapper().writeValueAsString(r);
        assertThat(json).contains("\"sensor_id\":\"wl-0031\"", "\"type\":\"water_level\"", "\"ts_iso\":\"2026-07-28T00:00:00Z\"",
                "\"grid_code\":\"210211016003007\"", "\"district_code\":\"210211\"", "\"interval_s\":30", "\"schema\":1");
        assertThat(io.gridwatch.json.Json.mapper().readValue(json, Reading.class)).isEqualTo(r);
    }
}
