package io.gridwatch.camera;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.gridwatch.sensor.TelemetryParser;
import org.locationtech.jts.geom.Polygon;
import org.locationtech.jts.operation.valid.IsValidOp;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * The camera registry file of CONTRACTS.md §2, YAML read by Jackson into a tree and judged key by key, so that every
 * problem of the file is found in one pass. A file is read whole or not at all: each problem is reported as
 * {@code cameras[2] (cam-zs-0001).zones[0].polygon: needs at least 3 points} and nothing is returned.
 *
 * <p>The same JSON shape is what the store keeps ({@link #toJson}, {@link #fromJson}).
 */
public final class CameraFile {

    /** URL schemes a stream may have; anything else must be an existing file. */
    public static final List<String> SCHEMES = List.of("rtsp", "http", "https", "udp", "tcp");
    /** Ids become Kafka keys and evidence file names, so they stay plain. */
    public static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");

    private static final Set<String> TOP_KEYS = Set.of("cameras");
    private static final Set<String> CAMERA_KEYS = new LinkedHashSet<>(List.of("id", "url", "location", "calibration", "zones"));
    private static final Set<String> LOCATION_KEYS = new LinkedHashSet<>(List.of("lon", "lat"));
    private static final Set<String> POINT_KEYS = new LinkedHashSet<>(List.of("image", "ground"));
    private static final Set<String> ZONE_KEYS = new LinkedHashSet<>(List.of("name", "purpose", "polygon", "schedule"));

    /** A key given twice (two {@code zones:} of one camera) would otherwise lose the first silently. */
    private static final ObjectMapper YAML = JsonMapper.builder(new YAMLFactory())
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();

    private CameraFile() {
    }

    /**
     * What a camera needs beyond the file's format to work where it will run.
     *
     * @param grids   a camera outside every unit grid is refused; null skips the check
     * @param baseDir relative file URLs are resolved against it and must exist; null takes file URLs as they are
     */
    public record Checks(TelemetryParser.GridLookup grids, Path baseDir) {
        /** Only the format: for cameras already stored. */
        public static final Checks FORMAT_ONLY = new Checks(null, null);
    }

    /** Reads a UTF-8 registry file; relative file URLs are taken from the file's folder. */
    public static List<Camera> read(Path file, TelemetryParser.GridLookup grids) {
        String text;
        try {
            text = Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
        Path dir = file.toAbsolutePath().getParent();
        return read(text, file.toString(), new Checks(grids, dir));
    }

    /**
     * Reads registry YAML; {@code source} names it in the error.
     *
     * @throws InvalidCameraFileException with every problem found, when there is any
     */
    public static List<Camera> read(String yaml, String source, Checks checks) {
        JsonNode root;
        try {
            root = YAML.readTree(yaml);
        } catch (JsonProcessingException e) {
            throw new InvalidCameraFileException(source, List.of("not readable as YAML: " + e.getOriginalMessage()
                    + (e.getLocation() == null ? "" : " (line " + e.getLocation().getLineNr() + ")")));
        }
        List<String> errors = new ArrayList<>();
        if (root == null || root.isMissingNode() || !root.isObject()) {
            throw new InvalidCameraFileException(source, List.of("the file must be a mapping with the key 'cameras' (CONTRACTS.md §2)"));
        }
        unknownKeys(root, TOP_KEYS, "", errors);
        JsonNode list = root.get("cameras");
        if (list == null || !list.isArray()) {
            errors.add("cameras: " + (list == null ? "missing" : "must be a list of cameras"));
            throw new InvalidCameraFileException(source, errors);
        }
        List<Camera> cameras = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < list.size(); i++) {
            JsonNode c = list.get(i);
            String id = c.path("id").isTextual() ? c.get("id").asText() : null;
            String at = "cameras[" + i + "]" + (id == null ? "" : " (" + id + ")");
            if (id != null && !seen.add(id)) {
                errors.add(at + ".id: '" + id + "' appears again; each camera once");
                continue;
            }
            camera(c, at, errors, checks).ifPresent(cameras::add);
        }
        if (!errors.isEmpty()) {
            throw new InvalidCameraFileException(source, errors);
        }
        return List.copyOf(cameras);
    }

    /** A stored camera back from its JSON form (trusted: only the format is checked). */
    public static Camera fromJson(JsonNode node) {
        List<String> errors = new ArrayList<>();
        Optional<Camera> c = camera(node, "camera " + node.path("id").asText("?"), errors, Checks.FORMAT_ONLY);
        if (!errors.isEmpty()) {
            throw new InvalidCameraFileException("stored camera", errors);
        }
        return c.orElseThrow();
    }

    /** The camera in the shape of §2 (one entry of {@code cameras}), as JSON. */
    public static ObjectNode toJson(Camera camera) {
        JsonNodeFactory f = JsonNodeFactory.instance;
        ObjectNode o = f.objectNode();
        o.put("id", camera.id());
        o.put("url", camera.url());
        o.putObject("location").put("lon", camera.location().lon()).put("lat", camera.location().lat());
        camera.calibration().ifPresent(cal -> o.set("calibration", calibrationJson(cal)));
        o.set("zones", zonesJson(camera.zones()));
        return o;
    }

    public static ArrayNode calibrationJson(Calibration cal) {
        ArrayNode a = JsonNodeFactory.instance.arrayNode();
        for (CalibrationPoint p : cal.points()) {
            ObjectNode q = a.addObject();
            q.putArray("image").add(p.image().x()).add(p.image().y());
            q.putArray("ground").add(p.ground().lon()).add(p.ground().lat());
        }
        return a;
    }

    public static ArrayNode zonesJson(List<CameraZone> zones) {
        ArrayNode a = JsonNodeFactory.instance.arrayNode();
        for (CameraZone z : zones) {
            ObjectNode q = a.addObject();
            q.put("name", z.name());
            q.put("purpose", z.purpose().id());
            ArrayNode poly = q.putArray("polygon");
            z.polygon().forEach(p -> poly.addArray().add(p.x()).add(p.y()));
            z.schedule().ifPresent(s -> q.put("schedule", s.toString()));
        }
        return a;
    }

    private static Optional<Camera> camera(JsonNode c, String at, List<String> errors, Checks checks) {
        if (!c.isObject()) {
            errors.add(at + ": must be a mapping with the keys " + CAMERA_KEYS);
            return Optional.empty();
        }
        int before = errors.size();
        unknownKeys(c, CAMERA_KEYS, at + ".", errors);
        String id = text(c, "id", at, errors);
        if (id != null && !ID.matcher(id).matches()) {
            errors.add(at + ".id: '" + id + "' must be 1..64 letters, digits, '.', '_' or '-', starting with a letter or digit");
        }
        String url = text(c, "url", at, errors);
        if (url != null) {
            url = url(url, at + ".url", errors, checks.baseDir());
        }
        GroundPoint location = null;
        JsonNode loc = c.get("location");
        if (loc == null) {
            errors.add(at + ".location: missing; where the camera stands, {lon: …, lat: …} in WGS-84");
        } else if (!loc.isObject()) {
            errors.add(at + ".location: must be {lon: …, lat: …} in WGS-84");
        } else {
            unknownKeys(loc, LOCATION_KEYS, at + ".location.", errors);
            Double lon = number(loc.get("lon"), at + ".location.lon", -180, 180, errors);
            Double lat = number(loc.get("lat"), at + ".location.lat", -90, 90, errors);
            if (lon != null && lat != null) {
                location = new GroundPoint(lon, lat);
                if (checks.grids() != null && checks.grids().lookup(lon, lat).isEmpty()) {
                    errors.add(at + ".location: " + lon + ", " + lat + " (WGS-84) lies outside every unit grid, so the camera's cases "
                            + "could not be placed or assigned (gridwatch grids locate LON LAT tells whether a point is inside)");
                }
            }
        }
        Optional<Calibration> calibration = calibration(c.get("calibration"), at + ".calibration", errors);
        List<CameraZone> zones = zones(c.get("zones"), at + ".zones", errors);
        if (errors.size() > before) {
            return Optional.empty();
        }
        return Optional.of(new Camera(id, url, location, calibration, zones));
    }

    private static String url(String url, String at, List<String> errors, Path baseDir) {
        String scheme = null;
        int colon = url.indexOf("://");
        if (colon > 0) {
            scheme = url.substring(0, colon).toLowerCase(Locale.ROOT);
        }
        if (scheme != null) {
            if (!SCHEMES.contains(scheme)) {
                errors.add(at + ": scheme '" + scheme + "' is not supported; one of " + SCHEMES + ", or a file path");
                return null;
            }
            try {
                URI u = new URI(url);
                if (u.getHost() == null || u.getHost().isEmpty()) {
                    errors.add(at + ": a " + scheme + ":// URL must name a host, e.g. " + scheme + "://192.168.1.10:554/stream");
                    return null;
                }
            } catch (URISyntaxException e) {
                // the URL itself is left out: it may carry a password
                errors.add(at + ": not a valid URL (" + e.getReason() + " at character " + e.getIndex()
                        + "); characters such as '#', '@' or spaces in a password must be percent-encoded");
                return null;
            }
            return url;
        }
        if (url.isBlank()) {
            errors.add(at + ": empty; a stream URL (" + String.join("|", SCHEMES) + "://…) or a file path");
            return null;
        }
        if (baseDir == null) {
            return url;
        }
        try {
            Path p = baseDir.resolve(url).toAbsolutePath().normalize();
            if (!Files.isRegularFile(p)) {
                errors.add(at + ": '" + url + "' is neither a stream URL (" + String.join("|", SCHEMES) + "://…) nor an existing file (looked for "
                        + p + ")");
                return null;
            }
            // stored absolute so that ingest, started elsewhere, finds the same file
            return p.toString();
        } catch (InvalidPathException e) {
            errors.add(at + ": '" + url + "' is not a valid file path: " + e.getReason());
            return null;
        }
    }

    private static Optional<Calibration> calibration(JsonNode node, String at, List<String> errors) {
        if (node == null || node.isNull()) {
            return Optional.empty();
        }
        if (!node.isArray()) {
            errors.add(at + ": must be a list of {image: [x, y], ground: [lon, lat]}");
            return Optional.empty();
        }
        List<CalibrationPoint> points = new ArrayList<>();
        boolean ok = true;
        for (int i = 0; i < node.size(); i++) {
            JsonNode p = node.get(i);
            String pat = at + "[" + i + "]";
            if (!p.isObject()) {
                errors.add(pat + ": must be {image: [x, y], ground: [lon, lat]}");
                ok = false;
                continue;
            }
            int before = errors.size();
            unknownKeys(p, POINT_KEYS, pat + ".", errors);
            double[] image = pair(p.get("image"), pat + ".image", "[x, y], fractions 0..1 of the image", 0, 1, 0, 1, errors);
            double[] ground = pair(p.get("ground"), pat + ".ground", "[lon, lat] in WGS-84", -180, 180, -90, 90, errors);
            if (errors.size() > before) {
                ok = false;
            } else {
                points.add(new CalibrationPoint(new ImagePoint(image[0], image[1]), new GroundPoint(ground[0], ground[1])));
            }
        }
        if (!ok) {
            return Optional.empty();
        }
        try {
            return Optional.of(Calibration.fit(points));
        } catch (IllegalArgumentException e) {
            errors.add(at + ": " + e.getMessage());
            return Optional.empty();
        }
    }

    private static List<CameraZone> zones(JsonNode node, String at, List<String> errors) {
        if (node == null || node.isNull()) {
            return List.of();
        }
        if (!node.isArray()) {
            errors.add(at + ": must be a list of zones {name, purpose, polygon, schedule}");
            return List.of();
        }
        List<CameraZone> zones = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (int i = 0; i < node.size(); i++) {
            JsonNode z = node.get(i);
            String zat = at + "[" + i + "]";
            if (!z.isObject()) {
                errors.add(zat + ": must be a mapping with the keys " + ZONE_KEYS);
                continue;
            }
            int before = errors.size();
            unknownKeys(z, ZONE_KEYS, zat + ".", errors);
            String name = text(z, "name", zat, errors);
            if (name != null && !names.add(name)) {
                errors.add(zat + ".name: '" + name + "' appears again in this camera; zone names are unique per camera");
            }
            ZonePurpose purpose = parsed(text(z, "purpose", zat, errors), ZonePurpose::of, zat + ".purpose", errors);
            List<ImagePoint> polygon = polygon(z.get("polygon"), zat + ".polygon", errors);
            JsonNode s = z.get("schedule");
            Optional<ZoneSchedule> schedule = Optional.empty();
            if (s != null && !s.isNull()) {
                schedule = Optional.ofNullable(parsed(s.isTextual() ? s.asText() : s.toString(), ZoneSchedule::parse, zat + ".schedule", errors));
            }
            if (errors.size() == before) {
                zones.add(new CameraZone(name, purpose, polygon, schedule));
            }
        }
        return zones;
    }

    private static List<ImagePoint> polygon(JsonNode node, String at, List<String> errors) {
        if (node == null) {
            errors.add(at + ": missing; a list of [x, y] image points, fractions 0..1");
            return null;
        }
        if (!node.isArray()) {
            errors.add(at + ": must be a list of [x, y] image points, fractions 0..1");
            return null;
        }
        if (node.size() < 3) {
            errors.add(at + ": needs at least 3 points, got " + node.size());
            return null;
        }
        List<ImagePoint> points = new ArrayList<>();
        int before = errors.size();
        for (int i = 0; i < node.size(); i++) {
            double[] p = pair(node.get(i), at + "[" + i + "]", "[x, y], fractions 0..1 of the image", 0, 1, 0, 1, errors);
            if (p != null) {
                points.add(new ImagePoint(p[0], p[1]));
            }
        }
        if (errors.size() > before) {
            return null;
        }
        if (points.get(0).equals(points.get(points.size() - 1))) {
            points.remove(points.size() - 1); // a closed ring as GeoJSON writes it is the same polygon
            if (points.size() < 3) {
                errors.add(at + ": needs at least 3 distinct points");
                return null;
            }
        }
        Polygon g = new CameraZone("check", ZonePurpose.ROADWAY, points, Optional.empty()).geometry();
        IsValidOp valid = new IsValidOp(g);
        if (!valid.isValid()) {
            errors.add(at + ": not a valid polygon: " + valid.getValidationError().getMessage()
                    + " near " + String.format(Locale.ROOT, "[%.3f, %.3f]", valid.getValidationError().getCoordinate().x,
                    valid.getValidationError().getCoordinate().y) + "; list the corners in order around the zone");
            return null;
        }
        if (g.getArea() <= 0) {
            errors.add(at + ": encloses no area");
            return null;
        }
        return points;
    }

    private static double[] pair(JsonNode node, String at, String what, double min0, double max0, double min1, double max1, List<String> errors) {
        if (node == null) {
            errors.add(at + ": missing; " + what);
            return null;
        }
        if (!node.isArray() || node.size() != 2 || !node.get(0).isNumber() || !node.get(1).isNumber()) {
            errors.add(at + ": must be " + what + ", got " + node);
            return null;
        }
        double a = node.get(0).asDouble();
        double b = node.get(1).asDouble();
        if (!(a >= min0 && a <= max0 && b >= min1 && b <= max1)) {
            errors.add(at + ": " + node + " is out of range; " + what);
            return null;
        }
        return new double[]{a, b};
    }

    private static Double number(JsonNode node, String at, double min, double max, List<String> errors) {
        if (node == null) {
            errors.add(at + ": missing");
            return null;
        }
        if (!node.isNumber()) {
            errors.add(at + ": must be a number, got " + node);
            return null;
        }
        double v = node.asDouble();
        if (!(v >= min && v <= max)) {
            errors.add(at + ": " + v + " is outside " + (long) min + ".." + (long) max);
            return null;
        }
        return v;
    }

    private static String text(JsonNode parent, String key, String at, List<String> errors) {
        JsonNode n = parent.get(key);
        if (n == null || n.isNull()) {
            errors.add(at + "." + key + ": missing");
            return null;
        }
        if (!n.isTextual() || n.asText().isBlank()) {
            errors.add(at + "." + key + ": must be a non-empty text, got " + n);
            return null;
        }
        return n.asText().trim();
    }

    private static <T> T parsed(String text, Function<String, T> parser, String at, List<String> errors) {
        if (text == null) {
            return null;
        }
        try {
            return parser.apply(text);
        } catch (IllegalArgumentException e) {
            errors.add(at + ": " + e.getMessage());
            return null;
        }
    }

    private static void unknownKeys(JsonNode node, Set<String> known, String prefix, List<String> errors) {
        Iterator<String> names = node.fieldNames();
        while (names.hasNext()) {
            String k = names.next();
            if (!known.contains(k)) {
                errors.add(prefix + k + ": unknown key '" + k + "'; the keys here are " + known);
            }
        }
    }

    /** A registry file with problems; nothing of it is imported. */
    public static final class InvalidCameraFileException extends IllegalArgumentException {
        private final List<String> errors;

        public InvalidCameraFileException(String source, List<String> errors) {
            super(source + ": " + errors.size() + " problem" + (errors.size() == 1 ? "" : "s") + ", nothing imported:\n  "
                    + String.join("\n  ", errors));
            this.errors = List.copyOf(errors);
        }

        public List<String> errors() {
            return errors;
        }
    }
}
