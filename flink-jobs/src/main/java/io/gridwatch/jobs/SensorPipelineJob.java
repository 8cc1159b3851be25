package io.gridwatch.jobs;

import io.gridwatch.cases.Alert;
import io.gridwatch.cases.CaseMessage;
import io.gridwatch.config.GridwatchConfig;
import io.gridwatch.detection.Detection;
import io.gridwatch.sensor.Reading;
import io.gridwatch.store.AlertStore;
import io.gridwatch.store.CaseStore;
import io.gridwatch.store.Database;
import io.gridwatch.store.ReadingStore;
import io.gridwatch.topics.Topics;
import io.gridwatch.video.Observation;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;

import java.time.Duration;
import java.util.List;

/**
 * The sensor pipeline wired to production I/O: readings and rules from Kafka; detections, cases and
 * alerts to Kafka (exactly once, transactional), readings, cases and alerts to PostgreSQL (idempotent
 * writes) and alerts to MQTT {@code gw/v1/alerts/{team}/{district}} (at least once, stable alert ids).
 */
public final class SensorPipelineJob {

    /**
     * Where the job connects, and its own settings ({@code jobs.sensor_pipeline} of the configuration).
     *
     * @param job   checkpointing, watermarks, lateness, batch sizes, consumer group
     * @param video the video detection branch (cameras from {@code gw.frames.v1}); null for sensors only
     */
    public record Settings(String kafkaBootstrap, String mqttUri, String jdbcUrl, String dbUser,
                           GridwatchConfig.Edition edition, GridwatchConfig.SensorPipelineConfig job,
                           VideoDetectionFunction.Settings video) {
        public Settings {
            java.util.Objects.requireNonNull(kafkaBootstrap, "kafkaBootstrap");
            java.util.Objects.requireNonNull(jdbcUrl, "jdbcUrl");
            java.util.Objects.requireNonNull(edition, "edition");
            java.util.Objects.requireNonNull(job, "job");
        }

        /** Sensors only. */
        public Settings(String kafkaBootstrap, String mqttUri, String jdbcUrl, String dbUser,
                        GridwatchConfig.Edition edition, GridwatchConfig.SensorPipelineConfig job) {
            this(kafkaBootstrap, mqttUri, jdbcUrl, dbUser, edition, job, null);
        }

        /** Sensors and cameras: grids cached under the stack's {@code var_dir}, evidence where {@code evidence.dir} says. */
        public static Settings of(GridwatchConfig config) {
            return of(config, java.nio.file.Path.of(config.stack().varDir()));
        }

        /** As {@link #of(GridwatchConfig)}, with the var dir resolved by the caller (the CLI's workspace). */
        public static Settings of(GridwatchConfig config, java.nio.file.Path varDir) {
            GridwatchConfig.Stack s = config.stack();
            java.nio.file.Path var = varDir.toAbsolutePath().normalize();
            String evidenceDir = config.evidence().root(var).toString();
            VideoDetectionFunction.Settings video = new VideoDetectionFunction.Settings(s.postgres().jdbcUrl(), s.postgres().user(),
                    VideoDetectionFunction.GridSource.dalian(var.resolve("cache").toString(), config.grids()),
                    EvidencePictures.files(evidenceDir),
                    Duration.ofSeconds(60));
            return new Settings(s.kafka().bootstrapServers(), s.mqtt().uri(), s.postgres().jdbcUrl(), s.postgres().user(),
                    config.catalogue().edition(), config.jobs().sensorPipeline(), video);
        }

        /** These settings with another job section. */
        public Settings with(GridwatchConfig.SensorPipelineConfig other) {
            return new Settings(kafkaBootstrap, mqttUri, jdbcUrl, dbUser, edition, other, video);
        }

        /** These settings with the video branch ({@code null}: sensors only). */
        public Settings withVideo(VideoDetectionFunction.Settings v) {
            return new Settings(kafkaBootstrap, mqttUri, jdbcUrl, dbUser, edition, job, v);
        }

        /** The readings' consumer group ({@code jobs.sensor_pipeline.consumer_group}). */
        public String groupId() {
            return job.consumerGroup();
        }
    }

    private SensorPipelineJob() {
    }

    /** Adds the pipeline with production sources and sinks to {@code env}. */
    public static void assemble(StreamExecutionEnvironment env, Settings s) {
        assemble(env, s, OffsetsInitializer.committedOffsets(OffsetResetStrategy.EARLIEST));
    }

    /**
     * As {@link #assemble(StreamExecutionEnvironment, Settings)}, reading {@code gw.readings.v1} from where
     * {@code readingsStart} says (e.g. {@code OffsetsInitializer.timestamp(t)}: only what was appended since t).
     */
    public static void assemble(StreamExecutionEnvironment env, Settings s, OffsetsInitializer readingsStart) {
        GridwatchConfig.SensorPipelineConfig job = s.job();
        env.enableCheckpointing(job.checkpointInterval().toMillis());
        // a detection is a rare record: with Flink's default 100 ms an alert waited for its network buffers' timeout at
        // each of the two exchanges (keyBy sensor, keyBy district); a few ms cost a few more flushes per second
        env.setBufferTimeout(job.bufferTimeoutMs());
        DataStream<Reading> readings = env.fromSource(
                Readings.source(s.kafkaBootstrap(), s.groupId(), readingsStart),
                WatermarkStrategy.<Reading>forBoundedOutOfOrderness(job.outOfOrderness())
                        .withTimestampAssigner((r, t) -> r.ts())
                        .withIdleness(job.idleness()),
                "readings").uid("readings-source");
        // the readings themselves, for Grafana and for replays (rules backtest)
        readings.sinkTo(new JdbcSink<>(s.jdbcUrl(), s.dbUser(), job.batch().readings(), new ReadingsWriter()))
                .uid("readings-sink").name("readings sink");
        DataStream<RuleChange> rules = env.fromSource(RuleChanges.source(s.kafkaBootstrap(), s.groupId() + "-rules"),
                RuleChanges.WATERMARKS, "rules").uid("rules-source");

        SensorPipeline.Video video = null;
        if (s.video() != null) {
            // frames: what came since the group's committed offsets, else from now (a day of old frames is no news)
            DataStream<Frame> frames = env.fromSource(
                    Frames.source(s.kafkaBootstrap(), s.groupId() + "-frames", OffsetsInitializer.committedOffsets(OffsetResetStrategy.LATEST)),
                    WatermarkStrategy.<Frame>forBoundedOutOfOrderness(job.outOfOrderness())
                            .withTimestampAssigner((f, t) -> f.captureTime())
                            .withIdleness(job.idleness()),
                    "frames").uid("frames-source");
            video = new SensorPipeline.Video(frames, s.video());
        }
        String tx = s.groupId();
        SensorPipeline.Outputs outputs = new SensorPipeline.Outputs(
                List.of(KafkaJson.<Detection>sink(s.kafkaBootstrap(), Topics.DETECTIONS, d -> d.source().id(),
                        DeliveryGuarantee.EXACTLY_ONCE, tx + "-detections")),
                List.of(KafkaJson.<CaseMessage>sink(s.kafkaBootstrap(), Topics.CASES, m -> m.caseFile().caseId(),
                                DeliveryGuarantee.EXACTLY_ONCE, tx + "-cases"),
                        new JdbcSink<CaseMessage>(s.jdbcUrl(), s.dbUser(), job.batch().cases(), (db, batch) -> new CaseStore(db.dataSource()).write(batch))),
                List.of(KafkaJson.<Alert>sink(s.kafkaBootstrap(), Topics.ALERTS, Alert::alertId,
                                DeliveryGuarantee.EXACTLY_ONCE, tx + "-alerts"),
                        new JdbcSink<Alert>(s.jdbcUrl(), s.dbUser(), job.batch().alerts(), (db, batch) -> new AlertStore(db.dataSource()).write(batch)),
                        new MqttSink<Alert>(s.mqttUri(), Alert::mqttTopic)),
                // observations feed backtests: at least once is enough, and keeps them out of transactions
                List.of(KafkaJson.<Observation>sink(s.kafkaBootstrap(), Topics.OBSERVATIONS, Observation::camera,
                        DeliveryGuarantee.AT_LEAST_ONCE, tx + "-observations")));
        SensorPipeline.build(readings, rules, video, outputs, s.edition(), job.lateness(), new PostgresCaseNumbers(s.jdbcUrl(), s.dbUser()));
    }

    /** Writes readings through one {@link ReadingStore} per sink writer, so that it prepares each month's partition once. */
    private static final class ReadingsWriter implements JdbcSink.BatchWriter<Reading> {
        private static final long serialVersionUID = 1L;
        private transient ReadingStore store;
        private transient Database storeDb;

        @Override
        public void write(Database db, List<Reading> batch) {
            if (store == null || storeDb != db) {
                store = new ReadingStore(db);
                storeDb = db;
            }
            store.write(batch);
        }
    }

    /**
     * Where checkpoints go. Flink's default keeps them in the JobManager's memory, limited to 5 MiB a state
     * handle: 100,000 sensors need about 12 MB a subtask, and every checkpoint would fail.
     */
    public static org.apache.flink.configuration.Configuration checkpointStorage(java.nio.file.Path dir) {
        org.apache.flink.configuration.Configuration conf = new org.apache.flink.configuration.Configuration();
        conf.set(org.apache.flink.configuration.CheckpointingOptions.CHECKPOINT_STORAGE, "filesystem");
        conf.set(org.apache.flink.configuration.CheckpointingOptions.CHECKPOINTS_DIRECTORY, dir.toAbsolutePath().toUri().toString());
        return conf;
    }

    /**
     * As {@link #checkpointStorage(java.nio.file.Path)}, for a job that must survive its process: checkpoints are
     * retained when the job is cancelled or its process dies (the {@code retained} newest: {@code
     * jobs.sensor_pipeline.retained_checkpoints}), and savepoints go to {@code savepoints}, so that the next start can
     * resume from the newest of either.
     */
    public static org.apache.flink.configuration.Configuration retainedCheckpoints(java.nio.file.Path checkpoints, java.nio.file.Path savepoints,
                                                                                 int retained) {
        org.apache.flink.configuration.Configuration conf = checkpointStorage(checkpoints);
        conf.set(org.apache.flink.configuration.CheckpointingOptions.EXTERNALIZED_CHECKPOINT_RETENTION,
                org.apache.flink.configuration.ExternalizedCheckpointRetention.RETAIN_ON_CANCELLATION);
        conf.set(org.apache.flink.configuration.CheckpointingOptions.MAX_RETAINED_CHECKPOINTS, retained);
        conf.set(org.apache.flink.configuration.CheckpointingOptions.SAVEPOINT_DIRECTORY, savepoints.toAbsolutePath().toUri().toString());
        return conf;
    }

    /** Runs the pipeline; the first argument, if any, is a gridwatch configuration file. */
    public static void main(String[] args) throws Exception {
        GridwatchConfig config = GridwatchConfig.load(args.length > 0 ? java.nio.file.Path.of(args[0]) : null);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(
                checkpointStorage(java.nio.file.Path.of(config.stack().varDir(), "checkpoints", "sensor-pipeline")));
        assemble(env, Settings.of(config));
        env.execute("gridwatch sensor pipeline");
    }
}
