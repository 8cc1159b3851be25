package io.gridwatch.cli;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonGenerator;
import io.gridwatch.admin.Community;
import io.gridwatch.admin.District;
import io.gridwatch.admin.Street;
import io.gridwatch.geo.Gcj02;
import io.gridwatch.geo.LonLat;
import io.gridwatch.geo.Utm51N;
import io.gridwatch.grid.GridLocation;
import io.gridwatch.grid.GridPartitioner;
import io.gridwatch.grid.GridSet;
import io.gridwatch.grid.UnitGrid;
import io.gridwatch.json.Json;
import io.gridwatch.store.Database;
import io.gridwatch.store.GridStore;
import org.locationtech.jts.geom.Coordinate;
import org.locationtech.jts.geom.Geometry;
import org.locationtech.jts.geom.GeometryFactory;
import org.locationtech.jts.geom.Point;
import org.locationtech.jts.io.geojson.GeoJsonWriter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code gridwatch grids build | locate | export}: the Dalian unit grids (万米单元网格). */
@Command(name = "grids", description = "The unit grids (万米单元网格) of the four districts.",
        subcommands = {GridsCommand.Build.class, GridsCommand.Locate.class, GridsCommand.Export.class})
final class GridsCommand implements Callable<Integer> {

    @ParentCommand
    Gridwatch top;

    @Override
    public Integer call() {
        new picocli.CommandLine(this).usage(System.out);
        return 0;
    }

    /** Per district: streets, communities, grids, interior grids, area. */
    static void printSummary(PrintStream out, GridSet set) {
        ConsoleTable t = new ConsoleTable("district", "code", "streets", "communities", "grids", "interior", "area km²")
                .right(2, 3, 4, 5, 6);
        int grids = 0;
        double area = 0;
        for (District d : set.divisions().districts()) {
            List<UnitGrid> gs = set.grids().stream().filter(g -> g.districtCode().equals(d.code())).toList();
            double a = gs.stream().mapToDouble(UnitGrid::areaM2).sum();
            List<Street> streets = set.divisions().streetsOf(d.code());
            long communities = streets.stream().mapToLong(s -> set.divisions().communitiesOf(s.code()).size()).sum();
            t.row(d.name(), d.code(), streets.size(), communities, gs.size(), gs.stream().filter(UnitGrid::interior).count(),
                    String.format(Locale.ROOT, "%.1f", a / 1e6));
            grids += gs.size();
            area += a;
        }
        t.row("total", "", set.divisions().streets().size(), set.divisions().communities().size(), grids,
                set.grids().stream().filter(UnitGrid::interior).count(), String.format(Locale.ROOT, "%.1f", area / 1e6));
        t.print(out);
        set.managementAreas().forEach(a -> out.println("management area " + a.name() + " (管理区): streets "
                + a.streets().stream().map(s -> set.divisions().street(s).map(Street::name).orElse(s) + " " + s).toList()));
        out.println("note: " + GridSet.SYNTHETIC_NOTE);
    }

    /** Per street: communities and grids; with {@code firstOfEachDistrict}, one street per district. */
    static void printStreets(PrintStream out, GridSet set, boolean firstOfEachDistrict) {
        ConsoleTable t = new ConsoleTable("district", "street", "code", "communities", "grids", "area km²").right(3, 4, 5);
        java.util.Set<String> shown = new java.util.HashSet<>();
        for (Street s : set.divisions().streets()) {
            if (firstOfEachDistrict && !shown.add(s.districtCode())) {
                continue;
            }
            List<Community> cs = set.divisions().communitiesOf(s.code());
            long grids = cs.stream().mapToLong(c -> set.gridsOf(c.code()).size()).sum();
            double area = cs.stream().flatMap(c -> set.gridsOf(c.code()).stream()).mapToDouble(UnitGrid::areaM2).sum();
            t.row(set.divisions().district(s.districtCode()).orElseThrow().name(),
                    s.name() + set.managementAreaOf(s.code()).map(a -> " [" + a + "]").orElse(""),
                    s.code(), cs.size(), grids, String.format(Locale.ROOT, "%.1f", area / 1e6));
        }
        t.print(out);
    }

    /** Prints where a WGS-84 point lies; returns false when it is outside every grid. */
    static boolean printLocation(PrintStream out, Workspace ws, LonLat p) {
        var found = ws.index().lookup(p.lon(), p.lat());
        if (found.isEmpty()) {
            out.println(outsideMessage(ws.grids(), p));
            return false;
        }
        GridLocation l = found.get();
        out.printf("point      %s (WGS-84)%n", p);
        out.printf("grid       %s  (%.0f m², synthetic)%n", l.gridCode(), l.areaM2());
        out.printf("district   %s %s%n", l.district(), l.districtCode());
        out.printf("street     %s %s%s%n", l.street(), l.streetCode(), l.managementArea().map(a -> "  (management area " + a + ")").orElse(""));
        out.printf("community  %s %s%n", l.community(), l.communityCode());
        return true;
    }

    static String outsideMessage(GridSet set, LonLat p) {
        double[] xy = Utm51N.forward(p.lon(), p.lat());
        Point pt = new GeometryFactory().createPoint(new Coordinate(xy[0], xy[1]));
        String nearest = null;
        double best = Double.MAX_VALUE;
        for (District d : set.divisions().districts()) {
            double dist = set.districtUtm(d.code()).distance(pt);
            if (dist < best) {
                best = dist;
                nearest = d.name();
            }
        }
        return String.format(Locale.ROOT, "%s (WGS-84) is outside the unit grids of %s; the nearest district is %s, %.1f km away",
                p, set.divisions().districts().stream().map(District::name).toList(), nearest, best / 1000);
    }

    @Command(name = "build", description = "Derive the unit grids from the district boundaries and store them in PostgreSQL.")
    static final class Build implements Callable<Integer> {
        @ParentCommand
        GridsCommand grids;

        @Option(names = "--streets", description = "also list every street")
        boolean streets;

        @Override
        public Integer call() {
            Workspace ws = grids.top.workspace();
            GridSet set = ws.grids();
            System.out.printf("derived (or read from var/cache) %,d unit grids in %.1f s%n", set.grids().size(), ws.gridBuildMillis() / 1000.0);
            try (Database db = ws.database()) {
                long t0 = System.nanoTime();
                GridStore.Written w = new GridStore(db.dataSource()).write(set);
                System.out.printf("stored in PostgreSQL (%s) in %.1f s: %d districts, %d streets, %d communities, %,d grids%s%n",
                        ws.config().stack().postgres().jdbcUrl(), (System.nanoTime() - t0) / 1e9, w.districts(), w.streets(),
                        w.communities(), w.grids(), w.removed() > 0 ? ", removed " + w.removed() + " obsolete" : "");
            }
            printSummary(System.out, set);
            if (streets) {
                printStreets(System.out, set, false);
            }
            return 0;
        }
    }

    @Command(name = "locate", description = "Print the unit grid, community, street and district of a point.",
            footer = "Exit status 3 when the point lies outside every grid.")
    static final class Locate implements Callable<Integer> {
        @ParentCommand
        GridsCommand grids;

        @Parameters(index = "0", paramLabel = "LON", description = "longitude in degrees (WGS-84 unless --gcj02)")
        double lon;

        @Parameters(index = "1", paramLabel = "LAT", description = "latitude in degrees")
        double lat;

        @Option(names = "--gcj02", description = "the point is in GCJ-02, as Chinese web maps give it")
        boolean gcj02;

        @Option(names = "--json", description = "print one JSON object")
        boolean json;

        @Override
        public Integer call() throws IOException {
            LonLat p = new LonLat(lon, lat);
            if (gcj02) {
                p = Gcj02.toWgs84(p);
            }
            Workspace ws = grids.top.workspace();
            if (json) {
                Map<String, Object> o = new LinkedHashMap<>();
                o.put("lon", p.lon());
                o.put("lat", p.lat());
                var l = ws.index().lookup(p.lon(), p.lat());
                if (l.isPresent()) {
                    GridLocation g = l.get();
                    o.put("grid", ordered("code", g.gridCode(), "area_m2", g.areaM2(), "synthetic", true));
                    o.put("district", ordered("code", g.districtCode(), "name", g.district()));
                    o.put("street", ordered("code", g.streetCode(), "name", g.street()));
                    o.put("community", ordered("code", g.communityCode(), "name", g.community()));
                    o.put("management_area", g.managementArea().orElse(null));
                } else {
                    o.put("grid", null);
                    o.put("message", outsideMessage(ws.grids(), p));
                }
                System.out.println(Json.mapper().writeValueAsString(o));
                return l.isPresent() ? 0 : Gridwatch.NOT_FOUND;
            }
            return printLocation(System.out, ws, p) ? 0 : Gridwatch.NOT_FOUND;
        }
    }

    @Command(name = "export", description = "Write the grids (or communities, streets, districts) as GeoJSON in WGS-84.")
    static final class Export implements Callable<Integer> {
        @ParentCommand
        GridsCommand grids;

        @Option(names = "--geojson", required = true, paramLabel = "FILE", description = "where to write the FeatureCollection")
        Path file;

        @Option(names = "--level", defaultValue = "grid", description = "grid, community, street or district (default: ${DEFAULT-VALUE})")
        String level;

        @Option(names = "--district", paramLabel = "CODE", description = "only this district (6-digit code)")
        String district;

        @Override
        public Integer call() throws IOException {
            if (!List.of("grid", "community", "street", "district").contains(level)) {
                throw new IllegalArgumentException("--level must be grid, community, street or district, not '" + level + "'");
            }
            GridSet set = grids.top.workspace().grids();
            if (district != null && set.divisions().district(district).isEmpty()) {
                throw new IllegalArgumentException("unknown district '" + district + "'; known: "
                        + set.divisions().districts().stream().map(d -> d.code() + " " + d.name()).toList());
            }
            int n = write(set, file, level, district);
            System.out.printf("wrote %,d %s features to %s (%,d bytes)%n", n, level, file.toAbsolutePath(), Files.size(file));
            return 0;
        }
    }

    private static Map<String, Object> ordered(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }

    /** Writes a GeoJSON FeatureCollection; returns the number of features. */
    static int write(GridSet set, Path file, String level, String onlyDistrict) throws IOException {
        if (file.toAbsolutePath().getParent() != null) {
            Files.createDirectories(file.toAbsolutePath().getParent());
        }
        GeoJsonWriter geo = new GeoJsonWriter(7);
        geo.setEncodeCRS(false);
        int n = 0;
        try (OutputStream os = Files.newOutputStream(file);
             JsonGenerator g = Json.mapper().getFactory().createGenerator(os, JsonEncoding.UTF8)) {
            g.writeStartObject();
            g.writeStringField("type", "FeatureCollection");
            g.writeObjectFieldStart("gridwatch");
            g.writeStringField("crs", "WGS-84 (EPSG:4326)");
            g.writeStringField("level", level);
            g.writeStringField("note", GridSet.SYNTHETIC_NOTE);
            g.writeEndObject();
            g.writeArrayFieldStart("features");
            for (District d : set.divisions().districts()) {
                if (onlyDistrict != null && !onlyDistrict.equals(d.code())) {
                    continue;
                }
                switch (level) {
                    case "district" -> {
                        feature(g, geo, d.wgs84(), ordered("code", d.code(), "name", d.name(), "synthetic", false,
                                "area_m2", Math.round(set.districtUtm(d.code()).getArea())));
                        n++;
                    }
                    case "street" -> {
                        for (Street s : set.divisions().streetsOf(d.code())) {
                            Geometry utm = set.streetUtm(s.code());
                            feature(g, geo, GridPartitioner.toWgs84(utm), props(s.code(), s.name(), d, s, null, utm.getArea(),
                                    set.managementAreaOf(s.code()).orElse(null)));
                            n++;
                        }
                    }
                    case "community" -> {
                        for (Street s : set.divisions().streetsOf(d.code())) {
                            for (Community c : set.divisions().communitiesOf(s.code())) {
                                Geometry utm = set.communityUtm(c.code());
                                feature(g, geo, GridPartitioner.toWgs84(utm), props(c.code(), c.name(), d, s, c, utm.getArea(),
                                        set.managementAreaOf(s.code()).orElse(null)));
                                n++;
                            }
                        }
                    }
                    default -> {
                        for (UnitGrid u : set.grids()) {
                            if (!u.districtCode().equals(d.code())) {
                                continue;
                            }
                            Map<String, Object> p = props(u.code(), null, d, set.street(u), set.community(u), u.areaM2(),
                                    set.managementAreaOf(u.streetCode()).orElse(null));
                            p.put("seq", u.seq());
                            p.put("interior", u.interior());
                            feature(g, geo, GridPartitioner.toWgs84(u.utm()), p);
                            n++;
                        }
                    }
                }
            }
            g.writeEndArray();
            g.writeEndObject();
        }
        return n;
    }

    private static Map<String, Object> props(String code, String name, District d, Street s, Community c, double area, String mgmt) {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("code", code);
        if (name != null) {
            p.put("name", name);
        }
        p.put("district", d.name());
        p.put("street", s.name());
        if (c != null) {
            p.put("community", c.name());
        }
        if (mgmt != null) {
            p.put("management_area", mgmt);
        }
        p.put("area_m2", Math.round(area * 10) / 10.0);
        p.put("synthetic", true);
        return p;
    }

    private static void feature(JsonGenerator g, GeoJsonWriter geo, Geometry wgs, Map<String, Object> props) throws IOException {
        g.writeStartObject();
        g.writeStringField("type", "Feature");
        g.writeFieldName("geometry");
        g.writeRawValue(geo.write(wgs));
        g.writeObjectField("properties", props);
        g.writeEndObject();
    }
}
