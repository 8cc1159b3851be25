package io.gridwatch.sensor;

import io.gridwatch.catalogue.Catalogue;
import io.gridwatch.catalogue.CatalogueClass;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The sensor registry file of CONTRACTS.md §1: CSV with the header
 * {@code sensor_id,type,lon,lat,component_code,interval_s,name}. {@link #REQUIRED} columns must be
 * there; the {@link #OPTIONAL} ones may be left out, or left empty in a row. Columns may come in any order.
 *
 * <p>A file is read whole or not at all: every bad row is reported, with its file, line and field,
 * and nothing is returned, so that an import never stores half a file. Beyond the format, a {@link RowCheck}
 * judges each row's sensor against what it will run on ({@link #inService}: a place inside the unit grids, a
 * component class of the catalogue); its problems refuse the file the same way.
 */
public final class SensorCsv {

    public static final List<String> REQUIRED = List.of("sensor_id", "type", "lon", "lat");
    public static final List<String> OPTIONAL = List.of("component_code", "interval_s", "name");

    private SensorCsv() {
    }

    /**
     * A check of one row's sensor beyond the file's format.
     */
    @FunctionalInterface
    public interface RowCheck {
        /** What keeps this sensor from working, each as {@code field: what}; empty when nothing does. */
        List<String> problems(Sensor sensor);
    }

    /** No check beyond the format. */
    public static final RowCheck FORMAT_ONLY = s -> List.of();

    /**
     * What a registered sensor needs to work: a place inside a unit grid (outside, its cases would have no grid, district
     * or department: a flood in the sea once raised case GW-000000-… alerted to district "unknown"), and an attached
     * component that is a 部件 class of the configured catalogue.
     */
    public static RowCheck inService(TelemetryParser.GridLookup grids, Catalogue catalogue) {
        return s -> {
            List<String> problems = new ArrayList<>();
            if (grids.lookup(s.lon(), s.lat()).isEmpty()) {
                problems.add("lon,lat: sensor '" + s.sensorId() + "' at " + s.lon() + ", " + s.lat()
                        + " (WGS-84) lies outside every unit grid, so its cases could not be placed or assigned; "
                        + "gridwatch covers the districts of its grids (gridwatch grids locate LON LAT tells whether a point is inside)");
            }
            if (s.componentCode() != null && !catalogue.isValid(CatalogueClass.Kind.COMPONENT, s.componentCode())) {
                problems.add("component_code: '" + s.componentCode() + "' of sensor '" + s.sensorId() + "' is not a component (部件) class of the "
                        + catalogue.edition().id() + " catalogue (gridwatch catalogue --kind component lists them)");
            }
            return problems;
        };
    }

    /** Reads a UTF-8 registry file. */
    public static List<Sensor> read(Path file) {
        return read(file, FORMAT_ONLY);
    }

    /** Reads a UTF-8 registry file, judging each row's sensor with {@code check} too. */
    public static List<Sensor> read(Path file, RowCheck check) {
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            return read(r, file.toString(), check);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * Reads registry rows; {@code source} names the input in error messages.
     *
     * @throws InvalidSensorFileException with every problem found, when there is any
     */
    public static List<Sensor> read(Reader in, String source) throws InvalidSensorFileException {
        return read(in, source, FORMAT_ONLY);
    }

    /**
     * Reads registry rows, judging each row's sensor with {@code check} too; {@code source} names the input in error messages.
     *
     * @throws InvalidSensorFileException with every problem found, when there is any
     */
    public static List<Sensor> read(Reader in, String source, RowCheck check) throws InvalidSensorFileException {
        CSVFormat format = CSVFormat.RFC4180.builder().setHeader().setSkipHeaderRecord(true)
                .setIgnoreEmptyLines(true).setTrim(true).get();
        List<String> errors = new ArrayList<>();
        List<Sensor> sensors = new ArrayList<>();
        try (CSVParser parser = CSVParser.builder().setReader(in).setFormat(format).get()) {
            List<String> header = parser.getHeaderNames().stream().map(h -> h.replace("\uFEFF", "").trim()).toList();
            Set<String> known = new LinkedHashSet<>(REQUIRED);
            known.addAll(OPTIONAL);
            for (String h : header) {
                if (!known.contains(h)) {
                    errors.add(source + ":1: unknown column '" + h + "'; the columns are " + known);
                }
            }
            for (String r : REQUIRED) {
                if (!header.contains(r)) {
                    errors.add(source + ":1: missing column '" + r + "'; the header must name at least " + REQUIRED);
                }
            }
            if (!errors.isEmpty()) {
                throw new InvalidSensorFileException(source, errors);
            }
            Map<String, Integer> column = new HashMap<>();
            for (int i = 0; i < header.size(); i++) {
                column.put(header.get(i), i);
            }
            Map<String, Long> firstLine = new HashMap<>();
            for (CSVRecord rec : parser) {
                long line = parser.getCurrentLineNumber();
                Row row = new Row(rec, column, source, line, errors);
                if (rec.size() != header.size()) {
                    errors.add(row.where(null) + "has " + rec.size() + " fields, the header has " + header.size());
                    continue;
                }
                Sensor s = row.sensor();
                if (s != null) {
                    Long before = firstLine.putIfAbsent(s.sensorId(), line);
                    if (before != null) {
                        errors.add(row.where("sensor_id") + "'" + s.sensorId() + "' appears again (first on line " + before + ")");
                    } else {
                        List<String> problems = check.problems(s);
                        problems.forEach(p -> errors.add(row.where(null) + p));
                        if (problems.isEmpty()) {
                            sensors.add(s);
                        }
                    }
                }
            }
        } catch (IOException | UncheckedIOException e) {
            throw new InvalidSensorFileException(source, List.of(source + ": not readable as CSV: " + e.getMessage()));
        } catch (IllegalArgumentException | IllegalStateException e) {
            if (e instanceof InvalidSensorFileException) {
                throw e;
            }
            // commons-csv: a duplicate header name, an unterminated quote …
            errors.add(source + ": " + e.getMessage());
        }
        if (!errors.isEmpty()) {
            throw new InvalidSensorFileException(source, errors);
        }
        return sensors;
    }

    /** One data row and where its problems are reported. */
    private record Row(CSVRecord rec, Map<String, Integer> column, String source, long line, List<String> errors) {

        String where(String field) {
            return source + ":" + line + ": " + (field == null ? "" : field + ": ");
        }

        String get(String field) {
            Integer i = column.get(field);
            if (i == null) {
                return null;
            }
            String v = rec.get(i);
            return v == null || v.isEmpty() ? null : v;
        }

        Sensor sensor() {
            int before = errors.size();
            String id = get("sensor_id");
            if (id == null) {
                errors.add(where("sensor_id") + "missing");
            } else if (!Sensor.ID_PATTERN.matcher(id).matches()) {
                errors.add(where("sensor_id") + "'" + id + "' must match " + Sensor.ID_PATTERN.pattern());
            }
            SensorType type = null;
            String t = get("type");
            if (t == null) {
                errors.add(where("type") + "missing; one of " + SensorType.ids());
            } else {
                try {
                    type = SensorType.of(t);
                } catch (IllegalArgumentException e) {
                    errors.add(where("type") + e.getMessage());
                }
            }
            double lon = number("lon", -180, 180);
            double lat = number("lat", -90, 90);
            String component = get("component_code");
            if (component != null && !Sensor.COMPONENT_CODE_PATTERN.matcher(component).matches()) {
                errors.add(where("component_code") + "'" + component + "' must be a 4- or 5-digit 部件 class code");
            }
            int interval = SensorType.DEFAULT_INTERVAL_S;
            String iv = get("interval_s");
            if (iv != null) {
                try {
                    interval = Integer.parseInt(iv);
                    if (interval <= 0) {
                        errors.add(where("interval_s") + "must be a positive number of seconds, got " + iv);
                    }
                } catch (NumberFormatException e) {
                    errors.add(where("interval_s") + "'" + iv + "' is not a whole number of seconds");
                }
            }
            if (errors.size() > before) {
                return null;
            }
            return new Sensor(id, type, lon, lat, component, interval, get("name"));
        }

        private double number(String field, double min, double max) {
            String v = get(field);
            if (v == null) {
                errors.add(where(field) + "missing (WGS-84 degrees)");
                return Double.NaN;
            }
            try {
                double d = Double.parseDouble(v);
                if (!(d >= min && d <= max)) {
                    errors.add(where(field) + v + " is outside " + (int) min + ".." + (int) max + " (WGS-84 degrees)");
                }
                return d;
            } catch (NumberFormatException e) {
                errors.add(where(field) + "'" + v + "' is not a number");
                return Double.NaN;
            }
        }
    }

    /** A registry file with problems; {@link #errors()} lists each as {@code file:line: field: what}. */
    public static final class InvalidSensorFileException extends IllegalArgumentException {
        private final List<String> errors;

        public InvalidSensorFileException(String source, List<String> errors) {
            super(source + ": " + errors.size() + " problem" + (errors.size() == 1 ? "" : "s") + ", nothing imported:\n  "
                    + String.join("\n  ", errors));
            this.errors = List.copyOf(errors);
        }

        public List<String> errors() {
            return errors;
        }
    }
}
