package io.gridwatch.bench;

import com.fasterxml.jackson.databind.JsonNode;
import io.gridwatch.ingest.DevicePublisher;
import io.gridwatch.config.GridwatchConfig;
import io.gridwatch.grid.GridCache;
import io.gridwatch.grid.GridIndex;
import io.gridwatch.json.Json;
import io.gridwatch.scenario.CityDay;
import io.gridwatch.sensor.Sensor;
import io.gridwatch.sensor.SensorCsv;
import io.gridwatch.sensor.TelemetryParser;
import io.gridwatch.stack.PortOwner;
import io.gridwatch.stack.PostgresEndpoint;
import io.gridwatch.topics.Topics;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.eclipse.paho.mqttv5.client.IMqttMessageListener;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttSubscription;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;

import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The fault benchmark (issue 11, "Also"): a scripted city day ({@link CityDay}) published over MQTT through the system
 * {@code gridwatch up} starts, while the ingest process and the sensor pipeline process are each killed with SIGKILL
 * several times at seeded random moments and started again the way a user does, by {@code gridwatch up} (the CLI, in a
 * process of its own). Then it waits for the system to settle and counts what the day must have produced against what
 * PostgreSQL, Kafka and the MQTT alert topics hold: readings published and stored, dead letters, cases by problem, case
 * ids given to more than one problem, alerts naming a case of another place or category, repeated {@code raised}.
 *
 * <p>Its own system, so that a developer's stack is never touched: a configuration file with free Kafka and MQTT ports
 * (so {@code up} starts gridwatch's own Mosquitto, {@code max_queued_messages 0}: the machine's broker keeps only 1,000
 * messages for a disconnected session), a var directory under {@code var/bench/}, and a fresh PostgreSQL database on the
 * configured server (dropped at the end unless {@code --keep}).
 */
public final class FaultBench {

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss").withZone(ZoneId.systemDefault());
    /** QoS 1 messages the publisher keeps unacknowledged (Mosquitto's default receive maximum is 20). */
    private static final int WINDOW = 16;

    private final Path root;
    private final Path work;
    private final Path config;
    private final String database;
    private final PostgresEndpoint postgres;
    private final String kafka;
    private final String mqttUri;
    private final long t0 = System.nanoTime();

    private FaultBench(Path root, Path work, Path config, String database, PostgresEndpoint postgres, String kafka, String mqttUri) {
        this.root = root;
        this.work = work;
        this.config = config;
        this.database = database;
        this.postgres = postgres;
        this.kafka = kafka;
        this.mqttUri = mqttUri;
    }

    /** A kill of one service at a moment after the day began publishing. */
    private record Kill(double atS, String service) {
    }

    /** What happened to one kill: when, which pid, how long `up` took, what it said. */
    private record Restart(Kill kill, long pid, double killedAtS, double upS, String said) {
    }

    public static void main(String[] argv) throws Exception {
        RulesJobBench.Args a = new RulesJobBench.Args(argv);
        int dayMinutes = a.integer("day-minutes", 4);
        int ingestKills = a.integer("ingest-kills", 3);
        int pipelineKills = a.integer("pipeline-kills", 3);
        long seed = a.integer("seed", 11);
        int settleS = a.integer("settle-s", 600);
        boolean keep = a.flag("keep");

        Path root = Path.of(System.getProperty("gridwatch.repo.root", ".")).toAbsolutePath().normalize();
        if (!Files.isRegularFile(root.resolve("cli/target/gridwatch.classpath"))) {
            throw new IllegalStateException("the CLI is not built: run  mvn -B -o -DskipTests package -pl cli,bench -am  first");
        }
        String stamp = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneId.systemDefault()).format(Instant.now());
        Path work = root.resolve("var/bench/faults-" + stamp);
        Files.createDirectories(work);
        Path varDir = work.resolve("var");
        copyGridCache(root.resolve("var/cache"), varDir.resolve("cache"));
        GridwatchConfig.Postgres pg = GridwatchConfig.defaults().stack().postgres();
        String database = "gw_faults_" + Long.toHexString(System.nanoTime());
        int mqttPort = PortOwner.freePort();
        int kafkaPort = PortOwner.freePort();
        Path config = Files.writeString(work.resolve("gridwatch.yaml"), String.format(Locale.ROOT, """
                # the fault benchmark's own system: gridwatch's own Mosquitto and Kafka on free ports, its own var and database
                stack:
                  var_dir: %s
                  kafka: {host: 127.0.0.1, port: %d, controller_port: %d}
                  mqtt: {host: 127.0.0.1, port: %d}
                  postgres: {host: %s, port: %d, database: %s, user: %s}
                """, varDir, kafkaPort, PortOwner.freePort(), mqttPort, pg.host(), pg.port(), database, pg.user()));
        PostgresEndpoint postgres = new PostgresEndpoint(pg.host(), pg.port(), pg.user(), null, PostgresEndpoint.Origin.EXTERNAL, null, null);
        FaultBench bench = new FaultBench(root, work, config, database, postgres, "127.0.0.1:" + kafkaPort, "tcp://127.0.0.1:" + mqttPort);
        System.out.printf("fault benchmark: a city day in %d min, ingest killed %d times and the pipeline %d times (seed %d)%n"
                        + "its own system: %s (Kafka :%d, gridwatch's own Mosquitto :%d, database %s on %s:%d; logs in %s)%n",
                dayMinutes, ingestKills, pipelineKills, seed, config, kafkaPort, mqttPort, database, pg.host(), pg.port(), varDir.resolve("log"));
        boolean clean = false;
        try {
            clean = bench.run(Duration.ofMinutes(dayMinutes), ingestKills, pipelineKills, seed, Duration.ofSeconds(settleS));
        } finally {
            bench.log("down: " + bench.cli("down").lines().filter(l -> l.startsWith("pipeline") || l.startsWith("ingest"))
                    .map(l -> l.replaceAll("\\s+", " ")).collect(Collectors.joining(" | ")));
            if (!keep) {
                postgres.dropDatabase(database);
            }
        }
        System.exit(clean ? 0 : 1);
    }

    private static void copyGridCache(Path from, Path to) throws IOException {
        // the services would derive the grids again (5–8 s each) into an empty cache
        if (Files.isDirectory(from)) {
            Files.createDirectories(to);
            try (var files = Files.list(from)) {
                for (Path f : files.filter(Files::isRegularFile).toList()) {
                    Files.copy(f, to.resolve(f.getFileName()));
                }
            }
        }
    }

    private boolean run(Duration dayLength, int ingestKills, int pipelineKills, long seed, Duration settleLimit) throws Exception {
        String up = cli("up");
        log("up: " + up.lines().filter(l -> l.matches("^(kafka|mqtt|postgres|ingest|pipeline)\\s.*")).map(l -> l.replaceAll("\\s+", " "))
                .map(l -> l.length() > 110 ? l.substring(0, 110) + "…" : l).collect(Collectors.joining("\n    ", "\n    ", "")));

        LocalDate day = LocalDate.now(CityDay.SHANGHAI).minusDays(1);
        GridwatchConfig defaults = GridwatchConfig.defaults();
        var grids = GridCache.dalian(work.resolve("var/cache"), defaults.grids());
        GridIndex index = new GridIndex(grids);
        CityDay city = new CityDay(grids, day, 20261127L);
        Path csv = Files.writeString(work.resolve("sensors.csv"), city.registryCsv());
        log("sensors import: " + cli("sensors", "import", csv.toString()).strip());
        Map<String, Sensor> registry = SensorCsv.read(new StringReader(city.registryCsv()), "the city day").stream()
                .collect(Collectors.toMap(Sensor::sensorId, Function.identity()));
        TelemetryParser parser = new TelemetryParser(id -> Optional.ofNullable(registry.get(id)), index::lookup);

        List<JsonNode> alerts = new CopyOnWriteArrayList<>();
        MqttAsyncClient listener = new MqttAsyncClient(mqttUri, "fault-bench-alerts-" + System.nanoTime(), new MemoryPersistence());
        listener.connect(new MqttConnectionOptions()).waitForCompletion(10_000);
        listener.subscribe(new MqttSubscription[] {new MqttSubscription("gw/v1/alerts/#", 1)}, null, null,
                new IMqttMessageListener[] {(topic, m) -> alerts.add(Json.mapper().readTree(m.getPayload()))}, new MqttProperties())
                .waitForCompletion(10_000);

        // the kills: seeded moments between 10 % and 85 % of the day's publishing, each restarted with `up`
        Random r = new Random(seed);
        List<Kill> kills = new ArrayList<>();
        double span = dayLength.toMillis() / 1000.0;
        for (int i = 0; i < ingestKills; i++) {
            kills.add(new Kill(span * (0.10 + 0.75 * r.nextDouble()), "ingest"));
        }
        for (int i = 0; i < pipelineKills; i++) {
            kills.add(new Kill(span * (0.10 + 0.75 * r.nextDouble()), "pipeline"));
        }
        kills.sort(Comparator.comparingDouble(Kill::atS));
        List<Restart> restarts = new CopyOnWriteArrayList<>();
        long publishStart = System.nanoTime();
        Thread chaos = new Thread(() -> killAndRestart(kills, publishStart, restarts), "fault-bench-kills");
        chaos.start();

        Set<String> expectedReadings = new HashSet<>();
        Map<String, Long> expectedDead = new TreeMap<>();
        long published = publish(city, parser, dayLength, expectedReadings, expectedDead);
        double publishS = (System.nanoTime() - publishStart) / 1e9;
        log(String.format(Locale.ROOT, "published %,d messages in %.0f s", published, publishS));
        chaos.join();
        log("every kill done and restarted; waiting for the system to settle");

        long settleStart = System.nanoTime();
        long deadline = settleStart + settleLimit.toNanos();
        long dayFrom = city.at(0);
        long dayTo = city.at(CityDay.MINUTES);
        while (System.nanoTime() < deadline) {
            if (storedReadings(dayFrom, dayTo) >= expectedReadings.size() && casesSettled(city)) {
                break;
            }
            Thread.sleep(1_000);
        }
        double settleS = (System.nanoTime() - settleStart) / 1e9;
        Thread.sleep(5_000); // what a late duplicate would still bring
        listener.disconnect().waitForCompletion(5_000);
        listener.close();
        return report(city, published, publishS, expectedReadings, expectedDead, alerts, restarts, settleS, settleLimit);
    }

    private long publish(CityDay city, TelemetryParser parser, Duration dayLength, Set<String> readings, Map<String, Long> dead) throws Exception {
        MqttAsyncClient mqtt = new MqttAsyncClient(mqttUri, "fault-bench-devices-" + System.nanoTime(), new MemoryPersistence());
        mqtt.connect(new MqttConnectionOptions()).waitForCompletion(10_000);
        long start = System.nanoTime();
        long perMinuteNs = dayLength.toNanos() / CityDay.MINUTES;
        DevicePublisher devices = new DevicePublisher(mqtt, WINDOW, 30_000);
        long published = 0;
        try {
            for (int m = 0; m < CityDay.MINUTES; m++) {
                for (CityDay.Message msg : city.minute(m)) {
                    TelemetryParser.Result result = parser.parse(msg.topic(), msg.payload(), System.currentTimeMillis());
                    if (result instanceof TelemetryParser.Accepted acc) {
                        readings.add(acc.reading().sensorId() + "@" + acc.reading().ts());
                    } else {
                        dead.merge(((TelemetryParser.Rejection) result).reason().code(), 1L, Long::sum);
                    }
                    devices.publish(msg.topic(), msg.payload());
                    published++;
                }
                if (m % 240 == 239) {
                    log(String.format(Locale.ROOT, "day %02d:00, published %,d", (m + 1) / 60, published));
                }
                long wait = start + (m + 1) * perMinuteNs - System.nanoTime();
                if (wait > 0) {
                    Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                }
            }
            devices.drain();
        } finally {
            mqtt.disconnect().waitForCompletion(5_000);
            mqtt.close();
        }
        return published;
    }

    /** Kills each service at its moment (SIGKILL, as a crash or `kill -9`) and starts it again as a user does: `gridwatch up`. */
    private void killAndRestart(List<Kill> kills, long publishStart, List<Restart> restarts) {
        for (Kill k : kills) {
            try {
                long wait = publishStart + (long) (k.atS() * 1e9) - System.nanoTime();
                if (wait > 0) {
                    Thread.sleep(wait / 1_000_000);
                }
                Path pidFile = work.resolve("var/run/" + k.service() + ".pid");
                long pid = Long.parseLong(Files.readString(pidFile).strip());
                ProcessHandle p = ProcessHandle.of(pid).orElseThrow(() -> new IllegalStateException(k.service() + " pid " + pid + " is not running"));
                double killedAt = (System.nanoTime() - publishStart) / 1e9;
                p.destroyForcibly();
                p.onExit().get();
                log(String.format(Locale.ROOT, "t=%.0f s: kill -9 %s (pid %d); gridwatch up", killedAt, k.service(), pid));
                long u0 = System.nanoTime();
                String out = cli("up");
                double upS = (System.nanoTime() - u0) / 1e9;
                String said = out.lines().filter(l -> l.startsWith(k.service())).findFirst().orElse("").replaceAll("\\s+", " ");
                String resumed = "";
                if (k.service().equals("pipeline")) {
                    resumed = Files.readString(work.resolve("var/log/pipeline.log")).lines().filter(l -> l.contains("resuming from") || l.contains("started fresh"))
                            .reduce((x, y) -> y).orElse("");
                    resumed = resumed.substring(Math.max(0, resumed.indexOf("resuming")));
                }
                restarts.add(new Restart(k, pid, killedAt, upS, said));
                log(String.format(Locale.ROOT, "  up took %.1f s: %s %s", upS, said.length() > 90 ? said.substring(0, 90) + "…" : said, resumed));
            } catch (Exception e) {
                log("kill of " + k.service() + " failed: " + e);
            }
        }
    }

    /** Runs the gridwatch CLI in a process of its own (as {@code ./gridwatch} does, without the build check) and returns its output. */
    String cli(String... args) {
        List<String> cmd = new ArrayList<>(List.of(javaBinary(), "-Xmx512m", "-Dfile.encoding=UTF-8", "-cp", cliClassPath(),
                "io.gridwatch.cli.Gridwatch", "--repo-root", root.toString(), "--config", config.toString()));
        cmd.addAll(List.of(args));
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            int rc = p.waitFor();
            Files.writeString(work.resolve("cli.log"), "$ gridwatch " + String.join(" ", args) + " → " + rc + "\n" + out + "\n",
                    java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
            if (rc != 0 && !args[0].equals("down")) {
                throw new IllegalStateException("gridwatch " + String.join(" ", args) + " failed (" + rc + "):\n" + out);
            }
            return out;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private String cliClassPath() {
        try {
            return root.resolve("cli/target/classes") + java.io.File.pathSeparator
                    + Files.readString(root.resolve("cli/target/gridwatch.classpath")).strip();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static String javaBinary() {
        return ProcessHandle.current().info().command().orElse("java");
    }

    private void log(String s) {
        System.out.printf(Locale.ROOT, "[%s +%5.0f s] %s%n", TIME.format(Instant.now()), (System.nanoTime() - t0) / 1e9, s);
    }

    // ---- what the system holds --------------------------------------------------------------------

    private <T> T query(String sql, SqlFunction<ResultSet, T> read) {
        try (Connection c = postgres.connect(database); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            return read.apply(rs);
        } catch (SQLException e) {
            throw new IllegalStateException(sql + ": " + e.getMessage(), e);
        }
    }

    @FunctionalInterface
    private interface SqlFunction<A, B> {
        B apply(A a) throws SQLException;
    }

    private long storedReadings(long from, long to) {
        return query("SELECT count(*) FROM sensor_reading WHERE ts >= to_timestamp(" + from / 1000 + ") AND ts < to_timestamp(" + to / 1000 + ")",
                rs -> rs.next() ? rs.getLong(1) : 0);
    }

    private Set<String> storedReadingKeys(long from, long to) {
        return query("SELECT sensor_id, (extract(epoch FROM ts) * 1000)::bigint FROM sensor_reading WHERE ts >= to_timestamp(" + from / 1000
                + ") AND ts < to_timestamp(" + to / 1000 + ")", rs -> {
            Set<String> out = new HashSet<>();
            while (rs.next()) {
                out.add(rs.getString(1) + "@" + rs.getLong(2));
            }
            return out;
        });
    }

    /** Case id → [problem_key, status, source sensor, category code, severity, grid code]. */
    private Map<String, String[]> cases() {
        return query("SELECT case_id, problem_key, status, payload->'sources'->0->>'id', category_code, severity, grid_code FROM gw_case", rs -> {
            Map<String, String[]> out = new TreeMap<>();
            while (rs.next()) {
                out.put(rs.getString(1), new String[] {rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5), rs.getString(6), rs.getString(7)});
            }
            return out;
        });
    }

    private boolean casesSettled(CityDay city) {
        Map<String, String[]> cases = cases();
        for (CityDay.Expected e : city.expectedCases()) {
            if (cases.values().stream().noneMatch(c -> e.sensorId().equals(c[2]) && (!e.clears() || "verified".equals(c[1])))) {
                return false;
            }
        }
        return true;
    }

    private long readingsInKafka() {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka);
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> parts = c.partitionsFor(Topics.READINGS.name()).stream().map(i -> new TopicPartition(i.topic(), i.partition())).toList();
            Map<TopicPartition, Long> begin = c.beginningOffsets(parts);
            return c.endOffsets(parts).entrySet().stream().mapToLong(e -> e.getValue() - begin.get(e.getKey())).sum();
        }
    }

    private Map<String, Long> deadLettersByReason() {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        Map<String, Long> out = new TreeMap<>();
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> parts = c.partitionsFor(Topics.DEADLETTER.name()).stream().map(i -> new TopicPartition(i.topic(), i.partition())).toList();
            c.assign(parts);
            c.seekToBeginning(parts);
            Map<TopicPartition, Long> end = new HashMap<>(c.endOffsets(parts));
            end.entrySet().removeIf(e -> c.position(e.getKey()) >= e.getValue());
            while (!end.isEmpty()) {
                for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(500))) {
                    Header h = r.headers().lastHeader(Topics.HEADER_REASON);
                    out.merge(h == null ? "?" : new String(h.value(), StandardCharsets.UTF_8), 1L, Long::sum);
                }
                end.entrySet().removeIf(e -> c.position(e.getKey()) >= e.getValue());
            }
        }
        return out;
    }

    // ---- the report -------------------------------------------------------------------------------

    private boolean report(CityDay city, long published, double publishS, Set<String> expectedReadings, Map<String, Long> expectedDead,
                           List<JsonNode> alerts, List<Restart> restarts, double settleS, Duration settleLimit) {
        long dayFrom = city.at(0);
        long dayTo = city.at(CityDay.MINUTES);
        Set<String> stored = storedReadingKeys(dayFrom, dayTo);
        Set<String> missing = new HashSet<>(expectedReadings);
        missing.removeAll(stored);
        Set<String> extra = new HashSet<>(stored);
        extra.removeAll(expectedReadings);
        long inKafka = readingsInKafka();
        Map<String, Long> dead = deadLettersByReason();
        Map<String, String[]> cases = cases();

        // cases by problem: each expected problem exactly one case of the right category, severity, cleared
        List<String> caseProblems = new ArrayList<>();
        int found = 0;
        for (CityDay.Expected e : city.expectedCases()) {
            List<String[]> of = cases.values().stream().filter(c -> e.sensorId().equals(c[2])).toList();
            boolean ok = of.size() == 1 && of.get(0)[3].equals(e.categoryCode()) && (e.maxSeverity() == null || e.maxSeverity().equals(of.get(0)[4]))
                    && (!e.clears() || "verified".equals(of.get(0)[1]));
            if (ok) {
                found++;
            } else {
                caseProblems.add(e.sensorId() + ": " + of.size() + " cases " + of.stream().map(c -> c[3] + "/" + c[4] + "/" + c[1]).toList());
            }
        }
        List<String> unexpected = cases.entrySet().stream().filter(c -> city.expectedCases().stream().noneMatch(e -> e.sensorId().equals(c.getValue()[2])))
                .map(c -> c.getKey() + " (" + c.getValue()[2] + ")").toList();

        // a case id given to more than one problem: in the numbering table, in the cases, between the two
        long idsReused = query("""
                SELECT count(*) FROM (
                  SELECT case_id FROM (SELECT case_id, problem_key FROM case_number UNION ALL SELECT case_id, problem_key FROM gw_case) x
                   GROUP BY case_id HAVING count(DISTINCT problem_key) > 1) y""", rs -> rs.next() ? rs.getLong(1) : -1);
        // an alert naming a case of another place or category (on MQTT, and as stored)
        long wrongMqtt = alerts.stream().filter(a -> !a.path("case_id").isNull()).filter(a -> {
            String[] c = cases.get(a.path("case_id").asText());
            return c == null || !c[3].equals(a.path("category").path("code").asText()) || !c[5].equals(a.path("grid").path("code").asText());
        }).count();
        long wrongStored = query("""
                SELECT count(*) FROM alert a LEFT JOIN gw_case c ON c.case_id = a.case_id
                 WHERE a.case_id IS NOT NULL AND (c.case_id IS NULL OR c.grid_code IS DISTINCT FROM a.grid_code
                    OR c.category_code IS DISTINCT FROM a.payload->'category'->>'code')""", rs -> rs.next() ? rs.getLong(1) : -1);
        // exactly one `raised` per case: distinct alert ids (an MQTT repeat of one alert id is at-least-once delivery)
        Map<String, Set<String>> raisedIds = new HashMap<>();
        alerts.stream().filter(a -> !a.path("case_id").isNull() && a.path("state").asText().equals("raised"))
                .forEach(a -> raisedIds.computeIfAbsent(a.path("case_id").asText(), k -> new HashSet<>()).add(a.path("alert_id").asText()));
        long raisedTwice = raisedIds.values().stream().filter(s -> s.size() > 1).count();
        long mqttRepeats = alerts.size() - alerts.stream().map(a -> a.path("alert_id").asText()).distinct().count();
        long watches = alerts.stream().filter(a -> a.path("case_id").isNull() && a.path("state").asText().equals("raised"))
                .map(a -> a.path("alert_id").asText()).distinct().count();
        long expectedAlerted = city.expectedCases().stream().filter(e -> e.team() != null).count();
        long deadTotal = dead.values().stream().mapToLong(Long::longValue).sum();
        long deadExpected = expectedDead.values().stream().mapToLong(Long::longValue).sum();
        boolean deadOk = expectedDead.entrySet().stream().allMatch(e -> dead.getOrDefault(e.getKey(), 0L) >= e.getValue())
                && dead.keySet().stream().allMatch(expectedDead::containsKey);

        System.out.println();
        System.out.println("== fault benchmark: counts ==");
        System.out.printf(Locale.ROOT, "kills                  %d (ingest %d, pipeline %d), each restarted by `gridwatch up` in %s s%n", restarts.size(),
                restarts.stream().filter(x -> x.kill().service().equals("ingest")).count(),
                restarts.stream().filter(x -> x.kill().service().equals("pipeline")).count(),
                restarts.stream().map(x -> String.format(Locale.ROOT, "%s %.0f", x.kill().service(), x.upS())).toList());
        System.out.printf(Locale.ROOT, "published (PUBACKed)   %,d messages in %.0f s; %,d distinct valid readings among them%n", published, publishS,
                expectedReadings.size());
        System.out.printf(Locale.ROOT, "readings in Kafka      %,d records (duplicates: the script's own and redeliveries after a kill)%n", inKafka);
        System.out.printf(Locale.ROOT, "readings stored        %,d distinct in PostgreSQL sensor_reading (one row each by its key); missing %,d, not published %,d%s%n",
                stored.size(), missing.size(), extra.size(), missing.isEmpty() ? "" : " e.g. " + missing.stream().sorted().limit(5).toList());
        System.out.printf(Locale.ROOT, "dead letters           %,d %s (expected at least %,d %s; a kill may make ingest write one again)%n", deadTotal, dead,
                deadExpected, expectedDead);
        System.out.printf(Locale.ROOT, "cases expected/found   %d / %d exactly as scripted (by problem); unexpected %d %s%n", city.expectedCases().size(), found,
                unexpected.size(), unexpected.isEmpty() ? "" : unexpected);
        caseProblems.forEach(p -> System.out.println("    ✗ " + p));
        System.out.printf(Locale.ROOT, "case ids reused        %d (a case id with more than one problem, in case_number or gw_case)%n", idsReused);
        System.out.printf(Locale.ROOT, "alerts for wrong case  %d on MQTT, %d stored (an alert whose case is of another grid or category)%n", wrongMqtt, wrongStored);
        System.out.printf(Locale.ROOT, "duplicate `raised`     %d cases with more than one raised alert id; %d of %d alerted cases raised; MQTT repeats of one alert id %d%n",
                raisedTwice, raisedIds.size(), expectedAlerted, mqttRepeats);
        System.out.printf(Locale.ROOT, "district flood watches %d (expected %d)%n", watches, city.expectedFloodWatches().size());
        System.out.printf(Locale.ROOT, "time to settle         %.1f s after the last message and the last restart (every reading stored, every case ended)%s%n",
                settleS, settleS >= settleLimit.toSeconds() ? " — NOT SETTLED within the limit" : "");
        boolean clean = missing.isEmpty() && extra.isEmpty() && deadOk && caseProblems.isEmpty() && unexpected.isEmpty() && idsReused == 0
                && wrongMqtt == 0 && wrongStored == 0 && raisedTwice == 0 && raisedIds.size() == expectedAlerted
                && watches == city.expectedFloodWatches().size();
        System.out.println("verdict                " + (clean ? "nothing lost, nothing duplicated, no case id reused" : "NOT CLEAN: see above"));
        return clean;
    }
}
