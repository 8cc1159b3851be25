package io.gridwatch.cli;

import io.gridwatch.camera.Camera;
import io.gridwatch.camera.CameraFile;
import io.gridwatch.camera.CameraZone;
import io.gridwatch.grid.GridLocation;
import io.gridwatch.ingest.video.CameraAssignments;
import io.gridwatch.topics.Topics;
import io.gridwatch.store.CameraStore;
import io.gridwatch.store.RegistryImport;
import io.gridwatch.store.Database;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;

/**
 * {@code gridwatch cameras import | list | remove | status | run}: the camera registry (CONTRACTS.md §2), the health of
 * the streams, and the camera ingest worker.
 */
@Command(name = "cameras", description = "The registry of cameras (监控摄像头): streams, ground calibration and watched zones.",
        subcommands = {CamerasCommand.Import.class, CamerasCommand.ListCameras.class, CamerasCommand.Remove.class,
                CameraStatusCommand.class, CameraWorkerCommand.class})
final class CamerasCommand implements Callable<Integer> {

    @ParentCommand
    Gridwatch top;

    @Override
    public Integer call() {
        new picocli.CommandLine(this).usage(System.out);
        return 0;
    }

    @Command(name = "import", description = {"Import cameras from YAML in the shape of CONTRACTS.md §2 (cameras: [{id, url, location,",
            "calibration, zones}]). Importing a camera again updates it. A file with any problem is refused whole: every",
            "problem is listed with its camera and key, and nothing is imported. Relative file URLs are taken from the",
            "file's folder and stored absolute. Cameras registered before and missing from the file stay (`cameras remove`",
            "removes). The definitions also go to Kafka (gw.cameras.v1), where the camera ingest workers pick them up."})
    static final class Import implements Callable<Integer> {
        @ParentCommand
        CamerasCommand cameras;

        @Parameters(index = "0", paramLabel = "FILE.yaml")
        Path file;

        @Override
        public Integer call() {
            if (!Files.isRegularFile(file)) {
                throw new IllegalArgumentException("no such file: " + file);
            }
            Workspace ws = cameras.top.workspace();
            List<Camera> all = CameraFile.read(file, ws.index()::lookup);
            try (Database db = ws.database()) {
                RegistryImport r = new CameraStore(db.dataSource()).upsert(all, ws.index()::lookup);
                System.out.printf(Locale.ROOT, "imported %d cameras from %s: %d new, %d updated, %d unchanged%n",
                        all.size(), file, r.inserted(), r.updated(), r.unchanged());
            }
            // every camera of the file, unchanged ones too: the topic catches up after an import whose Kafka step failed
            String kafka = ws.config().stack().kafka().bootstrapServers();
            try {
                CameraAssignments.publish(kafka, all, List.of());
            } catch (IllegalStateException e) {
                throw new IllegalStateException("the cameras are stored in the registry, but the ingest workers were not told: " + e.getMessage()
                        + "; import the file again once Kafka runs (`./gridwatch up`)", e);
            }
            System.out.printf(Locale.ROOT, "published %d camera definitions to %s for the camera ingest workers%n", all.size(), Topics.CAMERAS.name());
            return 0;
        }
    }

    @Command(name = "remove", description = {"Remove cameras from the registry: their rows, their health, and (a null value on",
            "gw.cameras.v1) their streams on the ingest workers. Exits 3 when one of them was not registered (the others are removed)."})
    static final class Remove implements Callable<Integer> {
        @ParentCommand
        CamerasCommand cameras;

        @Parameters(arity = "1..*", paramLabel = "CAMERA_ID")
        List<String> ids;

        @Override
        public Integer call() {
            Workspace ws = cameras.top.workspace();
            List<String> removed;
            try (Database db = ws.database()) {
                removed = new CameraStore(db.dataSource()).delete(ids);
            }
            // a removal for every id given: also clears a camera that only the topic still knows
            CameraAssignments.publish(ws.config().stack().kafka().bootstrapServers(), List.of(), ids);
            List<String> unknown = ids.stream().filter(id -> !removed.contains(id)).toList();
            System.out.printf(Locale.ROOT, "removed %d camera%s%s%n", removed.size(), removed.size() == 1 ? "" : "s",
                    removed.isEmpty() ? "" : ": " + String.join(", ", removed));
            if (!unknown.isEmpty()) {
                System.err.println("not registered: " + String.join(", ", unknown));
                return Gridwatch.NOT_FOUND;
            }
            return 0;
        }
    }

    @Command(name = "list", description = "List the registered cameras: district and street of their grid, stream URL "
            + "(without credentials) and zones as name:purpose[@schedule].")
    static final class ListCameras implements Callable<Integer> {
        @ParentCommand
        CamerasCommand cameras;

        @Override
        public Integer call() {
            Workspace ws = cameras.top.workspace();
            try (Database db = ws.database()) {
                List<CameraStore.StoredCamera> all = new CameraStore(db.dataSource()).list();
                ConsoleTable table = new ConsoleTable("camera_id", "district", "street", "grid", "url", "calibrated", "zones");
                for (CameraStore.StoredCamera s : all) {
                    Camera c = s.camera();
                    Optional<GridLocation> g = s.gridCode() == null ? Optional.empty() : ws.index().lookup(c.location().lon(), c.location().lat());
                    table.row(c.id(), g.map(GridLocation::district).orElse("-"), g.map(GridLocation::street).orElse("-"),
                            s.gridCode() == null ? "-" : s.gridCode(), c.urlWithoutCredentials(),
                            c.calibration().isPresent() ? "yes" : "no",
                            c.zones().isEmpty() ? "-" : c.zones().stream().map(ListCameras::zone).collect(Collectors.joining(", ")));
                }
                table.print(System.out);
                System.out.printf(Locale.ROOT, "%d camera%s%n", all.size(), all.size() == 1 ? "" : "s");
            }
            return 0;
        }

        private static String zone(CameraZone z) {
            return z.name() + ":" + z.purpose().id() + z.schedule().map(s -> "@" + s).orElse("");
        }
    }
}
