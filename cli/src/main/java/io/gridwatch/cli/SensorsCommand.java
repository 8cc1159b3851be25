package io.gridwatch.cli;

import io.gridwatch.sensor.Sensor;
import io.gridwatch.sensor.SensorCsv;
import io.gridwatch.sensor.SensorType;
import io.gridwatch.store.Database;
import io.gridwatch.store.RegistryImport;
import io.gridwatch.store.SensorStore;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;

/** {@code gridwatch sensors import | list}: the sensor registry (CONTRACTS.md §1). */
@Command(name = "sensors", description = "The registry of IoT sensors (物联网传感器); readings of unregistered sensors are dead-lettered.",
        subcommands = {SensorsCommand.Import.class, SensorsCommand.ListSensors.class})
final class SensorsCommand implements Callable<Integer> {

    @ParentCommand
    Gridwatch top;

    @Override
    public Integer call() {
        new picocli.CommandLine(this).usage(System.out);
        return 0;
    }

    @Command(name = "import", description = {"Import sensors from CSV with the header",
            "sensor_id,type,lon,lat,component_code,interval_s,name (lon/lat WGS-84; the last three optional).",
            "Importing a sensor again updates it. A file with any bad row is refused whole: every problem is",
            "listed with its line, and nothing is imported. A row is bad when it is malformed, or when its sensor",
            "cannot work: outside every unit grid, or with a component_code that is not a 部件 class of the catalogue."})
    static final class Import implements Callable<Integer> {
        @ParentCommand
        SensorsCommand sensors;

        @Parameters(index = "0", paramLabel = "FILE.csv")
        Path file;

        @Override
        public Integer call() {
            if (!Files.isRegularFile(file)) {
                throw new IllegalArgumentException("no such file: " + file);
            }
            Workspace ws = sensors.top.workspace();
            List<Sensor> rows = SensorCsv.read(file, SensorCsv.inService(ws.index()::lookup, ws.catalogue()));
            try (Database db = ws.database()) {
                RegistryImport r = new SensorStore(db.dataSource()).upsert(rows, ws.index()::lookup);
                System.out.printf(Locale.ROOT, "imported %d sensors from %s: %d new, %d updated, %d unchanged%n",
                        rows.size(), file, r.inserted(), r.updated(), r.unchanged());
            }
            return 0;
        }
    }

    @Command(name = "list", description = "List the registered sensors.")
    static final class ListSensors implements Callable<Integer> {
        @ParentCommand
        SensorsCommand sensors;

        @Option(names = "--type", paramLabel = "TYPE", description = "only this type: water_level, manhole, bin_fill, road_weather, rain_gauge")
        String type;

        @Override
        public Integer call() {
            Optional<SensorType> t = Optional.ofNullable(type).map(SensorType::of);
            try (Database db = sensors.top.workspace().database()) {
                List<SensorStore.StoredSensor> all = new SensorStore(db.dataSource()).list(t);
                ConsoleTable table = new ConsoleTable("sensor_id", "type", "lon", "lat", "grid", "component", "interval_s", "name")
                        .right(2, 3, 6);
                for (SensorStore.StoredSensor s : all) {
                    Sensor x = s.sensor();
                    table.row(x.sensorId(), x.type().id(), String.format(Locale.ROOT, "%.6f", x.lon()),
                            String.format(Locale.ROOT, "%.6f", x.lat()), s.gridCode() == null ? "-" : s.gridCode(),
                            x.componentCode(), x.intervalS(), x.name());
                }
                table.print(System.out);
                System.out.printf(Locale.ROOT, "%d sensor%s%n", all.size(), all.size() == 1 ? "" : "s");
            }
            return 0;
        }
    }
}
