package io.gridwatch.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.gridwatch.ingest.DevicePublisher;
import io.gridwatch.cases.CaseFile;
import io.gridwatch.json.Json;
import io.gridwatch.scenario.CityDay;
import io.gridwatch.sensor.Sensor;
import io.gridwatch.sensor.SensorCsv;
import io.gridwatch.sensor.TelemetryParser;
import io.gridwatch.stack.ServiceStatus;
import io.gridwatch.store.CaseStore;
import io.gridwatch.store.RegistryImport;
import io.gridwatch.store.Database;
import io.gridwatch.store.SensorStore;
import io.gridwatch.store.StoreException;
import org.eclipse.paho.mqttv5.client.IMqttMessageListener;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttSubscription;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;

import java.io.PrintStream;
import java.io.StringReader;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The demo's simulated city, run through the system {@code ./gridwatch up} starts (CONTRACTS §7): the services are
 * started as {@code up} starts them (harmless when they run), the day's sensors imported into the registry as
 * {@code sensors import} does, and a scripted day ({@link CityDay}) published over MQTT as devices do, time-compressed;
 * the running ingest and sensor pipeline do the rest. Alerts are printed live as they arrive on MQTT, then the cases as
 * PostgreSQL holds them, checked against what the script says a correct system raises, and the readings stored and the
 * dead letters against what the messages published make of them.
 *
 * <p>Each run registers the day's sensors under ids of its own ({@code demo-HHmmss-wl-flood-1}): the running job keeps
 * state per sensor, so a second run of the same day under the same ids would be judged as repeats of the first, and
 * its cases, readings and dead letters could not be told from the first run's.
 */
final class CityDemo {

    private static final DateTimeFormatter HM = DateTimeFormatter.ofPattern("HH:mm").withZone(CityDay.SHANGHAI);
    private static final DateTimeFormatter RUN_TAG = DateTimeFormatter.ofPattern("'demo-'HHmmss'-'").withZone(CityDay.SHANGHAI);
    /** The seed of the scripted day: the same day every run. */
    static final long SEED = 20261127L;
    /** Mosquitto lets a client have 20 QoS 1 messages unacknowledged by default; stay under it. */
    private static final int WINDOW = 16;
    /**
     * How far the publisher may run ahead of ingest, in messages. A broker gridwatch adopted may keep only 1,000 messages
     * queued for a client (Mosquitto's default {@code max_queued_messages}), also for a connected one that lags, and drops
     * the rest: on a busy machine ingest lags the compressed day, where real devices would spread it over 24 hours.
     */
    private static final long MAX_AHEAD = 500;
    /** How long the system may take, after the last message, to store and judge what it was sent. */
    private static final Duration SETTLE = Duration.ofSeconds(120);

    private final Workspace ws;
    private final Database db;
    private final Path configFile;
    private final PrintStream out;

    /** @param configFile the configuration file the demo was given (passed on to the services it starts), or null */
    CityDemo(Workspace ws, Database db, Path configFile, PrintStream out) {
        this.ws = ws;
        this.db = db;
        this.configFile = configFile;
        this.out = out;
    }

    /** What the published messages should become: distinct readings stored, and dead letters by reason. */
    private record Expectation(Set<String> readings, Map<String, Long> deadLetters, long published) {
    }

    /** Runs the day; returns true when cases, alerts, stored readings and dead letters are exactly what the script implies. */
    boolean run(Duration dayLength) throws Exception {
        out.println("gridwatch's services, as `./gridwatch up` starts them (each a JVM of its own in the background; harmless when they run):");
        for (ServiceStatus s : ws.services(configFile).up()) {
            String detail = s.detail().lines().findFirst().orElse("");
            out.printf("  %-9s %-5s pid %-8s %s%n", s.name(), s.state().label(), s.pid() == null ? "-" : s.pid(),
                    detail.length() > 120 ? detail.substring(0, 119) + "…" : detail);
        }
        out.printf("logs: %s and %s · `./gridwatch status` shows them · `./gridwatch down` stops them, losing nothing%n%n",
                ws.varDir().resolve("log/ingest.log"), ws.varDir().resolve("log/pipeline.log"));

        long runStart = System.currentTimeMillis();
        String tag = RUN_TAG.format(Instant.ofEpochMilli(runStart));
        LocalDate day = LocalDate.now(CityDay.SHANGHAI).minusDays(1);
        CityDay city = new CityDay(ws.grids(), day, SEED);

        // as `sensors import` does: the same checks (in a unit grid, a known component), the same upsert
        List<Sensor> sensors = SensorCsv.read(new StringReader(tagged(city.registryCsv(), tag)), "the simulated city",
                SensorCsv.inService(ws.index()::lookup, ws.catalogue()));
        RegistryImport imported = new SensorStore(db.dataSource()).upsert(sensors, ws.index()::lookup);
        Map<String, Long> byType = sensors.stream().collect(Collectors.groupingBy(s -> s.type().id(), TreeMap::new, Collectors.counting()));
        out.printf("%d simulated sensors in real unit grids (%s) imported into the registry as `sensors import` does, ids %s…: "
                + "%d new, %d updated, %d unchanged%n", sensors.size(), byType, tag, imported.inserted(), imported.updated(), imported.unchanged());
        Set<String> ids = sensors.stream().map(Sensor::sensorId).collect(Collectors.toCollection(HashSet::new));

        // what the published messages must become, judged by the same parser ingest runs, against this run's sensors
        Map<String, Sensor> registry = sensors.stream().collect(Collectors.toMap(Sensor::sensorId, Function.identity()));
        TelemetryParser parser = new TelemetryParser(id -> Optional.ofNullable(registry.get(id)), ws.index()::lookup);

        Map<String, JsonNode> alerts = new LinkedHashMap<>(); // by alert id: MQTT delivers at least once
        Set<String> cityCases = new HashSet<>();
        long dayFrom = city.at(0);
        long dayTo = city.at(CityDay.MINUTES);
        Expectation expected;
        MqttAsyncClient mqtt = new MqttAsyncClient(ws.config().stack().mqtt().uri(), "gridwatch-demo-" + System.nanoTime(), new MemoryPersistence());
        try {
            mqtt.connect(new MqttConnectionOptions()).waitForCompletion(10_000);
            ConsoleTable.Live live = new ConsoleTable.Live(out, new int[] {5, 6, 10, 7, 26}, "time", "team", "alert", "level", "case", "message");
            mqtt.subscribe(new MqttSubscription[] {new MqttSubscription("gw/v1/alerts/#", 1)}, null, null,
                    new IMqttMessageListener[] {(topic, m) -> {
                        JsonNode a = Json.mapper().readTree(m.getPayload());
                        long at = a.path("at").asLong();
                        // this day's alerts only: anything else the running system sends meanwhile is not the demo's
                        if (at < dayFrom || at >= dayTo) {
                            return;
                        }
                        synchronized (alerts) {
                            if (alerts.putIfAbsent(a.path("alert_id").asText(), a) == null) {
                                live.row(HM.format(Instant.ofEpochMilli(at)), a.path("team").asText(), a.path("state").asText(),
                                        a.path("severity").isNull() ? "-" : a.path("severity").asText(),
                                        a.path("case_id").asText("(district watch)"), a.path("message").asText());
                            }
                        }
                    }}, new MqttProperties()).waitForCompletion(10_000);

            out.printf("%npublishing %s (a scripted day) over MQTT as the devices would, compressed to about %d s; alerts as they arrive:%n%n",
                    day, dayLength.toSeconds());
            live.header();
            expected = publishDay(city, tag, parser, mqtt, dayLength, live, ids);
            long settleStart = System.nanoTime();
            awaitReadings(ids, dayFrom, dayTo, expected.readings().size());
            awaitCases(city, tag, ids);
            out.printf("%n   · the system settled %.1f s after the last message%n", (System.nanoTime() - settleStart) / 1e9);
        } finally {
            if (mqtt.isConnected()) {
                mqtt.disconnect().waitForCompletion(5_000);
            }
            mqtt.close();
        }
        Map<String, Long> deadLetters = awaitDeadLetters(runStart, tag, expected.deadLetters());
        List<JsonNode> received;
        synchronized (alerts) {
            received = new ArrayList<>(alerts.values());
        }
        casesOf(city, ids).forEach(c -> cityCases.add(c.caseId()));
        return summary(city, day, tag, ids, expected, deadLetters, received, cityCases);
    }

    /** The registry CSV with every sensor id prefixed by this run's tag. */
    private static String tagged(String csv, String tag) {
        StringBuilder sb = new StringBuilder();
        csv.lines().forEach(line -> sb.append(sb.isEmpty() ? line : tag + line).append('\n'));
        return sb.toString();
    }

    /** The MQTT topic of a message, its sensor id prefixed by this run's tag (the noise's unknown sensors too). */
    private static String tagged(CityDay.Message msg, String tag) {
        return msg.topic().replaceFirst("^" + TelemetryParser.TOPIC_PREFIX, TelemetryParser.TOPIC_PREFIX + tag);
    }

    private Expectation publishDay(CityDay city, String tag, TelemetryParser parser, MqttAsyncClient mqtt, Duration dayLength,
                                   ConsoleTable.Live live, Set<String> ids) throws Exception {
        long start = System.nanoTime();
        long perMinuteNs = dayLength.toNanos() / CityDay.MINUTES;
        DevicePublisher devices = new DevicePublisher(mqtt, WINDOW, 10_000);
        Set<String> readings = new HashSet<>();
        Map<String, Long> deadLetters = new TreeMap<>();
        long published = 0;
        try (IngestProgress ingested = new IngestProgress(ws.config().stack().kafka().bootstrapServers())) {
        for (int m = 0; m < CityDay.MINUTES; m++) {
            for (CityDay.Message msg : city.minute(m)) {
                if (published % 100 == 0) {
                    ingested.awaitWithin(published, MAX_AHEAD);
                }
                String topic = tagged(msg, tag);
                TelemetryParser.Result result = parser.parse(topic, msg.payload(), System.currentTimeMillis());
                if (result instanceof TelemetryParser.Accepted a) {
                    readings.add(a.reading().sensorId() + "@" + a.reading().ts());
                } else {
                    deadLetters.merge(((TelemetryParser.Rejection) result).reason().code(), 1L, Long::sum);
                }
                devices.publish(topic, msg.payload());
                published++;
            }
            if (m % 180 == 179) {
                live.note(String.format(Locale.ROOT, "%02d:00  published %,d · stored in PostgreSQL %,d readings of this day", (m + 1) / 60,
                        published, storedReadings(ids, city.at(0), city.at(CityDay.MINUTES))));
            }
            long due = start + (m + 1) * perMinuteNs;
            long wait = due - System.nanoTime();
            if (wait > 0) {
                Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
            }
        }
        }
        devices.drain();
        return new Expectation(readings, deadLetters, published);
    }

    /** Waits until PostgreSQL holds every valid reading published (ingest → Kafka → the job's readings sink). */
    private void awaitReadings(Set<String> ids, long from, long to, long expected) throws InterruptedException {
        long deadline = System.nanoTime() + SETTLE.toNanos();
        while (storedReadings(ids, from, to) < expected && System.nanoTime() < deadline) {
            Thread.sleep(500);
        }
    }

    /** Waits until every expected case has ended in PostgreSQL (the last clears late in the evening). */
    private void awaitCases(CityDay city, String tag, Set<String> ids) throws InterruptedException {
        long deadline = System.nanoTime() + SETTLE.toNanos();
        while (System.nanoTime() < deadline) {
            List<CaseFile> cases = casesOf(city, ids);
            if (cases.size() >= city.expectedCases().size() && cases.stream().allMatch(c -> c.status().equals("verified"))) {
                return;
            }
            Thread.sleep(500);
        }
    }

    /** Waits (a little) until gw.deadletter.v1 holds as many of this run's messages as expected: ingest writes them as they come. */
    private Map<String, Long> awaitDeadLetters(long since, String tag, Map<String, Long> expected) throws InterruptedException {
        String bootstrap = ws.config().stack().kafka().bootstrapServers();
        String mine = TelemetryParser.TOPIC_PREFIX + tag;
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (true) {
            Map<String, Long> found = DeadLetters.countByReason(bootstrap, since, source -> source.startsWith(mine));
            if (found.equals(expected) || System.nanoTime() > deadline) {
                return found;
            }
            Thread.sleep(1_000);
        }
    }

    /** This run's cases: from this run's sensors, first seen on the day. */
    private List<CaseFile> casesOf(CityDay city, Set<String> ids) {
        long from = city.at(0);
        long to = city.at(CityDay.MINUTES);
        return new CaseStore(db.dataSource()).list(Instant.ofEpochMilli(from), null).stream()
                .filter(c -> c.firstSeen() >= from && c.firstSeen() < to)
                .filter(c -> c.sources().stream().anyMatch(s -> ids.contains(s.id())))
                .sorted(Comparator.comparingLong(CaseFile::firstSeen)).toList();
    }

    /** Readings of these sensors in PostgreSQL's {@code sensor_reading} (one row per distinct reading) in {@code [from, to)}. */
    private long storedReadings(Set<String> ids, long from, long to) {
        String sql = "SELECT count(*) FROM sensor_reading WHERE sensor_id = ANY(?) AND ts >= ? AND ts < ?";
        try (Connection c = db.dataSource().getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setArray(1, c.createArrayOf("text", ids.toArray()));
            ps.setTimestamp(2, new Timestamp(from));
            ps.setTimestamp(3, new Timestamp(to));
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        } catch (SQLException e) {
            throw new StoreException("counting the demo's readings failed: " + e.getMessage(), e);
        }
    }

    /** The deepest water these sensors reported in {@code [from, to)}: "sensor at HH:mm: N cm". */
    private Optional<String> deepestWater(Set<String> ids, long from, long to) {
        String sql = """
                SELECT sensor_id, ts, (metrics->>'water_level_cm')::double precision AS v FROM sensor_reading
                 WHERE sensor_id = ANY(?) AND ts >= ? AND ts < ? AND metrics->>'water_level_cm' IS NOT NULL
                 ORDER BY v DESC, ts LIMIT 1""";
        try (Connection c = db.dataSource().getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setArray(1, c.createArrayOf("text", ids.toArray()));
            ps.setTimestamp(2, new Timestamp(from));
            ps.setTimestamp(3, new Timestamp(to));
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(String.format(Locale.ROOT, "deepest water %.0f cm, %s at %s", rs.getDouble(3), rs.getString(1),
                        HM.format(rs.getTimestamp(2).toInstant()))) : Optional.empty();
            }
        } catch (SQLException e) {
            throw new StoreException("finding the demo's deepest water failed: " + e.getMessage(), e);
        }
    }

    private boolean summary(CityDay city, LocalDate day, String tag, Set<String> ids, Expectation expected, Map<String, Long> deadLetters,
                            List<JsonNode> alerts, Set<String> cityCases) {
        List<CaseFile> cases = casesOf(city, ids);
        out.println();
        out.println("cases in PostgreSQL for " + day + " from this run's sensors (as `./gridwatch cases` shows them):");
        ConsoleTable t = new ConsoleTable("case", "category", "street", "severity", "seen", "status", "department", "source");
        for (CaseFile c : cases) {
            t.row(c.caseId(), c.category().code() + " " + c.category().name(), c.grid().street(), c.severity() == null ? "-" : c.severity(),
                    HM.format(Instant.ofEpochMilli(c.firstSeen())) + "–" + HM.format(Instant.ofEpochMilli(c.lastSeen())), c.status(),
                    c.department(), c.sources().get(0).id());
        }
        t.print(out);

        int matched = 0;
        List<String> problems = new ArrayList<>();
        for (CityDay.Expected e : city.expectedCases()) {
            String sensor = tag + e.sensorId();
            List<CaseFile> found = cases.stream().filter(c -> c.sources().stream().anyMatch(s -> s.id().equals(sensor))).toList();
            if (found.size() != 1) {
                problems.add(sensor + ": expected one case, found " + found.size());
                continue;
            }
            CaseFile c = found.get(0);
            boolean ok = c.category().code().equals(e.categoryCode()) && (e.maxSeverity() == null || e.maxSeverity().equals(c.severity()))
                    && (!e.clears() || c.status().equals("verified"));
            if (ok) {
                matched++;
            } else {
                problems.add(sensor + ": expected " + e.categoryCode() + "/" + e.maxSeverity() + (e.clears() ? "/cleared" : "")
                        + ", found " + c.category().code() + "/" + c.severity() + "/" + c.status());
            }
        }
        List<String> unexpected = cases.stream().map(c -> c.sources().get(0).id())
                .filter(id -> city.expectedCases().stream().noneMatch(e -> (tag + e.sensorId()).equals(id))).toList();
        List<JsonNode> caseAlerts = alerts.stream().filter(a -> cityCases.contains(a.path("case_id").asText(null))).toList();
        long watches = alerts.stream().filter(a -> a.path("case_id").isNull() && a.path("state").asText().equals("raised")).count();
        long raisedTwice = caseAlerts.stream().filter(a -> a.path("state").asText().equals("raised"))
                .collect(Collectors.groupingBy(a -> a.path("case_id").asText(), Collectors.counting())).values().stream().filter(n -> n > 1).count();
        long casesAlerted = caseAlerts.stream().filter(a -> a.path("state").asText().equals("raised")).map(a -> a.path("case_id").asText()).distinct().count();
        long expectedAlerted = city.expectedCases().stream().filter(e -> e.team() != null).count();
        if (watches != city.expectedFloodWatches().size()) {
            problems.add("district flood watches: expected " + city.expectedFloodWatches().size() + ", received " + watches);
        }
        if (raisedTwice > 0) {
            problems.add(raisedTwice + " cases got more than one `raised` alert");
        }
        if (casesAlerted != expectedAlerted) {
            problems.add("cases with a `raised` alert: expected " + expectedAlerted + " (flood and snow), received " + casesAlerted);
        }
        long stored = storedReadings(ids, city.at(0), city.at(CityDay.MINUTES));
        if (stored != expected.readings().size()) {
            problems.add("readings stored: expected " + expected.readings().size() + ", found " + stored);
        }
        if (!deadLetters.equals(expected.deadLetters())) {
            problems.add("dead letters by reason: expected " + expected.deadLetters() + ", found " + deadLetters);
        }

        out.println();
        out.println("summary (checked against the script and against what the messages published must become)");
        out.printf("  sensors        %d simulated (%s), ids %s…%n", ids.size(), "water level, manhole, bin fill, road weather, rain gauge", tag);
        out.printf("  published      %,d MQTT messages over the day (a duplicate delivery now and then, malformed ones every 10 minutes)%n",
                expected.published());
        out.printf(Locale.ROOT, "  stored         %,d of %,d distinct valid readings in PostgreSQL sensor_reading, one row each (a duplicate delivery once)%s%n",
                stored, expected.readings().size(), deepestWater(ids, city.at(0), city.at(CityDay.MINUTES)).map(s -> "; " + s).orElse(""));
        out.printf("  dead letters   %s on gw.deadletter.v1 (expected %s)%n", deadLetters, expected.deadLetters());
        out.printf("  cases          %d raised; %d of %d expected found exactly (category, severity, cleared)%s%n", cases.size(), matched,
                city.expectedCases().size(), unexpected.isEmpty() ? "; nothing raised by the noise (spike, flaky sensor, duplicates)"
                        : "; UNEXPECTED from " + unexpected);
        out.printf("  alerts         %d on MQTT gw/v1/alerts/{team}/{district} for %d cases (flood and snow teams, one `raised` each), "
                + "%d district flood watches (expected %d)%n", caseAlerts.size(), casesAlerted, watches, city.expectedFloodWatches().size());
        out.printf("  evidence       each case's sensor series: gridwatch://readings/<sensor>?from=…&to=… (readings in Kafka gw.readings.v1"
                + " and PostgreSQL sensor_reading)%n");
        problems.forEach(p -> out.println("    ✗ " + p));
        return problems.isEmpty() && unexpected.isEmpty() && matched == city.expectedCases().size();
    }
}
