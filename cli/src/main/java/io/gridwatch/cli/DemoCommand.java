package io.gridwatch.cli;

import io.gridwatch.catalogue.Catalogue;
import io.gridwatch.catalogue.CatalogueClass.Kind;
import io.gridwatch.geo.Gcj02;
import io.gridwatch.geo.LonLat;
import io.gridwatch.geo.Utm51N;
import io.gridwatch.grid.GridIndex;
import io.gridwatch.grid.GridSet;
import io.gridwatch.grid.UnitGrid;
import io.gridwatch.stack.ServiceStatus;
import io.gridwatch.store.CatalogueStore;
import io.gridwatch.store.Database;
import io.gridwatch.store.GridStore;
import io.gridwatch.topics.Topic;
import io.gridwatch.topics.Topics;
import org.locationtech.jts.geom.Point;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * {@code gridwatch demo}: everything built so far, end to end, on this machine: the stack and the services {@code up} starts.
 * Each issue that adds a part of the system adds its step here.
 */
@Command(name = "demo", description = "Run the system on this machine (the stack and the services `up` starts) and show what it does; exits 0.")
final class DemoCommand implements Callable<Integer> {

    @ParentCommand
    Gridwatch top;

    @picocli.CommandLine.Option(names = "--day-seconds", defaultValue = "90",
            description = "how long the simulated day takes (default: ${DEFAULT-VALUE} s)")
    long daySeconds;

    @picocli.CommandLine.Option(names = "--cameras-only", hidden = true,
            description = "only the stack, the services and the camera step (for working on that step)")
    boolean camerasOnly;

    @Override
    public Integer call() throws Exception {
        PrintStream out = System.out;
        Workspace ws = top.workspace();
        java.time.Duration dayLength = java.time.Duration.ofSeconds(daySeconds);
        boolean asScripted;
        long start = System.nanoTime();

        step(out, 1, "the local stack: Kafka (KRaft, own JVM), Mosquitto, PostgreSQL");
        List<ServiceStatus> parts = ws.stack().up();
        StackCommands.print(out, parts);

        step(out, 2, "Kafka topics (CONTRACTS.md §3)");
        ConsoleTable topics = new ConsoleTable("topic", "key", "partitions", "retention", "what").right(2);
        for (Topic t : Topics.ALL) {
            topics.row(t.name(), t.key(), t.partitions(), t.compacted() ? "compacted"
                    : t.retention().map(d -> d.toDays() + " d").orElse("forever"), t.description());
        }
        topics.print(out);

        if (camerasOnly) {
            try (Database db = ws.database()) {
                // the registry's rows name their unit grid: the grids and catalogue as steps 4 and 5 store them
                new CatalogueStore(db.dataSource()).write(ws.catalogue());
                new GridStore(db.dataSource()).write(ws.grids());
                ws.services(top.config).up().forEach(s -> out.printf("  %-9s %-5s %s%n", s.name(), s.state().label(), s.detail().lines().findFirst().orElse("")));
                step(out, 8, CAMERA_STEP);
                CameraDemo.Result cams = cameras(ws, db, out);
                out.printf("%ncameras      %s%n", cams.summary());
                return cams.asScripted() ? 0 : 1;
            }
        }

        try (Database db = ws.database()) {
            step(out, 3, "the database: Flyway migrations");
            out.printf("schema at %s, time series stored as %s, in %s%n", db.migrate(), db.mode(), ws.config().stack().postgres().jdbcUrl());

            step(out, 4, "the 部件/事件 catalogue (" + ws.config().catalogue().edition().id() + ")");
            Catalogue catalogue = ws.catalogue();
            int stored = new CatalogueStore(db.dataSource()).write(catalogue);
            out.printf("%d component (部件) and %d event (事件) classes loaded and stored (%d rows); for example:%n",
                    catalogue.classes(Kind.COMPONENT).size(), catalogue.classes(Kind.EVENT).size(), stored);
            ConsoleTable sample = new ConsoleTable("kind", "code", "name", "major");
            for (String[] k : new String[][] {{"event", "0406"}, {"event", "0407"}, {"event", "0102"}, {"event", "0501"},
                    {"event", "2101"}, {"event", "2102"}, {"component", "0103"}, {"component", "0305"}}) {
                catalogue.find(Kind.of(k[0]), k[1]).ifPresent(c ->
                        sample.row(c.kind().id() + " " + c.kind().chinese(), c.code(), c.name(), c.majorCode() + " " + c.majorName()));
            }
            sample.print(out);

            step(out, 5, "the Dalian unit grids (万米单元网格)");
            GridSet set = ws.grids();
            out.printf("%,d grids derived (or read from var/cache) in %.1f s from the real district boundaries (GCJ-02 → WGS-84 → UTM 51N)%n",
                    set.grids().size(), ws.gridBuildMillis() / 1000.0);
            GridStore.Written w = new GridStore(db.dataSource()).write(set);
            out.printf("stored %d districts, %d streets, %d communities, %,d grids%n", w.districts(), w.streets(), w.communities(), w.grids());
            GridsCommand.printSummary(out, set);
            out.println();
            out.println("grids per street (first of each district; `./gridwatch grids build --streets` lists all):");
            GridsCommand.printStreets(out, set, true);

            step(out, 6, "point → grid look-ups (the grid index)");
            GridIndex index = ws.index();
            out.printf("index: %,d KiB for %,d grids, %d cut border cells, projection error %.1e m%n",
                    index.indexBytes() / 1024, set.grids().size(), index.cutCells(), index.projectionErrorM());
            UnitGrid hiTech = set.grids().stream().filter(g -> g.streetCode().equals("210211016") && g.interior()).findFirst().orElseThrow();
            Point c = hiTech.utm().getCentroid();
            double[] hiTechLonLat = Utm51N.inverse(c.getX(), c.getY());
            List<Object[]> points = List.of(
                    new Object[] {"camera cam-zs-0001 of CONTRACTS.md §2", new LonLat(121.6431, 38.9152)},
                    new Object[] {"case example of CONTRACTS.md §4", new LonLat(121.5301, 38.8756)},
                    new Object[] {"a grid of 凌水街道 (高新园区)", new LonLat(hiTechLonLat[0], hiTechLonLat[1])},
                    new Object[] {"a web-map (GCJ-02) point, converted", Gcj02.toWgs84(new LonLat(121.6500, 38.9200))},
                    new Object[] {"the sea off the south coast", new LonLat(121.70, 38.75)});
            for (Object[] p : points) {
                out.println();
                out.println("» " + p[0]);
                GridsCommand.printLocation(out, ws, (LonLat) p[1]);
            }

            Path geojson = ws.varDir().resolve("demo/grids-xigang.geojson");
            int n = GridsCommand.write(set, geojson, "grid", "210203");

            step(out, 7, "a simulated city day through the running system: sensors → MQTT → ingest → Kafka → Flink rules → cases and alerts");
            asScripted = new CityDemo(ws, db, top.config, out).run(dayLength);

            step(out, 8, CAMERA_STEP);
            CameraDemo.Result cams = cameras(ws, db, out);

            step(out, 9, "camera models: tile CNNs (DL4J) on fresh generated scenes, background subtraction (OpenCV) on an H.264 clip");
            String models = new ModelsDemo(ws.varDir(), out).run();

            step(out, 10, "summary");
            out.printf("stack        %s%n", parts.stream().map(s -> s.name() + " " + s.state().label()).toList());
            out.printf("database     %s (tables: catalogue_class, district, street, community, unit_grid, …)%n",
                    ws.config().stack().postgres().jdbcUrl());
            out.printf("grids        %,d (synthetic streets/communities; real district borders)%n", set.grids().size());
            out.printf("GeoJSON      %s (%,d grids of 西岗区; all: ./gridwatch grids export --geojson FILE)%n", geojson, n);
            out.printf("city day     %s%n", asScripted ? "every expected case raised, escalated and cleared as scripted; the noise raised nothing;"
                    + " every valid reading stored, every malformed message dead-lettered with its reason" : "NOT as scripted: see the list above");
            out.printf("cameras      %s%n", cams.summary());
            out.printf("models       %s (pictures in %s)%n", models, ws.varDir().resolve("demo/models"));
            out.printf("look again   ./gridwatch cases   ·   ./gridwatch cases --json   ·   ./gridwatch sensors list   ·   ./gridwatch rules list%n");
            out.printf("data         %s%n", ws.varDir());
            out.printf("logs         %s (ingest.log, cameras.log, pipeline.log, demo-streams.log; ./gridwatch status shows the services)%n",
                    ws.varDir().resolve("log"));
            out.printf("took         %.1f s; the system stays up: the stack, ingest, the camera workers and the pipeline (./gridwatch down stops "
                    + "them, losing nothing)%n", (System.nanoTime() - start) / 1e9);
            asScripted &= cams.asScripted();
        }
        return asScripted ? 0 : 1;
    }

    private static final String CAMERA_STEP = "cameras through the running system: stream servers → camera workers → gw.frames.v1 → "
            + "video detection → cases with evidence";

    /** The camera step; a failure is reported and the demo goes on to its other steps. */
    private static CameraDemo.Result cameras(Workspace ws, Database db, PrintStream out) {
        try {
            return new CameraDemo(ws, db, out).run();
        } catch (Exception e) {
            out.println("✗ the camera step failed: " + e);
            return new CameraDemo.Result(false, "FAILED: " + e.getMessage());
        }
    }

    private static void step(PrintStream out, int n, String title) {
        out.println();
        String head = String.format(Locale.ROOT, "== %d. %s ", n, title);
        out.println(head + "=".repeat(Math.max(3, 78 - ConsoleTable.width(head))));
    }
}
