package io.gridwatch.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.gridwatch.cases.CaseFile;
import io.gridwatch.config.GridwatchConfig;
import io.gridwatch.ingest.IngestStats;
import io.gridwatch.ingest.SensorBridge;
import io.gridwatch.ingest.SensorRegistryCache;
import io.gridwatch.jobs.SensorPipelineJob;
import io.gridwatch.json.Json;
import io.gridwatch.scenario.CityDay;
import io.gridwatch.sensor.Sensor;
import io.gridwatch.sensor.SensorCsv;
import io.gridwatch.store.CaseStore;
import io.gridwatch.store.Database;
import io.gridwatch.store.ReadingStore;
import io.gridwatch.store.SensorStore;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.eclipse.paho.mqttv5.client.IMqttMessageListener;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.MqttSubscription;

import java.io.PrintStream;
import java.io.StringReader;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.format.DateTimeFormatter;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

/**
 * The demo's simulated city: a scripted day ({@link CityDay}) of a few hundred sensors published
 * over the real MQTT broker, time-compressed, through the real ingest bridge and the sensor pipeline
 * running on a local Flink MiniCluster; alerts printed live as they arrive on MQTT, then the cases as
 * PostgreSQL holds them, checked against what the script says a correct system raises.
 */
final class CityDemo {

    private static final DateTimeFormatter HM = DateTimeFormatter.ofPattern("HH:mm").withZone(CityDay.SHANGHAI);
    /** Mosquitto lets a client have 20 QoS 1 messages unacknowledged by default; stay under it. */
    private static final int WINDOW = 16;

    private final Workspace ws;
    private final Database db;
    private final PrintStream out;

    CityDemo(Workspace ws, Database db, PrintStream out) {
        this.ws = ws;
        this.db = db;
        this.out = out;
    }

    /** Runs the day; returns true when the cases found are exactly the ones the script expects. */
    boolean run(Duration dayLength) throws Exception {
        GridwatchConfig.Stack stack = ws.config().stack();
        LocalDate day = LocalDate.now(CityDay.SHANGHAI).minusDays(1);
        CityDay city = new CityDay(ws.grids(), day, 20261127L);

        List<Sensor> sensors = SensorCsv.read(new StringReader(city.registryCsv()), "the simulated city");
        SensorStore.Imported imported = new SensorStore(db.dataSource()).upsert(sensors, ws.index()::lookup);
        Map<String, Long> byType = sensors.stream().collect(Collectors.groupingBy(s -> s.type().id(), java.util.TreeMap::new, Collectors.counting()));
        out.printf("%d simulated sensors in real unit grids (%s): %d new, %d updated, %d unchanged in the registry%n",
                sensors.size(), byType, imported.inserted(), imported.updated(), imported.unchanged());

        Configuration flink = SensorPipelineJob.checkpointStorage(ws.varDir().resolve("checkpoints/demo"));
        flink.set(RestOptions.BIND_PORT, "0"); // any free port: never clash with a Flink UI already running
        StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(2, flink);
        SensorPipelineJob.Settings defaults = SensorPipelineJob.Settings.of(ws.config());
        // only this run's readings (the topic keeps earlier runs'; with LogAppendTime, a timestamp is an append time)
        long runStart = System.currentTimeMillis();
        SensorPipelineJob.assemble(env, new SensorPipelineJob.Settings(defaults.kafkaBootstrap(), defaults.mqttUri(), defaults.jdbcUrl(),
                defaults.dbUser(), defaults.edition(), "gridwatch-demo-" + runStart, Duration.ofSeconds(2), Duration.ofSeconds(5),
                Duration.ofSeconds(10)), org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer.timestamp(runStart));
        JobClient job = env.executeAsync("gridwatch sensor pipeline (demo)");
        out.println("sensor pipeline running on a local Flink MiniCluster (parallelism 2): job " + job.getJobID());

        // its own share group and a short session: a `gridwatch ingest` running beside it keeps its own share
        SensorBridge.Settings ingest = SensorBridge.Settings.of(stack.mqtt().uri(), "gridwatch-demo-ingest-" + runStart,
                stack.kafka().bootstrapServers());
        SensorBridge bridge = new SensorBridge(new SensorBridge.Settings(ingest.mqttUri(), ingest.clientId(), "gridwatch-demo",
                Duration.ofMinutes(1), ingest.receiveMaximum(), ingest.kafkaBootstrap(), ingest.registryRefresh()),
                new SensorRegistryCache(new SensorStore(db.dataSource())::changesFrom), ws.index()::lookup).start();
        Set<String> citySensors = sensors.stream().map(Sensor::sensorId).collect(Collectors.toSet());
        List<JsonNode> alerts = new ArrayList<>();
        MqttAsyncClient mqtt = new MqttAsyncClient(stack.mqtt().uri(), "gridwatch-demo-" + System.nanoTime(), new MemoryPersistence());
        try {
            mqtt.connect(new MqttConnectionOptions()).waitForCompletion(10_000);
            ConsoleTable.Live live = new ConsoleTable.Live(out, new int[] {5, 6, 10, 7, 26}, "time", "team", "alert", "level", "case", "message");
            mqtt.subscribe(new MqttSubscription[] {new MqttSubscription("gw/v1/alerts/#", 1)}, null, null,
                    new IMqttMessageListener[] {(topic, m) -> {
                        JsonNode a = Json.mapper().readTree(m.getPayload());
                        synchronized (alerts) {
                            alerts.add(a);
                            live.row(HM.format(Instant.ofEpochMilli(a.path("at").asLong())), a.path("team").asText(), a.path("state").asText(),
                                    a.path("severity").isNull() ? "-" : a.path("severity").asText(), a.path("case_id").asText("(district watch)"), a.path("message").asText());
                        }
                    }}, new org.eclipse.paho.mqttv5.common.packet.MqttProperties()).waitForCompletion(10_000);

            out.printf("%npublishing %s (a scripted day) over MQTT, compressed to about %d s; alerts as they arrive:%n%n", day, dayLength.toSeconds());
            live.header();
            long published = publishDay(city, mqtt, dayLength, live, bridge);
            awaitIngest(bridge, published);
            awaitCases(city, day);
        } finally {
            bridge.close();
            job.cancel().get();
            if (mqtt.isConnected()) {
                mqtt.disconnect().waitForCompletion(5_000);
            }
            mqtt.close();
        }
        return summary(city, day, bridge.stats(), alerts, citySensors);
    }

    private long publishDay(CityDay city, MqttAsyncClient mqtt, Duration dayLength, ConsoleTable.Live live, SensorBridge bridge) throws Exception {
        long start = System.nanoTime();
        long perMinuteNs = dayLength.toNanos() / CityDay.MINUTES;
        Deque<IMqttToken> inFlight = new ArrayDeque<>();
        long published = 0;
        for (int m = 0; m < CityDay.MINUTES; m++) {
            for (CityDay.Message msg : city.minute(m)) {
                MqttMessage mm = new MqttMessage(msg.payload());
                mm.setQos(1);
                while (true) {
                    try {
                        inFlight.add(mqtt.publish(msg.topic(), mm));
                        break;
                    } catch (MqttException e) {
                        if (e.getReasonCode() != org.eclipse.paho.mqttv5.client.MqttClientException.REASON_CODE_MAX_INFLIGHT) {
                            throw e;
                        }
                        if (inFlight.isEmpty()) {
                            Thread.sleep(1);
                        } else {
                            inFlight.poll().waitForCompletion(10_000);
                        }
                    }
                }
                while (inFlight.size() >= WINDOW) {
                    inFlight.poll().waitForCompletion(10_000);
                }
                published++;
            }
            if (m % 180 == 179) {
                IngestStats s = bridge.stats();
                live.note(String.format(Locale.ROOT, "%02d:00  published %,d · ingested %,d · dead-lettered %,d", (m + 1) / 60, published,
                        s.accepted(), s.rejectedTotal()));
            }
            long due = start + (m + 1) * perMinuteNs;
            long wait = due - System.nanoTime();
            if (wait > 0) {
                Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
            }
        }
        while (!inFlight.isEmpty()) {
            inFlight.poll().waitForCompletion(10_000);
        }
        return published;
    }

    private void awaitIngest(SensorBridge bridge, long published) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (bridge.stats().received() < published && System.nanoTime() < deadline) {
            Thread.sleep(200);
        }
    }

    /** Waits until every expected case has ended in PostgreSQL (the last clears late in the evening), at most a minute. */
    private void awaitCases(CityDay city, LocalDate day) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            List<CaseFile> cases = casesOf(city, day);
            if (cases.size() >= city.expectedCases().size() && cases.stream().allMatch(c -> c.status().equals("verified"))) {
                return;
            }
            Thread.sleep(500);
        }
    }

    private List<CaseFile> casesOf(CityDay city, LocalDate day) {
        Set<String> ids = city.sensors().stream().map(CityDay.SimSensor::id).collect(Collectors.toSet());
        long from = city.at(0);
        long to = city.at(CityDay.MINUTES);
        return new CaseStore(db.dataSource()).list(Instant.ofEpochMilli(from), null).stream()
                .filter(c -> c.firstSeen() >= from && c.firstSeen() < to)
                .filter(c -> c.sources().stream().anyMatch(s -> ids.contains(s.id())))
                .sorted(Comparator.comparingLong(CaseFile::firstSeen)).toList();
    }

    private boolean summary(CityDay city, LocalDate day, IngestStats ingest, List<JsonNode> alerts, Set<String> citySensors) {
        List<CaseFile> cases = casesOf(city, day);
        out.println();
        out.println("cases in PostgreSQL for " + day + " (as `./gridwatch cases` shows them):");
        ConsoleTable t = new ConsoleTable("case", "category", "street", "severity", "seen", "status", "department", "source");
        for (CaseFile c : cases) {
            t.row(c.caseId(), c.category().code() + " " + c.category().name(), c.grid().street(), c.severity() == null ? "-" : c.severity(),
                    HM.format(Instant.ofEpochMilli(c.firstSeen())) + "–" + HM.format(Instant.ofEpochMilli(c.lastSeen())), c.status(),
                    c.department(), c.sources().get(0).id());
        }
        t.print(out);

        AtomicInteger matched = new AtomicInteger();
        List<String> problems = new ArrayList<>();
        for (CityDay.Expected e : city.expectedCases()) {
            List<CaseFile> found = cases.stream().filter(c -> c.sources().stream().anyMatch(s -> s.id().equals(e.sensorId()))).toList();
            if (found.size() != 1) {
                problems.add(e.sensorId() + ": expected one case, found " + found.size());
                continue;
            }
            CaseFile c = found.get(0);
            boolean ok = c.category().code().equals(e.categoryCode()) && (e.maxSeverity() == null || e.maxSeverity().equals(c.severity()))
                    && (!e.clears() || c.status().equals("verified"));
            if (ok) {
                matched.incrementAndGet();
            } else {
                problems.add(e.sensorId() + ": expected " + e.categoryCode() + "/" + e.maxSeverity() + (e.clears() ? "/cleared" : "")
                        + ", found " + c.category().code() + "/" + c.severity() + "/" + c.status());
            }
        }
        List<String> unexpected = cases.stream().map(c -> c.sources().get(0).id())
                .filter(id -> city.expectedCases().stream().noneMatch(e -> e.sensorId().equals(id))).toList();
        long watches = alerts.stream().filter(a -> a.path("case_id").isNull() && a.path("state").asText().equals("raised")).count();

        out.println();
        out.println("summary");
        out.printf("  sensors        %d simulated (%s)%n", citySensors.size(), "water level, manhole, bin fill, road weather, rain gauge");
        out.printf("  ingest         %,d messages received, %,d readings to Kafka, %,d dead-lettered %s%n", ingest.received(), ingest.accepted(),
                ingest.rejectedTotal(), ingest.rejected().entrySet().stream().filter(e -> e.getValue() > 0)
                        .map(e -> e.getKey().code() + " " + e.getValue()).toList());
        out.printf("  cases          %d raised; %d of %d expected found exactly (category, severity, cleared)%s%n", cases.size(), matched.get(),
                city.expectedCases().size(), unexpected.isEmpty() ? "; nothing raised by the noise (spike, flaky sensor, duplicates)"
                        : "; UNEXPECTED from " + unexpected);
        problems.forEach(p -> out.println("    ✗ " + p));
        out.printf("  alerts         %d on MQTT gw/v1/alerts/{team}/{district} (flood and snow teams), %d district flood watches (expected %d)%n",
                alerts.size(), watches, city.expectedFloodWatches().size());
        Instant dayFrom = Instant.ofEpochMilli(city.at(0));
        Instant dayTo = Instant.ofEpochMilli(city.at(CityDay.MINUTES));
        ReadingStore readings = new ReadingStore(db);
        long stored = readings.readingsPerSensor(dayFrom, dayTo).entrySet().stream()
                .filter(e -> citySensors.contains(e.getKey())).mapToLong(Map.Entry::getValue).sum();
        out.printf("  stored         %,d readings of the day in PostgreSQL sensor_reading, one row each (a duplicate delivery once)%s%n", stored,
                readings.peak("water_level_cm", dayFrom, dayTo).filter(p -> citySensors.contains(p.sensorId()))
                        .map(p -> String.format(Locale.ROOT, "; deepest water %.0f cm, %s at %s", p.value(), p.sensorId(), HM.format(p.ts())))
                        .orElse(""));
        out.printf("  evidence       each case's sensor series: gridwatch://readings/<sensor>?from=…&to=… (readings in Kafka gw.readings.v1"
                + " and PostgreSQL sensor_reading)%n");
        return problems.isEmpty() && unexpected.isEmpty() && matched.get() == city.expectedCases().size();
    }
}
