package io.gridwatch.bench;

import com.fasterxml.jackson.databind.JsonNode;
import io.gridwatch.config.GridwatchConfig;
import io.gridwatch.ingest.IngestStats;
import io.gridwatch.ingest.SensorBridge;
import io.gridwatch.ingest.SensorRegistryCache;
import io.gridwatch.jobs.SensorPipelineJob;
import io.gridwatch.json.Json;
import io.gridwatch.sensor.SensorType;
import io.gridwatch.store.Database;
import io.gridwatch.store.SensorStore;
import io.gridwatch.testkit.TestServices;
import io.gridwatch.topics.Topics;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringSerializer;
import org.eclipse.paho.mqttv5.client.IMqttMessageListener;
import org.eclipse.paho.mqttv5.client.MqttClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttSubscription;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * End to end on this one machine (issue 3, target 2): devices → Mosquitto → {@link SensorBridge} (ingest) → Kafka
 * {@code gw.readings.v1} → the production sensor pipeline ({@link SensorPipelineJob#assemble}: rules, cases, Kafka
 * exactly-once sinks, PostgreSQL, alerts on MQTT) → an MQTT subscriber of {@code gw/v1/alerts/#}.
 *
 * <p>Services: a Kafka broker (own JVM), a Mosquitto (from the working tree's template) and PostgreSQL, from the
 * testkit, on free ports and throwaway files. {@code --sensors} sensors are registered in PostgreSQL; QoS 1
 * publishers send their readings at {@code --rate} per second in total, each sensor in turn, {@code ts} = now.
 * For latency, a rule pushed on {@code gw.rules.v1} replaces {@code water_level.default} with a hold of 0 s, and
 * {@code --triggers} water sensors, spread over the measured minutes, step from 0 to 40 cm: that reading completes
 * the rule's condition. Latency = the time its PUBLISH left the publisher → the {@code raised} alert of its case
 * arrived on MQTT. Prints a timeline, throughput, losses (published / accepted / in Kafka / processed by the job),
 * latency percentiles, CPU by thread group and memory.
 *
 * <p>{@code bench/run end-to-end [--rate 10000] [--minutes 5] [--warmup-s 20] [--sensors 100000] [--bridges 1]
 * [--publishers 4] [--receive-maximum 1000] [--triggers N]}
 */
public final class EndToEndBench {

    private static final Pattern FILES_DIR = Pattern.compile("files in (\\S+)");

    /** water_level.default as shipped, but raising on the first reading at or above 15 cm (for_s 0). */
    static final String BENCH_RULE = """
            {"schema": 1, "rule_id": "water_level.default", "sensor_type": "water_level", "kind": "threshold", "enabled": true,
             "description": "bench: 道路积水 without the 5-minute hold, so that one reading completes the condition",
             "category": {"kind": "event", "code": "0406"}, "team": "flood",
             "threshold": {
               "raise": [{"all": [{"metric": "water_level_cm", "op": ">=", "value": 15}], "for_s": 0}],
               "clear": [{"all": [{"metric": "water_level_cm", "op": "<", "value": 5}], "for_s": 600}],
               "severity": {"metric": "water_level_cm", "levels": [
                 {"at": 15, "severity": "blue"}, {"at": 30, "severity": "yellow"},
                 {"at": 50, "severity": "orange"}, {"at": 80, "severity": "red"}]}}}""";

    public static void main(String[] argv) throws Exception {
        RulesJobBench.Args a = new RulesJobBench.Args(argv);
        int rate = a.integer("rate", 10_000);
        double minutes = a.decimal("minutes", 5);
        int warmupS = a.integer("warmup-s", 20);
        int sensors = a.integer("sensors", 100_000);
        // one per machine, as deployed: two on these 2 cores cost 26 µs a reading against 19 (Kafka batches half as large)
        int bridges = a.integer("bridges", 1);
        int publishers = a.integer("publishers", 4);
        int receiveMaximum = a.integer("receive-maximum", 1_000);
        int pubWindow = a.integer("publisher-window", 1_000);
        double measuredS = minutes * 60;
        int water = sensors * 4 / 10;
        int triggers = Math.min(a.integer("triggers", (int) Math.min(2_000, measuredS * 5)), water / 2);

        System.out.printf(Locale.ROOT, "%n== end to end: %,d readings/s for %.1f min (after %d s warm-up), %,d sensors, %d publishers (QoS 1),"
                        + " %d ingest bridges (receive maximum %,d), Flink parallelism 2, %d latency triggers;%n   %d cores, java %s, max heap %,d MiB%n",
                rate, minutes, warmupS, sensors, publishers, bridges, receiveMaximum, triggers,
                Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"), Runtime.getRuntime().maxMemory() >> 20);

        long t0 = System.nanoTime();
        TestServices services = TestServices.shared();
        String describe = services.describe();
        System.out.printf(Locale.ROOT, "services in %.1f s: %s%n", RulesJobBench.secs(t0), describe);
        Matcher m = FILES_DIR.matcher(describe);
        String filesDir = m.find() ? m.group(1) : "-";
        long brokerPid = ProcStats.pidOf(filesDir + "/kafka/server.properties").orElse(-1L);
        long mosquittoPid = ProcStats.pidOf(filesDir + "/mosquitto/mosquitto.conf").orElse(-1L);
        String mosquittoConf = filesDir + "/mosquitto/mosquitto.conf";
        try {
            System.out.println("mosquitto.conf: " + String.join(" | ", java.nio.file.Files.readAllLines(java.nio.file.Path.of(mosquittoConf)).stream()
                    .filter(l -> l.startsWith("max_")).toList()));
        } catch (Exception e) {
            // only informative
        }

        // ---- registry
        t0 = System.nanoTime();
        SensorFleet fleet = new SensorFleet(sensors);
        String jdbcUrl = services.newDatabase("bench_e2e");
        Database db = Database.open(jdbcUrl, services.postgresUser());
        db.migrate();
        SensorStore store = new SensorStore(db.dataSource());
        store.upsert(fleet.sensors(), fleet.grids::lookup);
        System.out.printf(Locale.ROOT, "registered %,d sensors (%,d inside a unit grid) in %.1f s%n", sensors, fleet.inGrids(), RulesJobBench.secs(t0));

        // ---- the latency rule
        Properties pp = new Properties();
        pp.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, services.kafkaBootstrap());
        try (KafkaProducer<String, String> p = new KafkaProducer<>(pp, new StringSerializer(), new StringSerializer())) {
            p.send(new ProducerRecord<>(Topics.RULES.name(), "water_level.default", BENCH_RULE)).get();
        }

        // ---- triggers and the alert watcher
        int[] triggerSensor = new int[triggers];
        Random random = new Random(42);
        List<Integer> waterIds = new ArrayList<>();
        for (int i = 0; i < sensors; i++) {
            if (SensorFleet.type(i) == SensorType.WATER_LEVEL) {
                waterIds.add(i);
            }
        }
        java.util.Collections.shuffle(waterIds, random);
        Map<Long, Integer> triggerByPosition = new HashMap<>();
        int[] triggerOf = new int[sensors];
        Arrays.fill(triggerOf, -1);
        for (int k = 0; k < triggers; k++) {
            triggerSensor[k] = waterIds.get(k);
            triggerOf[triggerSensor[k]] = k;
            triggerByPosition.put(SensorFleet.positionKey(SensorFleet.lon(triggerSensor[k]), SensorFleet.lat(triggerSensor[k])), k);
        }
        long[] triggerDue = new long[triggers]; // nanoTime from which the sensor's next reading is the step
        AtomicLongArray sentAt = new AtomicLongArray(triggers);
        AtomicLongArray alertAt = new AtomicLongArray(triggers);
        LongAdder alerts = new LongAdder();
        LongAdder otherAlerts = new LongAdder();
        MqttClient watcher = new MqttClient(services.mqttUri(), "bench-alert-watch-" + UUID.randomUUID().toString().substring(0, 8), new MemoryPersistence());
        watcher.connect(new MqttConnectionOptions());
        watcher.subscribe(new MqttSubscription[] {new MqttSubscription("gw/v1/alerts/#", 1)}, new IMqttMessageListener[] {(topic, msg) -> {
            long now = System.nanoTime();
            alerts.increment();
            JsonNode n = Json.mapper().readTree(msg.getPayload());
            Integer k = triggerByPosition.get(SensorFleet.positionKey(n.path("location").path("lon").asDouble(), n.path("location").path("lat").asDouble()));
            if (k != null && "raised".equals(n.path("state").asText())) {
                alertAt.compareAndSet(k, 0, now);
            } else {
                otherAlerts.increment();
            }
        }});

        // ---- the job
        t0 = System.nanoTime();
        Configuration conf = new Configuration();
        // a checkpoint directory, as a deployment's Flink configuration must give (SensorPipelineJob sets none, and Flink's
        // in-memory default refuses the state of 100k sensors: every checkpoint fails, the job restarts)
        java.nio.file.Path checkpoints = java.nio.file.Files.createTempDirectory("gridwatch-bench-e2e-checkpoints-");
        conf.set(org.apache.flink.configuration.CheckpointingOptions.CHECKPOINTS_DIRECTORY, checkpoints.toUri().toString());
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.setParallelism(2);
        String group = "bench-e2e-" + UUID.randomUUID().toString().substring(0, 8);
        SensorPipelineJob.assemble(env, new SensorPipelineJob.Settings(services.kafkaBootstrap(), services.mqttUri(), jdbcUrl,
                services.postgresUser(), GridwatchConfig.Edition.CLASSIC,
                GridwatchConfig.defaults().jobs().sensorPipeline().withConsumerGroup(group)));
        JobClient job = env.executeAsync("bench end to end");

        // ---- ingest
        List<SensorBridge> bridgeList = new ArrayList<>();
        for (int b = 0; b < bridges; b++) {
            SensorBridge.Settings s = new SensorBridge.Settings(services.mqttUri(), "bench-bridge-" + b, "bench", Duration.ofMinutes(10),
                    receiveMaximum, services.kafkaBootstrap(), Duration.ofSeconds(10));
            bridgeList.add(new SensorBridge(s, new SensorRegistryCache(store::changesFrom), fleet.grids::lookup).start());
        }
        while (bridgeList.stream().anyMatch(b -> !b.stats().connected())) {
            Thread.sleep(20);
        }
        Thread.sleep(1_000);
        System.out.printf(Locale.ROOT, "job submitted and %d bridges connected in %.1f s%n", bridges, RulesJobBench.secs(t0));

        Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, services.kafkaBootstrap()));
        Counts c0 = Counts.take(admin, group, bridgeList);

        // ---- publishers
        AtomicBoolean stop = new AtomicBoolean();
        long start = System.nanoTime();
        long measureFrom = start + warmupS * 1_000_000_000L;
        long measureTo = measureFrom + (long) (measuredS * 1e9);
        for (int k = 0; k < triggers; k++) {
            triggerDue[k] = measureFrom + (long) ((k + 0.5) * measuredS * 1e9 / triggers);
        }
        boolean[] stepped = new boolean[sensors];
        long[] seq = new long[sensors];
        byte[][] topics = new byte[sensors][];
        for (int i = 0; i < sensors; i++) {
            topics[i] = ("gw/v1/sensors/" + SensorFleet.id(i) + "/telemetry").getBytes(StandardCharsets.US_ASCII);
        }
        List<RawMqttPublisher> pubs = new ArrayList<>();
        List<Thread> threads = new ArrayList<>();
        for (int p = 0; p < publishers; p++) {
            RawMqttPublisher pub = new RawMqttPublisher(services.mqttUri(), "bench-publisher-" + p, pubWindow);
            pubs.add(pub);
            PUBLISHERS.add(pub);
            int first = p;
            Thread t = new Thread(() -> {
                try {
                    double perNano = rate / 1e9 / publishers;
                    long sent = 0;
                    int i = first;
                    while (!stop.get()) {
                        long now = System.nanoTime();
                        long due = (long) ((now - start) * perNano);
                        if (sent >= due) {
                            pub.flush();
                            Thread.sleep(1);
                            continue;
                        }
                        long ts = System.currentTimeMillis();
                        while (sent < due) {
                            int k = triggerOf[i];
                            boolean step = k >= 0 && !stepped[i] && now >= triggerDue[k];
                            if (step) {
                                stepped[i] = true;
                                sentAt.set(k, System.nanoTime());
                            }
                            pub.publish(topics[i], SensorFleet.payload(i, ++seq[i], ts, stepped[i] ? 40 : 0));
                            if (step) {
                                pub.flush();
                            }
                            sent++;
                            i += publishers;
                            if (i >= sensors) {
                                i = first;
                            }
                        }
                    }
                    pub.awaitAcks(60_000);
                } catch (Exception e) {
                    e.printStackTrace();
                }
            }, "bench-publisher-" + p);
            t.start();
            threads.add(t);
        }

        Map<String, String> groups = ProcStats.groups("bench-publisher", "load generator", "bench-puback", "load generator",
                "MQTT Call: bench-bridge", "bridge: callback (parse, JSON, send)", "MQTT Rec: bench-bridge", "bridge: Paho receiver",
                "MQTT Snd: bench-bridge", "bridge: Paho sender", "gridwatch-sensor-bridge", "bridge: Kafka producer I/O",
                "bench-bridge", "bridge: other Paho", "sensor-bridge", "bridge: other",
                "Fetcher", "job: Kafka fetch", "Source: readings", "job: source (JSON → Reading)",
                "sensor rules", "job: sensor rules", "cases", "job: cases + sinks", "alerts", "job: alert sinks",
                "gridwatch-alerts", "job: alert sinks", "kafka-producer-network-thread", "job: Kafka sink producers",
                "bench-alert-watch", "alert watcher", "flink", "job: flink runtime", "Flink", "job: flink runtime");
        long pid = ProcessHandle.current().pid();
        System.out.println("\n      t    published/s    bridges→Kafka/s   job done/s   MQTT backlog  (in flight)   Kafka backlog   alerts  CPU all / bench JVM / Kafka / Mosquitto / PostgreSQL");
        Counts last = c0;
        Counts atFrom = null;
        Counts atTo = null;
        long stoppedAt = 0;
        Map<String, Long> cpuFrom = null;
        double[] procFrom = null;
        double[] procLast = procCpu(pid, brokerPid, mosquittoPid);
        long lastT = System.nanoTime();
        while (true) {
            long now = System.nanoTime();
            long next = Math.min(lastT + 10_000_000_000L, atFrom == null ? measureFrom : atTo == null ? measureTo : lastT + 10_000_000_000L);
            if (next > now) {
                Thread.sleep((next - now) / 1_000_000 + 1);
            }
            now = System.nanoTime();
            Counts c = Counts.take(admin, group, bridgeList);
            double[] proc = procCpu(pid, brokerPid, mosquittoPid);
            double dt = (now - lastT) / 1e9;
            System.out.printf(Locale.ROOT, "  %5.0f s  %,12.0f  %,16.0f  %,11.0f  %,13d  (%,9d)  %,14d  %,7d  %4.0f %% / %3.0f %% / %3.0f %% / %3.0f %% / %3.0f %%%n",
                    (now - start) / 1e9, (c.published() - last.published()) / dt, (c.kafka - last.kafka) / dt,
                    (c.committed - last.committed) / dt, c.published() - c.accepted - c.rejected, c.inFlight, c.kafka - c.committed, alerts.sum(),
                    100 * (proc[0] - procLast[0]) / dt / 2, 100 * (proc[1] - procLast[1]) / dt, 100 * (proc[2] - procLast[2]) / dt,
                    100 * (proc[3] - procLast[3]) / dt, 100 * (proc[4] - procLast[4]) / dt);
            last = c;
            procLast = proc;
            lastT = now;
            if (atFrom == null && now >= measureFrom) {
                atFrom = c;
                atFrom.at = now;
                cpuFrom = ProcStats.threadCpu(groups);
                procFrom = proc;
                System.out.println("  --- measured window starts");
            } else if (atFrom != null && atTo == null && now >= measureTo) {
                atTo = c;
                atTo.at = now;
                stop.set(true);
                stoppedAt = System.nanoTime();
                System.out.println("  --- measured window ends; publishers stop; draining");
                break;
            }
        }
        Map<String, Long> cpuTo = ProcStats.threadCpu(groups);
        double[] procTo = procCpu(pid, brokerPid, mosquittoPid);
        for (Thread t : threads) {
            t.join(70_000);
        }
        long published = 0;
        for (RawMqttPublisher p : pubs) {
            published += p.acked.sum();
        }
        // drain: ingest first, then the job (its committed offsets move at checkpoints)
        long drainFrom = stoppedAt;
        Counts end = Counts.take(admin, group, bridgeList);
        while (end.accepted + end.rejected < published && System.nanoTime() - drainFrom < 180_000_000_000L) {
            Thread.sleep(500);
            end = Counts.take(admin, group, bridgeList);
        }
        double ingestDrain = RulesJobBench.secs(drainFrom);
        while ((end.committed < end.kafka || allTriggersPending(alertAt, sentAt)) && System.nanoTime() - drainFrom < 240_000_000_000L) {
            Thread.sleep(500);
            end = Counts.take(admin, group, bridgeList);
        }
        double jobDrain = RulesJobBench.secs(drainFrom);
        Thread.sleep(2_000);
        end = Counts.take(admin, group, bridgeList);

        double window = (atTo.at - atFrom.at) / 1e9;
        System.out.printf(Locale.ROOT, "%nRESULT end to end, measured window %.0f s at a target of %,d readings/s:%n", window, rate);
        System.out.printf(Locale.ROOT, "  published (PUBACKed by Mosquitto): %,.0f /s; into Kafka by the bridges: %,.0f /s; processed by the job"
                        + " (committed offsets): %,.0f /s%n", (atTo.published() - atFrom.published()) / window, (atTo.kafka - atFrom.kafka) / window,
                (atTo.committed - atFrom.committed) / window);
        System.out.printf(Locale.ROOT, "  backlog when publishing stopped: %,d in Mosquitto for the bridges, %,d in Kafka for the job;"
                        + " drained after %.1f s (ingest) / %.1f s (job)%n", atTo.published() - atTo.accepted - atTo.rejected,
                atTo.kafka - atTo.committed, ingestDrain, jobDrain);
        System.out.printf(Locale.ROOT, "  totals (warm-up included): published %,d; bridges accepted %,d, dead-lettered %,d; in %s %,d;"
                        + " processed by the job %,d%n", published, end.accepted, end.rejected, Topics.READINGS.name(), end.kafka, end.committed);
        System.out.printf(Locale.ROOT, "  LOST: %,d between MQTT and Kafka (published − in Kafka − dead letters), %,d between Kafka and the job"
                + " (in Kafka − processed)%n", published - end.kafka - end.rejected, end.kafka - end.committed);
        List<Long> lat = new ArrayList<>();
        int sent = 0;
        for (int k = 0; k < triggers; k++) {
            if (sentAt.get(k) != 0) {
                sent++;
                if (alertAt.get(k) != 0) {
                    lat.add(alertAt.get(k) - sentAt.get(k));
                }
            }
        }
        lat.sort(Long::compare);
        if (lat.isEmpty()) {
            System.out.printf(Locale.ROOT, "  latency: no alert arrived for the %d completing readings sent%n", sent);
        } else {
            System.out.printf(Locale.ROOT, "  latency, completing reading published → raised alert received on MQTT (%,d of %,d triggers answered):%n"
                            + "    p50 %,d ms   p95 %,d ms   p99 %,d ms   max %,d ms%n", lat.size(), sent,
                    pct(lat, 0.50), pct(lat, 0.95), pct(lat, 0.99), lat.get(lat.size() - 1) / 1_000_000);
        }
        System.out.printf(Locale.ROOT, "  alerts on MQTT: %,d (%,d not a trigger's raised alert)%n", alerts.sum(), otherAlerts.sum());
        System.out.printf(Locale.ROOT, "  CPU over the window: machine %.0f %% of 2 cores (other tenants included); bench JVM %.0f %% of a core,"
                        + " Kafka broker %.0f %%, Mosquitto %.0f %%, PostgreSQL (all its processes) %.0f %%%n  bench JVM threads:%s%n",
                100 * (procTo[0] - procFrom[0]) / window / 2, 100 * (procTo[1] - procFrom[1]) / window, 100 * (procTo[2] - procFrom[2]) / window,
                100 * (procTo[3] - procFrom[3]) / window, 100 * (procTo[4] - procFrom[4]) / window, ProcStats.threadCpuDelta(cpuFrom, cpuTo, window));
        double inWindow = atTo.kafka - atFrom.kafka;
        double[] us = {1e6 * (procTo[1] - procFrom[1]) / inWindow, 1e6 * (procTo[2] - procFrom[2]) / inWindow, 1e6 * (procTo[3] - procFrom[3]) / inWindow,
                1e6 * (procTo[4] - procFrom[4]) / inWindow};
        double generator = 1e6 * (cpuTo.getOrDefault("load generator", 0L) - cpuFrom.getOrDefault("load generator", 0L)) / 1e9 / inWindow;
        double sut = us[0] - generator + us[1] + us[2] + us[3];
        System.out.printf(Locale.ROOT, "  CPU cost per reading over the window: bench JVM %.0f µs (of which the load generator %.0f), Kafka broker %.0f µs,"
                        + " Mosquitto %.0f µs, PostgreSQL %.0f µs%n  → the system under test (everything but the load generator) %.0f µs: it would"
                        + " carry ≈ %,.0f readings/s on 2 idle cores alone, ≈ %,.0f with this load generator beside it%n",
                us[0], generator, us[1], us[2], us[3], sut, 2e6 / sut, 2e6 / (sut + generator));
        System.out.printf(Locale.ROOT, "  memory: bench JVM (publishers + bridges + MiniCluster) %s, %s; Kafka broker %s; Mosquitto %s%n",
                ProcStats.rss(pid), ProcStats.heap(), ProcStats.rss(brokerPid), ProcStats.rss(mosquittoPid));
        for (SensorBridge b : bridgeList) {
            System.out.println("  bridge " + b.settings().clientId() + ": " + b.stats().summary());
        }

        job.cancel().get();
        for (SensorBridge b : bridgeList) {
            b.close();
        }
        for (RawMqttPublisher p : pubs) {
            p.close();
        }
        watcher.disconnect();
        admin.close();
        System.exit(0);
    }

    private static boolean allTriggersPending(AtomicLongArray alertAt, AtomicLongArray sentAt) {
        for (int k = 0; k < sentAt.length(); k++) {
            if (sentAt.get(k) != 0 && alertAt.get(k) == 0) {
                return true;
            }
        }
        return false;
    }

    private static long pct(List<Long> sorted, double q) {
        return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(q * sorted.size()) - 1)) / 1_000_000;
    }

    private static double[] procCpu(long self, long broker, long mosquitto) {
        return new double[] {ProcStats.machineBusySeconds(), ProcStats.cpuSeconds(self), ProcStats.cpuSeconds(broker), ProcStats.cpuSeconds(mosquitto),
                ProcStats.cpuSecondsOfCommand("postgres")};
    }

    /** Where the readings are: at the bridges, in Kafka, committed by the job. */
    static final class Counts {
        long accepted;
        long rejected;
        long kafka;
        long deadletter;
        long inFlight;
        long committed;
        long at;
        private final Map<RawMqttPublisher, Long> pubs = new HashMap<>();

        long published() {
            return pubs.values().stream().mapToLong(Long::longValue).sum();
        }

        static Counts take(Admin admin, String group, List<SensorBridge> bridges) throws Exception {
            Counts c = new Counts();
            for (RawMqttPublisher p : PUBLISHERS) {
                c.pubs.put(p, p.acked.sum());
            }
            for (SensorBridge b : bridges) {
                IngestStats s = b.stats();
                c.accepted += s.accepted();
                c.rejected += s.rejected().values().stream().mapToLong(Long::longValue).sum();
                c.inFlight += s.inFlight();
            }
            c.kafka = endOffsets(admin, Topics.READINGS.name(), Topics.READINGS.partitions());
            c.deadletter = endOffsets(admin, Topics.DEADLETTER.name(), Topics.DEADLETTER.partitions());
            Map<TopicPartition, OffsetAndMetadata> offsets = admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get();
            for (Map.Entry<TopicPartition, OffsetAndMetadata> e : offsets.entrySet()) {
                if (e.getKey().topic().equals(Topics.READINGS.name()) && e.getValue() != null) {
                    c.committed += e.getValue().offset();
                }
            }
            return c;
        }

        static long endOffsets(Admin admin, String topic, int partitions) throws Exception {
            Map<TopicPartition, OffsetSpec> q = new HashMap<>();
            for (int p = 0; p < partitions; p++) {
                q.put(new TopicPartition(topic, p), OffsetSpec.latest());
            }
            long sum = 0;
            for (var r : admin.listOffsets(q).all().get().values()) {
                sum += r.offset();
            }
            return sum;
        }
    }

    static final List<RawMqttPublisher> PUBLISHERS = new java.util.concurrent.CopyOnWriteArrayList<>();
}
