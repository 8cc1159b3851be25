package io.gridwatch.scenario;

import io.gridwatch.geo.Utm51N;
import io.gridwatch.grid.GridSet;
import io.gridwatch.grid.UnitGrid;
import io.gridwatch.sensor.SensorType;
import org.locationtech.jts.geom.Point;

import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * A scripted, seeded day of a simulated city: a few hundred sensors of every type in real unit
 * grids, and what each of them reports minute by minute — a rainstorm that floods low points in
 * 甘井子区 and 沙河口区, a snowy night on the hills, bins filling up, a manhole cover lifted — plus
 * the noise the system must ignore: single-reading spikes, a flaky sensor, duplicate deliveries,
 * malformed messages and a sensor that drops out for a while.
 *
 * <p>The script also says what a correct system makes of it ({@link #expectedCases()}), written
 * from the script, not from the rules, so that tests can hold the pipeline to it.
 */
public final class CityDay {

    public static final ZoneId SHANGHAI = ZoneId.of("Asia/Shanghai");
    public static final int MINUTES = 24 * 60;

    private final LocalDate day;
    private final long dayStartMs;
    private final List<SimSensor> sensors = new ArrayList<>();
    private final List<Expected> expected = new ArrayList<>();
    private final long seed;

    /** A simulated sensor and the script it follows. */
    public record SimSensor(String id, SensorType type, double lon, double lat, String gridCode, String districtCode,
                            String componentCode, String name, Script script, int intervalS) {
        public String csvRow() {
            return String.join(",", id, type.id(), String.format(Locale.ROOT, "%.6f", lon), String.format(Locale.ROOT, "%.6f", lat),
                    componentCode == null ? "" : componentCode, Integer.toString(intervalS), name);
        }

        /** Whether the sensor reports in minute m: every interval, at a phase of its own so that not all report at once. */
        boolean reportsAt(int m) {
            int every = intervalS / 60;
            return every <= 1 || m % every == Math.floorMod(id.hashCode(), every);
        }
    }

    /**
     * How often a quiet sensor of each type reports (seconds): water levels and rain every minute, road weather and
     * manholes every 5 minutes, bins every 10. Sensors that play a part in the script report every minute.
     */
    static int quietInterval(SensorType type) {
        return switch (type) {
            case WATER_LEVEL, RAIN_GAUGE -> 60;
            case ROAD_WEATHER, MANHOLE -> 300;
            case BIN_FILL -> 600;
        };
    }

    /** The part a sensor plays in the day: quiet, or one of the scripted problems and kinds of noise. */
    public enum Script { QUIET, FLOOD, FLAKY, SPIKE, RAIN, SNOW, BIN_FULL, BIN_DROPOUT, COVER_LIFTED }

    /** A case a correct system raises: its source, category, the highest severity reached, and whether it clears. */
    public record Expected(String sensorId, String categoryKind, String categoryCode, String maxSeverity, boolean clears, String team) {
    }

    /** One MQTT message: topic and payload. */
    public record Message(String topic, byte[] payload) {
        public String text() {
            return new String(payload, StandardCharsets.UTF_8);
        }
    }

    /** Flood peaks (cm) of the flooded low points and the colour each reaches. */
    static final double[] FLOOD_PEAKS = {22, 36, 57, 88};
    static final String[] FLOOD_COLOURS = {"blue", "yellow", "orange", "red"};

    public CityDay(GridSet grids, LocalDate day, long seed) {
        this.day = day;
        this.seed = seed;
        this.dayStartMs = day.atStartOfDay(SHANGHAI).toInstant().toEpochMilli();
        Random r = new Random(seed);
        List<UnitGrid> interior = grids.grids().stream().filter(UnitGrid::interior).toList();
        List<UnitGrid> ganjingzi = interior.stream().filter(g -> g.districtCode().equals("210211")).toList();
        List<UnitGrid> shahekou = interior.stream().filter(g -> g.districtCode().equals("210204")).toList();

        // flooded low points: two in 甘井子区, two in 沙河口区, one of each colour
        for (int i = 0; i < 4; i++) {
            UnitGrid g = pick(r, i % 2 == 0 ? ganjingzi : shahekou);
            add(grids, g, r, "wl-flood-" + (i + 1), SensorType.WATER_LEVEL, null, Script.FLOOD, "积水监测点 " + (i + 1));
            expected.add(new Expected("wl-flood-" + (i + 1), "event", "0406", FLOOD_COLOURS[i], true, "flood"));
        }
        add(grids, pick(r, interior), r, "wl-flaky", SensorType.WATER_LEVEL, null, Script.FLAKY, "积水监测点（故障）");
        add(grids, pick(r, interior), r, "wl-spike", SensorType.WATER_LEVEL, null, Script.SPIKE, "积水监测点（尖峰）");
        for (int i = 0; i < 54; i++) {
            add(grids, pick(r, interior), r, String.format("wl-%03d", i), SensorType.WATER_LEVEL, null, Script.QUIET, "积水监测点");
        }
        // rain gauges: the storm falls on 甘井子区 and 沙河口区
        for (int i = 0; i < 3; i++) {
            add(grids, pick(r, ganjingzi), r, "rg-gjz-" + (i + 1), SensorType.RAIN_GAUGE, null, Script.RAIN, "雨量站");
            add(grids, pick(r, shahekou), r, "rg-shk-" + (i + 1), SensorType.RAIN_GAUGE, null, Script.RAIN, "雨量站");
        }
        for (int i = 0; i < 6; i++) {
            add(grids, pick(r, interior.stream().filter(g -> !g.districtCode().equals("210211") && !g.districtCode().equals("210204")).toList()),
                    r, String.format("rg-%03d", i), SensorType.RAIN_GAUGE, null, Script.QUIET, "雨量站");
        }
        // snow on the hills of 甘井子区: the northern, higher rows
        List<UnitGrid> hills = ganjingzi.stream().sorted(Comparator.comparingDouble(g -> -g.utm().getCentroid().getY()))
                .limit(Math.max(50, ganjingzi.size() / 10)).toList();
        for (int i = 0; i < 3; i++) {
            add(grids, pick(r, hills), r, "rw-hill-" + (i + 1), SensorType.ROAD_WEATHER, null, Script.SNOW, "路面气象站（山区）");
            expected.add(new Expected("rw-hill-" + (i + 1), "event", "0407", null, true, "snow"));
        }
        for (int i = 0; i < 37; i++) {
            add(grids, pick(r, interior), r, String.format("rw-%03d", i), SensorType.ROAD_WEATHER, null, Script.QUIET, "路面气象站");
        }
        // bins: five fill up and are emptied; one drops out for two hours (maintenance, no case)
        for (int i = 0; i < 5; i++) {
            add(grids, pick(r, interior), r, "bin-full-" + (i + 1), SensorType.BIN_FILL, "0305", Script.BIN_FULL, "垃圾箱");
            expected.add(new Expected("bin-full-" + (i + 1), "event", "0102", null, true, null));
        }
        add(grids, pick(r, interior), r, "bin-dropout", SensorType.BIN_FILL, "0305", Script.BIN_DROPOUT, "垃圾箱（掉线）");
        for (int i = 0; i < 74; i++) {
            add(grids, pick(r, interior), r, String.format("bin-%03d", i), SensorType.BIN_FILL, "0305", Script.QUIET, "垃圾箱");
        }
        // manhole covers: 0101 上水 / 0102 污水 / 0103 雨水 …; one rain-water cover is lifted
        add(grids, pick(r, interior), r, "mh-lifted", SensorType.MANHOLE, "0103", Script.COVER_LIFTED, "雨水井盖");
        expected.add(new Expected("mh-lifted", "component", "0103", null, true, null));
        String[] covers = {"0101", "0102", "0103", "0105", "0107", "0111"};
        for (int i = 0; i < 79; i++) {
            add(grids, pick(r, interior), r, String.format("mh-%03d", i), SensorType.MANHOLE, covers[i % covers.length], Script.QUIET, "井盖");
        }
    }

    private static UnitGrid pick(Random r, List<UnitGrid> from) {
        return from.get(r.nextInt(from.size()));
    }

    private void add(GridSet grids, UnitGrid g, Random r, String id, SensorType type, String component, Script script, String name) {
        Point c = g.utm().getCentroid();
        double[] ll = Utm51N.inverse(c.getX() + (r.nextDouble() - 0.5) * 60, c.getY() + (r.nextDouble() - 0.5) * 60);
        int interval = script == Script.QUIET || script == Script.BIN_DROPOUT ? quietInterval(type) : 60;
        sensors.add(new SimSensor(id, type, ll[0], ll[1], g.code(), g.districtCode(), component, name, script, interval));
    }

    public LocalDate day() {
        return day;
    }

    public List<SimSensor> sensors() {
        return sensors;
    }

    public List<Expected> expectedCases() {
        return expected;
    }

    /** Districts where the storm's 1-hour rain passes 30 mm: one flood watch each (no case). */
    public List<String> expectedFloodWatches() {
        return List.of("210204", "210211");
    }

    /** The registry CSV of CONTRACTS.md §1 for these sensors. */
    public String registryCsv() {
        StringBuilder sb = new StringBuilder("sensor_id,type,lon,lat,component_code,interval_s,name\n");
        sensors.forEach(s -> sb.append(s.csvRow()).append('\n'));
        return sb.toString();
    }

    /** Epoch ms of a minute of the day (Asia/Shanghai). */
    public long at(int minute) {
        return dayStartMs + minute * 60_000L;
    }

    /**
     * Everything published in one minute of the day, in order: every sensor's reading, plus the
     * duplicates and malformed messages of the noise script. Deterministic for a seed and minute.
     */
    public List<Message> minute(int m) {
        Random noise = new Random(seed * 31 + m);
        List<Message> out = new ArrayList<>();
        for (SimSensor s : sensors) {
            if (!s.reportsAt(m)) {
                continue;
            }
            String values = values(s, m);
            if (values == null) {
                continue;
            }
            String json = String.format(Locale.ROOT, "{\"ts\":%d,\"values\":{%s},\"seq\":%d}", at(m) + 1_000L * Math.floorMod(s.id().hashCode(), 50), values, m);
            Message msg = new Message("gw/v1/sensors/" + s.id() + "/telemetry", json.getBytes(StandardCharsets.UTF_8));
            out.add(msg);
            if (noise.nextInt(50) == 0) {
                out.add(msg); // a duplicate delivery: same seq
            }
        }
        if (m % 10 == 0) {
            out.addAll(malformed(m, noise));
        }
        return out;
    }

    /** The values JSON of a sensor at minute m, or null when it sends nothing. */
    String values(SimSensor s, int m) {
        double h = m / 60.0;
        return switch (s.script()) {
            case QUIET -> quiet(s, m);
            case FLOOD -> {
                int i = Integer.parseInt(s.id().substring("wl-flood-".length())) - 1;
                yield wl(flood(h, FLOOD_PEAKS[i]));
            }
            case FLAKY -> wl(h >= 10 && h < 11 ? (m % 2 == 0 ? 16.5 : 4.0) : 0);
            case SPIKE -> wl(m == 11 * 60 ? 45 : 0.5);
            case RAIN -> String.format(Locale.ROOT, "\"rain_mm\":%.1f", h >= 14 && h < 17 ? 1.2 : 0.0);
            case SNOW -> {
                // falls 01:00–04:00, lies till the plough comes at 07:00, gone by 07:30
                double snow = h < 1 ? 0 : h < 4 ? (h - 1) * 1.8 : h < 7 ? 5.4 : h < 7.5 ? 5.4 - (h - 7) * 10.8 : 0;
                yield String.format(Locale.ROOT, "\"snow_depth_cm\":%.2f,\"road_temp_c\":%.1f", Math.max(0, snow), h < 9 ? -3.0 : 1.5);
            }
            case BIN_FULL -> fill(h < 10 ? 40 + h * 3 : h < 12 ? 70 + (h - 10) * 12 : h < 13 ? 95 : 20);
            case BIN_DROPOUT -> h >= 6 && h < 8 ? null : fill(30);
            case COVER_LIFTED -> h >= 9 && h < 9 + 20 / 60.0
                    ? "\"tilt_deg\":32.0,\"cover_open\":1" : "\"tilt_deg\":0.5,\"cover_open\":0";
        };
    }

    private static String quiet(SimSensor s, int m) {
        return switch (s.type()) {
            case WATER_LEVEL -> wl(0);
            case RAIN_GAUGE -> "\"rain_mm\":0.0";
            case ROAD_WEATHER -> "\"snow_depth_cm\":0.0,\"road_temp_c\":4.5";
            case BIN_FILL -> fill(20 + (Math.abs(s.id().hashCode() + m) % 40));
            case MANHOLE -> "\"tilt_deg\":0.8,\"cover_open\":0";
        };
    }

    /** Water depth (cm) of a flooded low point: rises 15:00–17:00 to its peak, holds till 18:00, drains by 19:30. */
    static double flood(double h, double peak) {
        if (h < 15) {
            return 0;
        }
        if (h < 17) {
            return peak * (h - 15) / 2;
        }
        if (h < 18) {
            return peak;
        }
        if (h < 19.5) {
            return peak * (19.5 - h) / 1.5;
        }
        return 0;
    }

    private static String wl(double cm) {
        return String.format(Locale.ROOT, "\"water_level_cm\":%.1f,\"battery_pct\":88", cm);
    }

    private static String fill(double pct) {
        return String.format(Locale.ROOT, "\"fill_pct\":%.1f", pct);
    }

    /** Broken messages, each a different reason to reject. */
    private List<Message> malformed(int m, Random r) {
        long ts = at(m);
        String wl = "gw/v1/sensors/wl-000/telemetry";
        return List.of(
                new Message(wl, "{\"ts\":".getBytes(StandardCharsets.UTF_8)),
                new Message(wl, String.format(Locale.ROOT, "{\"ts\":%d,\"values\":{\"water_level_cm\":\"deep\"}}", ts).getBytes(StandardCharsets.UTF_8)),
                new Message(wl, String.format(Locale.ROOT, "{\"ts\":%d,\"values\":{\"water_level_cm\":999}}", ts).getBytes(StandardCharsets.UTF_8)),
                new Message("gw/v1/sensors/nobody-" + r.nextInt(1000) + "/telemetry",
                        String.format(Locale.ROOT, "{\"ts\":%d,\"values\":{\"water_level_cm\":80}}", ts).getBytes(StandardCharsets.UTF_8)),
                new Message(wl, String.format(Locale.ROOT, "{\"ts\":%d,\"values\":{\"water_level_cm\":80}}", System.currentTimeMillis() + 3_600_000L)
                        .getBytes(StandardCharsets.UTF_8)),
                // a firmware bug: a NUL in a metric name
                new Message(wl, String.format(Locale.ROOT, "{\"ts\":%d,\"values\":{\"water_level_cm\":2,\"batt\\u0000\":80}}", ts)
                        .getBytes(StandardCharsets.UTF_8)));
    }
}
