package io.gridwatch.bench;

import io.gridwatch.config.GridwatchConfig;
import io.gridwatch.grid.GridCache;
import io.gridwatch.grid.GridIndex;
import io.gridwatch.grid.GridLocation;
import io.gridwatch.sensor.Reading;
import io.gridwatch.sensor.Sensor;
import io.gridwatch.sensor.SensorType;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Optional;

/**
 * The benchmarks' city: {@code n} sensors {@code bs-0 … bs-(n-1)} of every type (4 in 10 water level, 2 manhole,
 * 2 bin fill, 1 road weather, 1 rain gauge), each at its own position on a lattice over 甘井子区 / 沙河口区 /
 * 中山区 / 西岗区 (121.45–121.69 E, 38.86–38.96 N; most fall in a unit grid), interval 60 s. Positions are unique,
 * so an alert's location names its sensor.
 */
final class SensorFleet {

    static final int COLUMNS = 400;
    final int size;
    final GridIndex grids;
    private final String[] gridCode;
    private final String[] districtCode;

    SensorFleet(int size) {
        this.size = size;
        Path cache = Path.of(System.getProperty("gridwatch.cache", "var/cache"));
        this.grids = new GridIndex(GridCache.dalian(cache, GridwatchConfig.defaults().grids()));
        this.gridCode = new String[size];
        this.districtCode = new String[size];
        for (int i = 0; i < size; i++) {
            Optional<GridLocation> g = grids.lookup(lon(i), lat(i));
            gridCode[i] = g.map(GridLocation::gridCode).orElse(null);
            districtCode[i] = g.map(GridLocation::districtCode).orElse(null);
        }
    }

    static String id(int i) {
        return "bs-" + i;
    }

    static SensorType type(int i) {
        return switch (i % 10) {
            case 0, 1, 2, 3 -> SensorType.WATER_LEVEL;
            case 4, 5 -> SensorType.MANHOLE;
            case 6, 7 -> SensorType.BIN_FILL;
            case 8 -> SensorType.ROAD_WEATHER;
            default -> SensorType.RAIN_GAUGE;
        };
    }

    static double lon(int i) {
        return 121.45 + (i % COLUMNS) * 0.0006;
    }

    static double lat(int i) {
        return 38.86 + (i / COLUMNS) * 0.0004;
    }

    /** The key of a position as alerts carry it back (micro-degrees). */
    static long positionKey(double lon, double lat) {
        return Math.round(lon * 1e6) * 1_000_000_000L + Math.round(lat * 1e6);
    }

    static String component(int i) {
        return type(i) == SensorType.MANHOLE ? "0101" : null;
    }

    String gridCode(int i) {
        return gridCode[i];
    }

    int inGrids() {
        int n = 0;
        for (String g : gridCode) {
            n += g == null ? 0 : 1;
        }
        return n;
    }

    List<Sensor> sensors() {
        List<Sensor> out = new ArrayList<>(size);
        for (int i = 0; i < size; i++) {
            out.add(new Sensor(id(i), type(i), lon(i), lat(i), component(i), 60, null));
        }
        return out;
    }

    /** Whether sensor {@code i} takes part in the rules job's scripted events (one water sensor in 50 floods). */
    static boolean floods(int i) {
        return type(i) == SensorType.WATER_LEVEL && (i / 10) % 50 == 0;
    }

    /**
     * The values of sensor {@code i}'s reading number {@code round}: quiet, with a fill level that grows and is emptied,
     * and (for {@link #floods}) water of 40 cm in rounds 5–14 (raises after the default 5-minute hold, then clears).
     */
    static LinkedHashMap<String, Double> values(int i, int round) {
        LinkedHashMap<String, Double> v = new LinkedHashMap<>(4);
        switch (type(i)) {
            case WATER_LEVEL -> v.put("water_level_cm", floods(i) && round >= 5 && round < 15 ? 40.0 : (i + round) % 7 == 0 ? 1.5 : 0.0);
            case MANHOLE -> {
                v.put("tilt_deg", (double) ((i + round) % 4));
                v.put("cover_open", 0.0);
            }
            case BIN_FILL -> v.put("fill_pct", (double) ((i * 7 + round * 3) % 85));
            case ROAD_WEATHER -> {
                v.put("snow_depth_cm", 0.0);
                v.put("road_temp_c", 4.0 + (i + round) % 5);
            }
            case RAIN_GAUGE -> v.put("rain_mm", (i + round) % 13 == 0 ? 0.5 : 0.0);
        }
        v.put("battery_pct", 80.0);
        return v;
    }

    /** The normalised reading that ingest would write for sensor {@code i}'s reading {@code round} at {@code ts}. */
    Reading reading(int i, int round, long ts) {
        return new Reading(Reading.SCHEMA, id(i), type(i), Reading.TELEMETRY, ts, Instant.ofEpochMilli(ts).toString(), ts + 200,
                (long) round, values(i, round), null, lon(i), lat(i), gridCode[i], districtCode[i], component(i), 60);
    }

    /** The device's MQTT payload (CONTRACTS.md §1) for a quiet reading of sensor {@code i}, or with water {@code waterCm}. */
    static byte[] payload(int i, long seq, long ts, double waterCm) {
        StringBuilder b = new StringBuilder(96).append("{\"ts\":").append(ts).append(",\"values\":{");
        switch (type(i)) {
            case WATER_LEVEL -> b.append("\"water_level_cm\":").append(waterCm);
            case MANHOLE -> b.append("\"tilt_deg\":").append(seq % 4).append(",\"cover_open\":0");
            case BIN_FILL -> b.append("\"fill_pct\":").append((i * 7 + seq * 3) % 85);
            case ROAD_WEATHER -> b.append("\"snow_depth_cm\":0,\"road_temp_c\":").append(4 + (i + seq) % 5);
            case RAIN_GAUGE -> b.append("\"rain_mm\":").append((i + seq) % 13 == 0 ? "0.5" : "0");
        }
        return b.append(",\"battery_pct\":80},\"seq\":").append(seq).append('}').toString().getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    }
}
