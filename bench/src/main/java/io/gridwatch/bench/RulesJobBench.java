package io.gridwatch.bench;

import io.gridwatch.config.GridwatchConfig;
import io.gridwatch.jobs.BenchJobs;
import io.gridwatch.jobs.RuleChange;
import io.gridwatch.jobs.SensorPipeline;
import io.gridwatch.rules.RuleEvaluator;
import io.gridwatch.rules.RuleSet;
import io.gridwatch.rules.SensorRuleState;
import io.gridwatch.sensor.Reading;
import io.gridwatch.sensor.ReadingJson;
import io.gridwatch.sensor.SensorType;
import io.gridwatch.stack.KafkaBrokerProcess;
import io.gridwatch.stack.LocalStack;
import io.gridwatch.stack.ServiceFiles;
import io.gridwatch.topics.Topics;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * The rules job alone (issue 3, target 1): a Kafka broker of its own (own JVM, free ports, throwaway files),
 * {@code gw.readings.v1} pre-filled with {@code --readings} normalised readings of {@code --sensors} sensors (one
 * reading per sensor per simulated minute, some floods that raise and clear cases), then the production pipeline
 * ({@link SensorPipeline#build}: production deserializer, watermarks, keyBy sensor, {@code SensorRulesFunction}
 * with the rules broadcast, cases, alerts side output) on a MiniCluster reading the topic from its beginning to
 * its end, with counting sinks in place of Kafka/PostgreSQL/MQTT. Prints throughput, CPU by thread group, memory,
 * and the rule state per sensor ({@link SensorRuleState#toBytes()} over every sensor after the same readings).
 *
 * <p>{@code bench/run rules-job [--sensors 100000] [--readings 3000000] [--parallelism 2] [--object-reuse]
 * [--checkpoint-s 5]}
 */
public final class RulesJobBench {

    public static void main(String[] args) throws Exception {
        Args a = new Args(args);
        int sensors = a.integer("sensors", 100_000);
        int readings = a.integer("readings", 3_000_000);
        int parallelism = a.integer("parallelism", 2);
        boolean objectReuse = a.flag("object-reuse");
        int checkpointS = a.integer("checkpoint-s", 5);
        int rounds = (readings + sensors - 1) / sensors;

        System.out.printf(Locale.ROOT, "%n== rules job alone: %,d readings of %,d sensors (%d per sensor), parallelism %d, object reuse %s,"
                        + " checkpoints every %d s; %d cores, java %s, max heap %,d MiB%n",
                readings, sensors, rounds, parallelism, objectReuse ? "on" : "off (as in production)", checkpointS,
                Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"), Runtime.getRuntime().maxMemory() >> 20);

        Path dir = Files.createTempDirectory("gridwatch-bench-rules-");
        KafkaBrokerProcess kafka = new KafkaBrokerProcess("127.0.0.1", freePort(), freePort(), ServiceFiles.under(dir, "kafka"), false);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> kafka.stop(Duration.ofSeconds(5)), "bench-stop-kafka"));
        Path checkpoints = dir.resolve("checkpoints");
        try {
            long t0 = System.nanoTime();
            kafka.launch();
            kafka.awaitReady(Duration.ofSeconds(90));
            LocalStack.ensureTopics(kafka.bootstrapServers());
            long brokerPid = kafka.process().map(ProcessHandle::pid).orElse(-1L);
            System.out.printf(Locale.ROOT, "Kafka broker %s ready in %.1f s (pid %d, its own JVM)%n", kafka.bootstrapServers(), secs(t0), brokerPid);

            SensorFleet fleet = new SensorFleet(sensors);
            System.out.printf(Locale.ROOT, "fleet: %,d sensors, %,d of them inside a unit grid%n", sensors, fleet.inGrids());
            long base = (System.currentTimeMillis() / 60_000L - rounds - 2) * 60_000L;
            prefill(kafka.bootstrapServers(), fleet, readings, base);

            // ---- the job
            Configuration conf = new Configuration();
            conf.set(PipelineOptions.OBJECT_REUSE, objectReuse);
            // SensorPipelineJob sets no checkpoint storage: Flink's default keeps checkpoints in the JobManager's memory with a
            // 5 MiB limit per state handle, which 100k sensors exceed (~11 MiB per subtask): every checkpoint fails and the job
            // restarts. A deployment needs a checkpoint directory; the bench gives it one, as a cluster configuration would.
            conf.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, checkpoints.toUri().toString());
            StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
            env.setParallelism(parallelism);
            if (checkpointS > 0) {
                env.enableCheckpointing(checkpointS * 1000L);
            }
            String group = "bench-rules-" + UUID.randomUUID();
            // the watermark strategy of SensorPipelineJob.assemble (5 s out of order, 30 s idleness)
            DataStream<Reading> in = env.fromSource(BenchJobs.boundedReadings(kafka.bootstrapServers(), group),
                    WatermarkStrategy.<Reading>forBoundedOutOfOrderness(Duration.ofSeconds(5))
                            .withTimestampAssigner((r, t) -> r.ts()).withIdleness(Duration.ofSeconds(30)),
                    "readings").uid("readings-source");
            DataStream<RuleChange> rules = env.fromSource(BenchJobs.boundedRules(kafka.bootstrapServers(), group + "-rules"),
                    io.gridwatch.jobs.RuleChanges.WATERMARKS, "rules").uid("rules-source");
            SensorPipeline.build(in, rules, new SensorPipeline.Outputs(List.of(BenchJobs.counting("detections")),
                    List.of(BenchJobs.counting("cases")), List.of(BenchJobs.counting("alerts"))), GridwatchConfig.Edition.CLASSIC,
                    BenchJobs.inMemoryCaseNumbers());

            Map<String, String> groups = ProcStats.groups("Fetcher", "kafka fetch (consumer)", "Source: readings", "source task (JSON → Reading)",
                    "sensor rules", "sensor rules operator", "cases", "cases operator", "Source: rules", "rules source",
                    "Checkpoint", "checkpointing", "Legacy Source", "rules source", "AsyncOperations", "checkpointing", "flink-", "flink runtime");
            Map<String, Long> cpu0 = ProcStats.threadCpu(groups);
            double jvmCpu0 = ProcStats.cpuSeconds(ProcessHandle.current().pid());
            double brokerCpu0 = ProcStats.cpuSeconds(brokerPid);
            double machine0 = ProcStats.machineBusySeconds();
            long start = System.nanoTime();
            JobClient job = env.executeAsync("bench rules job");
            long firstAt = 0;
            long at10 = 0;
            long at90 = 0;
            long lastPrint = start;
            long lastCount = 0;
            Map<String, Long> cpuAt90 = cpu0;
            double jvmAt10 = 0;
            double jvmAt90 = 0;
            double brokerAt10 = 0;
            double brokerAt90 = 0;
            long checkpointBytes = 0;
            String checkpointName = "-";
            // the local executor shuts its MiniCluster down as soon as the job ends, so asking for the job's status can
            // fail at the end: wait on the result instead
            var result = job.getJobExecutionResult();
            while (!result.isDone()) {
                Thread.sleep(50);
                long n = BenchJobs.READINGS_IN.sum();
                long now = System.nanoTime();
                if (n > 0 && firstAt == 0) {
                    firstAt = now;
                }
                if (n >= readings / 10 && at10 == 0) {
                    at10 = now;
                    jvmAt10 = ProcStats.cpuSeconds(ProcessHandle.current().pid());
                    brokerAt10 = ProcStats.cpuSeconds(brokerPid);
                }
                if (n >= readings * 9L / 10 && at90 == 0) {
                    at90 = now;
                    jvmAt90 = ProcStats.cpuSeconds(ProcessHandle.current().pid());
                    brokerAt90 = ProcStats.cpuSeconds(brokerPid);
                    cpuAt90 = ProcStats.threadCpu(groups);
                }
                if (now - lastPrint >= 2_000_000_000L) {
                    var latest = latestCheckpoint(checkpoints);
                    if (latest.isPresent()) {
                        checkpointName = latest.get().getFileName().toString();
                        checkpointBytes = sizeOf(latest.get());
                    }
                    System.out.printf(Locale.ROOT, "  t=%5.1f s  read %,11d  %,9.0f readings/s%n", (now - start) / 1e9, n,
                            (n - lastCount) / ((now - lastPrint) / 1e9));
                    lastPrint = now;
                    lastCount = n;
                }
            }
            long end = System.nanoTime();
            result.get();
            double wall = (end - start) / 1e9;
            double fromFirst = (end - firstAt) / 1e9;
            double steady = (at90 - at10) / 1e9;
            double jvmCpu = ProcStats.cpuSeconds(ProcessHandle.current().pid()) - jvmCpu0;
            double brokerCpu = ProcStats.cpuSeconds(brokerPid) - brokerCpu0;
            double machine = ProcStats.machineBusySeconds() - machine0;
            long read = BenchJobs.READINGS_IN.sum();

            System.out.printf(Locale.ROOT, "%nRESULT rules job: %,d readings (%,d sensors) through the job%n", read, sensors);
            System.out.printf(Locale.ROOT, "  steady throughput (10 %%→90 %% of the input): %,.0f readings/s%n", readings * 0.8 / steady);
            System.out.printf(Locale.ROOT, "  first record → job finished (incl. the end-of-input timers of every sensor): %.2f s = %,.0f readings/s%n",
                    fromFirst, read / fromFirst);
            System.out.printf(Locale.ROOT, "  submit → finished (incl. ~%.1f s job start): %.2f s = %,.0f readings/s%n",
                    (firstAt - start) / 1e9, wall, read / wall);
            System.out.printf(Locale.ROOT, "  out: %,d detections, %,d case messages, %,d alerts (counting sinks)%n",
                    BenchJobs.DETECTIONS.sum(), BenchJobs.CASES.sum(), BenchJobs.ALERTS.sum());
            System.out.printf(Locale.ROOT, "  CPU: machine %.0f %% of 2 cores busy (everything, other tenants included); this JVM %.1f s = %.0f %% of a core;"
                            + " Kafka broker %.1f s%n  this JVM's threads during the run:%s%n",
                    100 * machine / wall / Runtime.getRuntime().availableProcessors(), jvmCpu, 100 * jvmCpu / wall, brokerCpu,
                    ProcStats.threadCpuDelta(cpu0, cpuAt90, (at90 - start) / 1e9));
            double perReading = ((jvmAt90 - jvmAt10) + (brokerAt90 - brokerAt10)) / (readings * 0.8);
            System.out.printf(Locale.ROOT, "  CPU cost in the steady part (10 %%→90 %%): %.1f µs per reading (job JVM %.1f + Kafka broker %.1f) →"
                            + " on %d otherwise idle cores ≈ %,.0f readings/s%n", perReading * 1e6, (jvmAt90 - jvmAt10) / (readings * 0.8) * 1e6,
                    (brokerAt90 - brokerAt10) / (readings * 0.8) * 1e6, Runtime.getRuntime().availableProcessors(),
                    Runtime.getRuntime().availableProcessors() / perReading);
            System.out.printf(Locale.ROOT, "  memory: this JVM (harness + MiniCluster) %s, %s; Kafka broker %s%n",
                    ProcStats.rss(ProcessHandle.current().pid()), ProcStats.heap(), ProcStats.rss(brokerPid));

            System.out.printf(Locale.ROOT, "  Flink checkpoint (heap state backend, full snapshot) %s: %,d bytes = %.0f bytes per sensor"
                    + " (all keyed state: rule state with its timer, the timers, keys; plus the cases operator and source offsets)%n",
                    checkpointName, checkpointBytes, (double) checkpointBytes / sensors);

            stateSizes(fleet, rounds, readings, base);
        } finally {
            kafka.stop(Duration.ofSeconds(5));
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
        System.exit(0);
    }

    /** Writes the readings round by round (every sensor's n-th reading before any (n+1)-th), as ingest would. */
    static void prefill(String bootstrap, SensorFleet fleet, int readings, long base) throws Exception {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.ACKS_CONFIG, "1");
        p.put(ProducerConfig.LINGER_MS_CONFIG, 20);
        p.put(ProducerConfig.BATCH_SIZE_CONFIG, 512 * 1024);
        p.put(ProducerConfig.BUFFER_MEMORY_CONFIG, 128L << 20);
        long t0 = System.nanoTime();
        long bytes = 0;
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
            for (int n = 0; n < readings; n++) {
                int i = n % fleet.size;
                int round = n / fleet.size;
                Reading r = fleet.reading(i, round, ts(base, i, round));
                byte[] value = ReadingJson.write(r);
                bytes += value.length;
                producer.send(new ProducerRecord<>(Topics.READINGS.name(), r.sensorId().getBytes(StandardCharsets.UTF_8), value));
            }
            producer.flush();
        }
        System.out.printf(Locale.ROOT, "pre-filled %s: %,d readings, %,d MiB of JSON (%d bytes each on average) in %.1f s%n",
                Topics.READINGS.name(), readings, bytes >> 20, bytes / readings, secs(t0));
    }

    static java.util.Optional<Path> latestCheckpoint(Path checkpoints) {
        try (Stream<Path> s = Files.walk(checkpoints, 2)) {
            return s.filter(p -> p.getFileName().toString().startsWith("chk-") && sizeOf(p) > 0)
                    .max(Comparator.comparingInt(p -> Integer.parseInt(p.getFileName().toString().substring(4))));
        } catch (java.io.IOException | java.io.UncheckedIOException e) {
            return java.util.Optional.empty();
        }
    }

    static long sizeOf(Path dir) {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
        } catch (java.io.IOException | java.io.UncheckedIOException e) {
            return 0;
        }
    }

    static long ts(long base, int i, int round) {
        return base + round * 60_000L + (i * 7_919L) % 60_000L;
    }

    /**
     * The rule state of every sensor after the same readings, by running them through {@link RuleEvaluator} with the
     * default rules outside Flink — the same bytes {@code SensorRulesFunction} keeps per sensor
     * ({@link SensorRuleState#toBytes()}). Also times the evaluator with the operator's decode/encode per reading, on one core.
     */
    static void stateSizes(SensorFleet fleet, int rounds, int readings, long base) {
        RuleEvaluator evaluator = new RuleEvaluator();
        RuleSet rules = RuleSet.defaults();
        byte[][] state = new byte[fleet.size][];
        Reading[] one = new Reading[Math.min(readings, 200_000)];
        long evalNanos = 0;
        long evaluated = 0;
        for (int round = 0; round < rounds; round++) {
            int from = round * fleet.size;
            int count = Math.min(fleet.size, readings - from);
            for (int chunk = 0; chunk < count; chunk += one.length) {
                int m = Math.min(one.length, count - chunk);
                for (int k = 0; k < m; k++) {
                    int i = chunk + k;
                    one[k] = fleet.reading(i, round, ts(base, i, round));
                }
                long t = System.nanoTime();
                for (int k = 0; k < m; k++) {
                    int i = chunk + k;
                    SensorRuleState s = state[i] == null ? new SensorRuleState() : SensorRuleState.fromBytes(state[i]);
                    evaluator.onReading(s, one[k], rules);
                    evaluator.nextTimer(s);
                    state[i] = s.toBytes();
                }
                evalNanos += System.nanoTime() - t;
                evaluated += m;
            }
        }
        // where the evaluator's time goes: the state codec alone, on the final states
        long t = System.nanoTime();
        long sink = 0;
        for (int rep = 0; rep < 5; rep++) {
            for (int i = 0; i < fleet.size; i++) {
                byte[] b = SensorRuleState.fromBytes(state[i]).toBytes();
                sink += b.length;
            }
        }
        double codec = 5.0 * fleet.size / ((System.nanoTime() - t) / 1e9);
        // and JSON → Reading as the source does it
        byte[][] json = new byte[Math.min(fleet.size, 100_000)][];
        for (int i = 0; i < json.length; i++) {
            json[i] = ReadingJson.write(fleet.reading(i, 3, ts(base, i, 3)));
        }
        t = System.nanoTime();
        for (int rep = 0; rep < 3; rep++) {
            for (byte[] j : json) {
                try {
                    sink += ReadingJson.read(j).intervalS();
                } catch (java.io.IOException e) {
                    throw new IllegalStateException(e);
                }
            }
        }
        double parse = 3.0 * json.length / ((System.nanoTime() - t) / 1e9);
        int[] sizes = new int[fleet.size];
        long total = 0;
        Map<SensorType, long[]> byType = new java.util.EnumMap<>(SensorType.class);
        for (int i = 0; i < fleet.size; i++) {
            sizes[i] = state[i] == null ? 0 : state[i].length;
            total += sizes[i];
            long[] agg = byType.computeIfAbsent(SensorFleet.type(i), k -> new long[3]);
            agg[0]++;
            agg[1] += sizes[i];
            agg[2] = Math.max(agg[2], sizes[i]);
        }
        Arrays.sort(sizes);
        System.out.printf(Locale.ROOT, "%nRESULT rule state per sensor (SensorRuleState.toBytes() of all %,d sensors after their %d readings):%n",
                fleet.size, rounds);
        System.out.printf(Locale.ROOT, "  mean %.0f B, p50 %d B, p99 %d B, max %d B; all sensors %,.1f MiB%n", (double) total / fleet.size,
                sizes[sizes.length / 2], sizes[(int) (sizes.length * 0.99)], sizes[sizes.length - 1], total / 1048576.0);
        byType.forEach((type, agg) -> System.out.printf(Locale.ROOT, "    %-13s %,7d sensors  mean %4d B  max %4d B%n", type.id(), agg[0], agg[1] / agg[0], agg[2]));
        System.out.printf(Locale.ROOT, "  plus Flink's own per key (sensor id key, heap state map entries, the timer time kept in the same entry, the timer queue):"
                + " roughly 150–250 B on the heap backend%n");
        System.out.printf(Locale.ROOT, "  reference: RuleEvaluator + fromBytes/toBytes (as the operator did per reading until the state became an object) alone, one thread, no Flink/Kafka/JSON: %,.0f readings/s%n",
                evaluated / (evalNanos / 1e9));
        System.out.printf(Locale.ROOT, "             of which SensorRuleState fromBytes + toBytes alone: %,.0f per s; JSON → Reading (ReadingJson, as the source reads) alone: %,.0f per s (%d)%n",
                codec, parse, sink & 1);
    }

    static double secs(long t0) {
        return (System.nanoTime() - t0) / 1e9;
    }

    static int freePort() throws java.io.IOException {
        try (ServerSocket s = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"))) {
            return s.getLocalPort();
        }
    }

    /** {@code --name value} and {@code --flag} arguments. */
    static final class Args {
        private final List<String> args;

        Args(String[] args) {
            this.args = List.of(args);
        }

        int integer(String name, int dflt) {
            int i = args.indexOf("--" + name);
            return i >= 0 && i + 1 < args.size() ? Integer.parseInt(args.get(i + 1).replace("_", "").replace(",", "")) : dflt;
        }

        double decimal(String name, double dflt) {
            int i = args.indexOf("--" + name);
            return i >= 0 && i + 1 < args.size() ? Double.parseDouble(args.get(i + 1)) : dflt;
        }

        boolean flag(String name) {
            return args.contains("--" + name);
        }
    }
}
