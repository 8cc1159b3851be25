package io.gridwatch.sensor;

import org.junit.jupiter.api.Test;

import java.io.StringReader;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SensorCsvTest {

    static List<Sensor> read(String csv) {
        return SensorCsv.read(new StringReader(csv), "sensors.csv");
    }

    @Test
    void readsAllColumnsAndDefaultsTheOptionalOnes() {
        List<Sensor> s = read("""
                sensor_id,type,lon,lat,component_code,interval_s,name
                wl-0031,water_level,121.5301,38.8756,,30,凌水路积水点
                mh-7,manhole,121.6,38.9,0101,,"井盖, 东"
                """);
        assertThat(s).containsExactly(
                new Sensor("wl-0031", SensorType.WATER_LEVEL, 121.5301, 38.8756, null, 30, "凌水路积水点"),
                new Sensor("mh-7", SensorType.MANHOLE, 121.6, 38.9, "0101", SensorType.DEFAULT_INTERVAL_S, "井盖, 东"));
    }

    @Test
    void optionalColumnsMayBeLeftOutAndColumnsReordered() {
        List<Sensor> s = read("type,sensor_id,lat,lon\r\nbin_fill,b-1,38.9,121.6\r\n\r\n");
        assertThat(s).containsExactly(new Sensor("b-1", SensorType.BIN_FILL, 121.6, 38.9, null, 60, null));
    }

    @Test
    void everyBadRowIsReportedWithFileLineAndField() {
        assertThatThrownBy(() -> read("""
                sensor_id,type,lon,lat,component_code,interval_s,name
                ok-1,water_level,121.5,38.9,,,
                bad id,water_level,121.5,38.9,,,
                x-2,lava,121.5,38.9,,,
                x-3,manhole,181,38.9,01,0,
                x-4,manhole,abc,,,ten,
                ok-1,water_level,121.5,38.9,,,
                x-5,water_level,121.5
                """))
                .isInstanceOfSatisfying(SensorCsv.InvalidSensorFileException.class, e -> assertThat(e.errors()).containsExactly(
                        "sensors.csv:3: sensor_id: 'bad id' must match [A-Za-z0-9_.-]{1,64}",
                        "sensors.csv:4: type: unknown sensor type 'lava'; known: [water_level, manhole, bin_fill, road_weather, rain_gauge]",
                        "sensors.csv:5: lon: 181 is outside -180..180 (WGS-84 degrees)",
                        "sensors.csv:5: component_code: '01' must be a 4- or 5-digit 部件 class code",
                        "sensors.csv:5: interval_s: must be a positive number of seconds, got 0",
                        "sensors.csv:6: lon: 'abc' is not a number",
                        "sensors.csv:6: lat: missing (WGS-84 degrees)",
                        "sensors.csv:6: interval_s: 'ten' is not a whole number of seconds",
                        "sensors.csv:7: sensor_id: 'ok-1' appears again (first on line 2)",
                        "sensors.csv:8: has 3 fields, the header has 7"))
                .hasMessageContaining("nothing imported");
    }

    @Test
    void theHeaderIsRequiredAndUnknownColumnsAreNamed() {
        assertThatThrownBy(() -> read("wl-1,water_level,121.5,38.9\n"))
                .isInstanceOfSatisfying(SensorCsv.InvalidSensorFileException.class, e -> assertThat(e.errors())
                        .contains("sensors.csv:1: unknown column 'wl-1'; the columns are [sensor_id, type, lon, lat, component_code, interval_s, name]",
                                "sensors.csv:1: missing column 'sensor_id'; the header must name at least [sensor_id, type, lon, lat]"));
        assertThatThrownBy(() -> read("sensor_id,type,lon,lat,elevation\n"))
                .hasMessageContaining("unknown column 'elevation'");
    }

    @Test
    void anEmptyFileIsAnError() {
        assertThatThrownBy(() -> read("")).hasMessageContaining("missing column 'sensor_id'");
    }
}
