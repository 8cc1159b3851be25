package io.gridwatch.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.gridwatch.geo.Gcj02;
import io.gridwatch.geo.LonLat;
import io.gridwatch.geo.PointTransform;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVRecord;
import org.locationtech.jts.geom.Geometry;
import org.locationtech.jts.io.ParseException;
import org.locationtech.jts.io.geojson.GeoJsonReader;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The districts, streets and communities of the area gridwatch covers: real district
 * boundaries and real codes, read from the files shipped under {@value #DALIAN}
 * (see SOURCES.md there for where they come from).
 */
public final class AdministrativeDivisions implements java.io.Serializable {

    private static final long serialVersionUID = 1L;

    public static final String DALIAN = "/io/gridwatch/dalian/";

    private static final PointTransform GCJ02_TO_WGS84 = (lon, lat) -> {
        LonLat w = Gcj02.toWgs84(new LonLat(lon, lat));
        return new double[] {w.lon(), w.lat()};
    };

    private final List<District> districts;
    private final List<Street> streets;
    private final List<Community> communities;
    private final Map<String, District> districtByCode;
    private final Map<String, Street> streetByCode;
    private final Map<String, Community> communityByCode;

    public AdministrativeDivisions(List<District> districts, List<Street> streets, List<Community> communities) {
        this.districts = districts.stream().sorted(Comparator.comparing(District::code)).toList();
        this.streets = streets.stream().sorted(Comparator.comparing(Street::code)).toList();
        this.communities = communities.stream().sorted(Comparator.comparing(Community::code)).toList();
        this.districtByCode = index(this.districts, District::code, "district");
        this.streetByCode = index(this.streets, Street::code, "street");
        this.communityByCode = index(this.communities, Community::code, "community");
        for (Street s : this.streets) {
            if (!districtByCode.containsKey(s.districtCode())) {
                throw new IllegalArgumentException("street " + s.code() + " " + s.name() + " names unknown district " + s.districtCode());
            }
        }
        for (Community c : this.communities) {
            if (!streetByCode.containsKey(c.streetCode())) {
                throw new IllegalArgumentException("community " + c.code() + " " + c.name() + " names unknown street " + c.streetCode());
            }
        }
    }

    /** Dalian's four built-up districts (中山区, 西岗区, 沙河口区, 甘井子区), from the shipped files. */
    public static AdministrativeDivisions dalian() {
        List<District> districts = readDistrictsGcj02(DALIAN + "districts.gcj02.geojson");
        var codes = districts.stream().map(District::code).collect(Collectors.toSet());
        List<Street> streets = readCsv(DALIAN + "streets.csv", r -> new Street(r.get("code"), r.get("name"), r.get("areaCode")))
                .stream().filter(s -> codes.contains(s.districtCode())).toList();
        var streetCodes = streets.stream().map(Street::code).collect(Collectors.toSet());
        List<Community> communities = readCsv(DALIAN + "communities.csv",
                r -> new Community(r.get("code"), r.get("name"), r.get("streetCode")))
                .stream().filter(c -> streetCodes.contains(c.streetCode())).toList();
        return new AdministrativeDivisions(districts, streets, communities);
    }

    public List<District> districts() {
        return districts;
    }

    public List<Street> streets() {
        return streets;
    }

    public List<Community> communities() {
        return communities;
    }

    public Optional<District> district(String code) {
        return Optional.ofNullable(districtByCode.get(code));
    }

    public Optional<Street> street(String code) {
        return Optional.ofNullable(streetByCode.get(code));
    }

    public Optional<Community> community(String code) {
        return Optional.ofNullable(communityByCode.get(code));
    }

    public List<Street> streetsOf(String districtCode) {
        return streets.stream().filter(s -> s.districtCode().equals(districtCode)).toList();
    }

    public List<Community> communitiesOf(String streetCode) {
        return communities.stream().filter(c -> c.streetCode().equals(streetCode)).toList();
    }

    /** Reads district polygons with GCJ-02 coordinates and converts every vertex to WGS-84. */
    static List<District> readDistrictsGcj02(String resource) {
        ObjectMapper mapper = new ObjectMapper();
        JsonNode root;
        try (InputStream in = open(resource)) {
            root = mapper.readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + resource, e);
        }
        List<District> out = new ArrayList<>();
        GeoJsonReader reader = new GeoJsonReader();
        for (JsonNode f : root.path("features")) {
            String name = f.path("properties").path("name").asText(null);
            String code = f.path("properties").path("adcode").asText(null);
            try {
                Geometry g = GCJ02_TO_WGS84.transform(reader.read(f.path("geometry").toString()));
                if (!g.isValid()) {
                    g = g.buffer(0);
                }
                out.add(new District(code, name, g));
            } catch (ParseException e) {
                throw new IllegalArgumentException(resource + ": bad geometry for district " + name + ": " + e.getMessage(), e);
            }
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException(resource + ": no district features");
        }
        return out;
    }

    private static <T> List<T> readCsv(String resource, Function<CSVRecord, T> row) {
        try (Reader in = new InputStreamReader(open(resource), StandardCharsets.UTF_8)) {
            List<T> out = new ArrayList<>();
            for (CSVRecord r : CSVFormat.DEFAULT.builder().setHeader().setSkipHeaderRecord(true).get().parse(in)) {
                try {
                    out.add(row.apply(r));
                } catch (RuntimeException e) {
                    throw new IllegalArgumentException(resource + " line " + r.getRecordNumber() + ": " + e.getMessage(), e);
                }
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + resource, e);
        }
    }

    private static InputStream open(String resource) {
        InputStream in = AdministrativeDivisions.class.getResourceAsStream(resource);
        if (in == null) {
            throw new IllegalStateException("missing resource " + resource);
        }
        return in;
    }

    private static <T> Map<String, T> index(List<T> items, Function<T, String> key, String what) {
        Map<String, T> m = new LinkedHashMap<>();
        for (T t : items) {
            if (m.put(key.apply(t), t) != null) {
                throw new IllegalArgumentException("duplicate " + what + " code " + key.apply(t));
            }
        }
        return Map.copyOf(m);
    }
}
