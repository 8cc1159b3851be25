package io.gridwatch.stack;

import io.gridwatch.config.GridwatchConfig;
import io.gridwatch.topics.Topics;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The services of {@code ./gridwatch up|down|status} on this machine: a Kafka broker (KRaft) in its own JVM,
 * an MQTT broker (Mosquitto) and PostgreSQL. Their data lives under {@code <repo>/<stack.var_dir>}, so that
 * {@code down} and a later {@code up} lose nothing. Services that were already running and not started by us
 * are used as they are ("external") and never stopped.
 *
 * <p>Prints nothing: every operation returns one {@link ServiceStatus} per part, for the caller to show.
 */
public final class LocalStack {

    public static final String KAFKA = "kafka";
    public static final String MQTT = "mqtt";
    public static final String POSTGRES = "postgres";

    private static final Logger log = LoggerFactory.getLogger(LocalStack.class);
    private static final Duration KAFKA_START = Duration.ofSeconds(90);
    private static final Duration MQTT_START = Duration.ofSeconds(15);
    private static final Duration POSTGRES_START = Duration.ofSeconds(60);
    /** a controlled shutdown of the broker takes ~10 s on a busy machine */
    private static final Duration KAFKA_STOP = Duration.ofSeconds(60);
    private static final Duration STOP = Duration.ofSeconds(30);

    private final GridwatchConfig.Stack config;
    private final Path varDir;
    private final KafkaBrokerProcess kafka;
    private final MosquittoProcess mosquitto;
    private final PostgresService postgres;

    public LocalStack(GridwatchConfig config, Path repoRoot) {
        this.config = Objects.requireNonNull(config, "config").stack();
        this.varDir = Objects.requireNonNull(repoRoot, "repoRoot").resolve(this.config.varDir()).toAbsolutePath().normalize();
        GridwatchConfig.Kafka k = this.config.kafka();
        GridwatchConfig.Mqtt m = this.config.mqtt();
        GridwatchConfig.Postgres p = this.config.postgres();
        this.kafka = new KafkaBrokerProcess(k.host(), k.port(), k.controllerPort(), ServiceFiles.under(varDir, KAFKA), true);
        this.mosquitto = new MosquittoProcess(m.host(), m.port(), ServiceFiles.under(varDir, "mosquitto"), true);
        this.postgres = new PostgresService(p.host(), p.port(), p.user(), p.port(), ServiceFiles.under(varDir, POSTGRES), true);
    }

    public Path varDir() {
        return varDir;
    }

    /**
     * Starts what is not running and waits until every part is healthy; harmless when all runs already.
     * Creates the Kafka topics of {@link Topics#ALL} and the configured database where missing.
     *
     * @throws StackException saying which part failed and what to do (a taken port names its owner)
     */
    public List<ServiceStatus> up() {
        kafka.checkPorts("stack.kafka.port", "stack.kafka.controller_port");
        boolean mqttExternal = mosquitto.process().isEmpty() && PortOwner.accepts(config.mqtt().host(), config.mqtt().port());
        if (mqttExternal && !mosquitto.answers()) {
            throw new StackException("cannot start Mosquitto: " + PortOwner.takenMessage(config.mqtt().port(), "stack.mqtt.port"));
        }

        // the broker needs the longest to start: launch it first, and start the others meanwhile
        boolean kafkaStarted = kafka.launch();

        ServiceStatus mqtt;
        if (mqttExternal) {
            mqtt = externalMqtt("already running; used as it is; " + queueLimit());
        } else {
            boolean started = mosquitto.start(MQTT_START);
            mqtt = ourMqtt((started ? "started" : "already running")
                    + "; keeps a disconnected session's queued messages (max_queued_messages 0: no limit)");
        }

        PostgresEndpoint pg = postgres.start(POSTGRES_START);
        boolean created = pg.ensureDatabase(config.postgres().database());
        ServiceStatus db = postgresStatus(pg, (created ? "created database " : "database ") + config.postgres().database());

        kafka.awaitReady(KAFKA_START);
        List<String> topics = KafkaTopics.ensure(kafka.bootstrapServers(), Topics.ALL, (short) 1);
        ServiceStatus k = kafkaStatus(ServiceStatus.State.UP, (kafkaStarted ? "started" : "already running")
                + (topics.isEmpty() ? "; all " + Topics.ALL.size() + " topics exist" : "; created topics " + topics));
        List<ServiceStatus> result = List.of(k, mqtt, db);
        result.forEach(s -> log.info("{}: {} at {} ({})", s.name(), s.state().label(), s.address(), s.detail()));
        return result;
    }

    /** Stops what {@link #up()} started (never an external service or the machine's cluster); data stays under the var dir. */
    public List<ServiceStatus> down() {
        Optional<Long> k = kafka.stop(KAFKA_STOP);
        Optional<Long> m = mosquitto.stop(STOP);
        Optional<Long> p = postgres.stop(STOP);
        ServiceStatus kafkaDown = kafkaStatus(ServiceStatus.State.DOWN, stoppedDetail(k));
        ServiceStatus mqttDown = m.isPresent() || !mosquitto.answers()
                ? new ServiceStatus(MQTT, ServiceStatus.State.DOWN, mosquitto.uri(), null, mosquitto.dataDir(), stoppedDetail(m))
                : externalMqtt("not started by gridwatch; left running");
        ServiceStatus pgDown = p.isPresent()
                ? new ServiceStatus(POSTGRES, ServiceStatus.State.DOWN, config.postgres().jdbcUrl(), null, null, stoppedDetail(p))
                : postgres.find().map(e -> postgresStatus(e, "not started by gridwatch; left running"))
                .orElse(new ServiceStatus(POSTGRES, ServiceStatus.State.DOWN, config.postgres().jdbcUrl(), null, null, "was not running"));
        List<ServiceStatus> result = List.of(kafkaDown, mqttDown, pgDown);
        result.forEach(s -> log.info("{}: {} ({})", s.name(), s.state().label(), s.detail()));
        return result;
    }

    /** What runs now, without starting or stopping anything. */
    public List<ServiceStatus> status() {
        ServiceStatus k;
        if (kafka.process().isPresent()) {
            k = kafka.isReady(Duration.ofSeconds(3)) ? kafkaStatus(ServiceStatus.State.UP, "running")
                    : kafkaStatus(ServiceStatus.State.DOWN, "process runs but does not answer (starting, or see " + varDir.resolve("log/kafka.log") + ")");
        } else if (kafka.isReady(Duration.ofSeconds(3))) {
            k = kafkaStatus(ServiceStatus.State.EXTERNAL, "a broker not started by gridwatch");
        } else {
            k = kafkaStatus(ServiceStatus.State.DOWN, "not running");
        }
        ServiceStatus m;
        if (mosquitto.process().isPresent()) {
            m = mosquitto.answers() ? ourMqtt("running")
                    : new ServiceStatus(MQTT, ServiceStatus.State.DOWN, mosquitto.uri(), mosquitto.process().get().pid(),
                    mosquitto.dataDir(), "process runs but does not answer MQTT");
        } else if (mosquitto.answers()) {
            m = externalMqtt("not started by gridwatch; " + queueLimit());
        } else {
            m = new ServiceStatus(MQTT, ServiceStatus.State.DOWN, mosquitto.uri(), null, mosquitto.dataDir(), "not running");
        }
        ServiceStatus p = postgres.find().map(e -> postgresStatus(e, "running"))
                .orElse(new ServiceStatus(POSTGRES, ServiceStatus.State.DOWN, config.postgres().jdbcUrl(), null, null, "not running"));
        return List.of(k, m, p);
    }

    /** Creates the topics of {@link Topics#ALL} that are missing on a (single-broker) cluster. */
    public static List<String> ensureTopics(String bootstrap) {
        return KafkaTopics.ensure(bootstrap, Topics.ALL, (short) 1);
    }

    private ServiceStatus kafkaStatus(ServiceStatus.State state, String detail) {
        Long pid = state == ServiceStatus.State.UP ? kafka.process().map(ProcessHandle::pid).orElse(null) : null;
        return new ServiceStatus(KAFKA, state, kafka.bootstrapServers(), pid, kafka.dataDir(), detail);
    }

    private ServiceStatus ourMqtt(String detail) {
        return new ServiceStatus(MQTT, ServiceStatus.State.UP, mosquitto.uri(), mosquitto.process().map(ProcessHandle::pid).orElse(null),
                mosquitto.dataDir(), detail);
    }

    /**
     * Whether the broker we did not start keeps what it queues for the ingest bridge while the bridge is down: probed
     * over MQTT, since its configuration may not be ours to read (issue 11: Mosquitto's default dropped 108 readings
     * in a few seconds' outage).
     */
    private String queueLimit() {
        try {
            return MqttQueueProbe.probe(mosquitto.uri(), MqttQueueProbe.DEFAULT_MESSAGES).describe();
        } catch (StackException e) {
            return "WARNING: could not find out whether it keeps a disconnected session's messages: " + e.getMessage();
        }
    }

    private ServiceStatus externalMqtt(String detail) {
        Optional<LinuxProcess> owner = PortOwner.of(config.mqtt().port());
        return new ServiceStatus(MQTT, ServiceStatus.State.EXTERNAL, mosquitto.uri(), owner.map(LinuxProcess::pid).orElse(null), null,
                owner.map(o -> o.name() + ", ").orElse("") + detail);
    }

    private ServiceStatus postgresStatus(PostgresEndpoint e, String detail) {
        ServiceStatus.State state = e.origin() == PostgresEndpoint.Origin.EMBEDDED ? ServiceStatus.State.UP : ServiceStatus.State.EXTERNAL;
        String origin = switch (e.origin()) {
            case EMBEDDED -> "embedded server";
            case MACHINE_CLUSTER -> "machine cluster, started now";
            case EXTERNAL -> e.dataDir() != null ? "machine cluster" : "external server";
        };
        return new ServiceStatus(POSTGRES, state, e.jdbcUrl(config.postgres().database()), e.pid(), e.dataDir(), origin + "; " + detail);
    }

    private static String stoppedDetail(Optional<Long> pid) {
        return pid.map(p -> "stopped pid " + p).orElse("was not running");
    }
}
