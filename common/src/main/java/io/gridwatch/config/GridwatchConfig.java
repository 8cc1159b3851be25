package io.gridwatch.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * gridwatch's configuration, parsed once into immutable records. The defaults ship as
 * {@value #DEFAULTS_RESOURCE}; a file given with {@code --config} or {@code GRIDWATCH_CONFIG}
 * overrides any part of them. Unknown keys are an error that names the key.
 */
public record GridwatchConfig(Stack stack, CatalogueConfig catalogue, Grids grids, Jobs jobs, EvidenceConfig evidence) {

    public static final String DEFAULTS_RESOURCE = "/io/gridwatch/config/gridwatch-defaults.yaml";

    public GridwatchConfig {
        Objects.requireNonNull(stack, "stack");
        Objects.requireNonNull(catalogue, "catalogue");
        Objects.requireNonNull(grids, "grids");
        Objects.requireNonNull(jobs, "jobs");
        Objects.requireNonNull(evidence, "evidence");
    }

    /** The local stack: where its data lives and the addresses of its three services. */
    public record Stack(String varDir, Kafka kafka, Mqtt mqtt, Postgres postgres) {
        public Stack {
            Objects.requireNonNull(varDir, "stack.var_dir");
            Objects.requireNonNull(kafka, "stack.kafka");
            Objects.requireNonNull(mqtt, "stack.mqtt");
            Objects.requireNonNull(postgres, "stack.postgres");
        }
    }

    public record Kafka(String host, int port, int controllerPort) {
        public Kafka {
            requirePort(port, "stack.kafka.port");
            requirePort(controllerPort, "stack.kafka.controller_port");
        }

        public String bootstrapServers() {
            return host + ":" + port;
        }
    }

    public record Mqtt(String host, int port) {
        public Mqtt {
            requirePort(port, "stack.mqtt.port");
        }

        public String uri() {
            return "tcp://" + host + ":" + port;
        }
    }

    public record Postgres(String host, int port, String database, String user) {
        public Postgres {
            requirePort(port, "stack.postgres.port");
            Objects.requireNonNull(database, "stack.postgres.database");
            Objects.requireNonNull(user, "stack.postgres.user");
        }

        public String jdbcUrl() {
            return jdbcUrl(database);
        }

        public String jdbcUrl(String db) {
            return "jdbc:postgresql://" + host + ":" + port + "/" + db;
        }
    }

    /** Which edition of the 部件/事件 catalogue the system classifies by. */
    public record CatalogueConfig(Edition edition) {
        public CatalogueConfig {
            Objects.requireNonNull(edition, "catalogue.edition");
        }
    }

    public enum Edition {
        /** CJ/T 214-2007 → GB/T 30428.2 lineage (4-digit codes), with the Dalian extension under major 21. */
        CLASSIC("classic"),
        /** GB/T 47678.5-2026 (5-digit codes). */
        GB47678_2026("gb47678-2026");

        private final String id;

        Edition(String id) {
            this.id = id;
        }

        @JsonValue
        public String id() {
            return id;
        }

        @JsonCreator
        public static Edition of(String id) {
            return Arrays.stream(values()).filter(e -> e.id.equals(id)).findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("unknown catalogue edition '" + id
                            + "'; expected one of " + Arrays.stream(values()).map(Edition::id).toList()));
        }
    }

    /**
     * How the unit grids are derived.
     *
     * @param cellSizeM       side of a unit grid in metres (万米单元网格: 100 m)
     * @param sliverMaxM2     pieces cut by a district border smaller than this join a neighbouring grid
     * @param managementAreas areas such as 高新园区 that are made of streets, not county-level divisions
     */
    public record Grids(double cellSizeM, double sliverMaxM2, List<ManagementArea> managementAreas) {
        public Grids {
            if (!(cellSizeM >= 10 && cellSizeM <= 1000)) {
                throw new IllegalArgumentException("grids.cell_size_m must be within 10..1000, got " + cellSizeM);
            }
            if (!(sliverMaxM2 >= 0 && sliverMaxM2 < cellSizeM * cellSizeM)) {
                throw new IllegalArgumentException("grids.sliver_max_m2 must be within 0..cell area, got " + sliverMaxM2);
            }
            managementAreas = List.copyOf(Objects.requireNonNull(managementAreas, "grids.management_areas"));
        }
    }

    /** 管理区 — a management area made of configured streets (9-digit street codes). */
    public record ManagementArea(String name, List<String> streets) implements java.io.Serializable {
        public ManagementArea {
            Objects.requireNonNull(name, "management area name");
            streets = List.copyOf(Objects.requireNonNull(streets, "management area streets"));
            for (String s : streets) {
                if (!s.matches("\\d{9}")) {
                    throw new IllegalArgumentException("management area " + name + ": street code must have 9 digits: " + s);
                }
            }
        }
    }

    /** The Flink jobs' settings, one section per job. */
    public record Jobs(SensorPipelineConfig sensorPipeline) {
        public Jobs {
            Objects.requireNonNull(sensorPipeline, "jobs.sensor_pipeline");
        }
    }

    /**
     * The sensor pipeline job (readings → rules → detections → cases and alerts); the keys are documented in
     * {@value #DEFAULTS_RESOURCE}.
     *
     * @param consumerGroup         Kafka consumer group of the readings (the rules source uses it + {@code -rules}); also
     *                              the prefix of the job's transactional ids
     * @param checkpointIntervalS   seconds between checkpoints: how far back a restarted job replays, and how late
     *                              Kafka's readers of cases and alerts see them (transactions commit at checkpoints)
     * @param retainedCheckpoints   completed checkpoints kept on disk for a restart
     * @param outOfOrdernessS       how far the watermark stays behind the newest reading
     * @param idlenessS             after how long without readings a source split stops holding the watermark back
     * @param latenessS             how late a reading may arrive and still be judged in event-time order (the rules'
     *                              replay horizon; CONTRACTS.md §1 promises an hour)
     * @param bufferTimeoutMs       how long a partly filled network buffer waits before it is sent on
     * @param batch                 rows per PostgreSQL statement, per table
     */
    public record SensorPipelineConfig(String consumerGroup, int checkpointIntervalS, int retainedCheckpoints, int outOfOrdernessS,
                                       int idlenessS, int latenessS, int bufferTimeoutMs, Batch batch) {

        /** Most that lateness may be: {@code RuleEvaluator} keeps a day at most. */
        public static final int MAX_LATENESS_S = 86_400;

        public SensorPipelineConfig {
            String at = "jobs.sensor_pipeline.";
            if (consumerGroup == null || consumerGroup.isBlank() || !consumerGroup.matches("[A-Za-z0-9._-]+")) {
                throw new IllegalArgumentException(at + "consumer_group must be letters, digits, '.', '_' or '-', got '" + consumerGroup + "'");
            }
            requireRange(checkpointIntervalS, 1, 3_600, at + "checkpoint_interval_s");
            requireRange(retainedCheckpoints, 1, 100, at + "retained_checkpoints");
            requireRange(outOfOrdernessS, 0, 3_600, at + "out_of_orderness_s");
            requireRange(idlenessS, 1, 3_600, at + "idleness_s");
            requireRange(latenessS, 1, MAX_LATENESS_S, at + "lateness_s");
            requireRange(bufferTimeoutMs, 0, 60_000, at + "buffer_timeout_ms");
            Objects.requireNonNull(batch, at + "batch");
        }

        public Duration checkpointInterval() {
            return Duration.ofSeconds(checkpointIntervalS);
        }

        public Duration outOfOrderness() {
            return Duration.ofSeconds(outOfOrdernessS);
        }

        public Duration idleness() {
            return Duration.ofSeconds(idlenessS);
        }

        public Duration lateness() {
            return Duration.ofSeconds(latenessS);
        }

        public Duration bufferTimeout() {
            return Duration.ofMillis(bufferTimeoutMs);
        }

        /** This section with another consumer group (tests and the demo keep their runs apart this way). */
        public SensorPipelineConfig withConsumerGroup(String group) {
            return new SensorPipelineConfig(group, checkpointIntervalS, retainedCheckpoints, outOfOrdernessS, idlenessS, latenessS,
                    bufferTimeoutMs, batch);
        }

        /** This section with other checkpoint, watermark and idleness times (whole seconds). */
        public SensorPipelineConfig withTimes(Duration checkpointInterval, Duration outOfOrderness, Duration idleness) {
            return new SensorPipelineConfig(consumerGroup, seconds(checkpointInterval, "checkpoint interval"),
                    retainedCheckpoints, seconds(outOfOrderness, "out-of-orderness"), seconds(idleness, "idleness"), latenessS,
                    bufferTimeoutMs, batch);
        }

        private static int seconds(Duration d, String what) {
            if (d.toMillis() % 1_000 != 0 || d.getSeconds() > Integer.MAX_VALUE) {
                throw new IllegalArgumentException(what + " must be whole seconds, got " + d);
            }
            return (int) d.getSeconds();
        }
    }

    /**
     * Where cases' evidence pictures are kept ({@code io.gridwatch.evidence.FileEvidenceStore}) and for how long.
     *
     * @param dir           the store's root folder, relative to {@code stack.var_dir} unless absolute
     * @param retentionDays pictures taken longer ago than this are deleted by {@code gridwatch evidence purge}
     */
    public record EvidenceConfig(String dir, int retentionDays) {
        public EvidenceConfig {
            if (dir == null || dir.isBlank()) {
                throw new IllegalArgumentException("evidence.dir must name a folder");
            }
            requireRange(retentionDays, 1, 36_500, "evidence.retention_days");
        }

        /** The store's root: {@link #dir} resolved against the var folder. */
        public Path root(Path varDir) {
            return varDir.resolve(dir).toAbsolutePath().normalize();
        }

        public Duration retention() {
            return Duration.ofDays(retentionDays);
        }
    }

    /** Rows per PostgreSQL statement: more is fewer round trips, less is a shorter wait for a checkpoint's flush. */
    public record Batch(int readings, int cases, int alerts) {
        public Batch {
            String at = "jobs.sensor_pipeline.batch.";
            requireRange(readings, 1, 100_000, at + "readings");
            requireRange(cases, 1, 100_000, at + "cases");
            requireRange(alerts, 1, 100_000, at + "alerts");
        }
    }

    private static void requireRange(int value, int min, int max, String key) {
        if (value < min || value > max) {
            throw new IllegalArgumentException(key + " must be within " + min + ".." + max + ", got " + value);
        }
    }

    private static void requirePort(int port, String key) {
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException(key + " must be a TCP port (1..65535), got " + port);
        }
    }

    private static final ObjectMapper YAML = JsonMapper.builder(new YAMLFactory())
            .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .enable(DeserializationFeature.FAIL_ON_MISSING_CREATOR_PROPERTIES)
            .build();

    /** The shipped defaults. */
    public static GridwatchConfig defaults() {
        return load(null);
    }

    /**
     * The defaults, overridden by {@code overrides} where given.
     *
     * @throws ConfigException naming the file and the key that is wrong
     */
    public static GridwatchConfig load(Path overrides) {
        JsonNode tree;
        try (InputStream in = GridwatchConfig.class.getResourceAsStream(DEFAULTS_RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + DEFAULTS_RESOURCE);
            }
            tree = YAML.readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        String origin = "defaults";
        if (overrides != null) {
            origin = overrides.toString();
            try {
                JsonNode user = YAML.readTree(Files.readString(overrides));
                if (user != null && !user.isMissingNode() && !user.isNull()) {
                    if (!user.isObject()) {
                        throw new ConfigException(origin + ": the configuration must be a YAML mapping");
                    }
                    merge((ObjectNode) tree, user);
                }
            } catch (IOException e) {
                throw new ConfigException(origin + ": cannot read configuration: " + e.getMessage(), e);
            }
        }
        try {
            return YAML.treeToValue(tree, GridwatchConfig.class);
        } catch (UnrecognizedPropertyException e) {
            throw new ConfigException(origin + ": unknown key '" + e.getPropertyName() + "' at "
                    + e.getPathReference() + "; known keys: " + e.getKnownPropertyIds(), e);
        } catch (IOException | IllegalArgumentException e) {
            throw new ConfigException(origin + ": invalid configuration: " + rootMessage(e), e);
        }
    }

    private static void merge(ObjectNode base, JsonNode over) {
        Iterator<Map.Entry<String, JsonNode>> fields = over.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> f = fields.next();
            JsonNode existing = base.get(f.getKey());
            if (existing instanceof ObjectNode eo && f.getValue().isObject()) {
                merge(eo, f.getValue());
            } else {
                base.set(f.getKey(), f.getValue());
            }
        }
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getMessage() == null ? e.getMessage() : t.getMessage();
    }

    /** A configuration that cannot be used, with a message that says which file and key. */
    public static final class ConfigException extends RuntimeException {
        public ConfigException(String message) {
            super(message);
        }

        public ConfigException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
