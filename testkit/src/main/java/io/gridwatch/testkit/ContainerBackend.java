package io.gridwatch.testkit;

import io.gridwatch.stack.LocalStack;
import io.gridwatch.stack.MosquittoConfig;
import io.gridwatch.stack.PostgresEndpoint;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.PostgreSQLContainer;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.images.builder.Transferable;
import org.testcontainers.kafka.KafkaContainer;
import org.testcontainers.lifecycle.Startables;
import org.testcontainers.utility.DockerImageName;

import java.util.List;

/** The services in containers, where a Docker engine is reachable. */
final class ContainerBackend implements ServiceBackend {

    static final String KAFKA_IMAGE = "apache/kafka:4.2.0";
    static final String POSTGRES_IMAGE = "timescale/timescaledb:latest-pg17";
    static final String MOSQUITTO_IMAGE = "eclipse-mosquitto:2";
    private static final int MQTT_PORT = 1883;

    private final KafkaContainer kafka = new KafkaContainer(DockerImageName.parse(KAFKA_IMAGE));
    private final PostgreSQLContainer<?> postgres = new PostgreSQLContainer<>(
            DockerImageName.parse(POSTGRES_IMAGE).asCompatibleSubstituteFor("postgres"));
    private final GenericContainer<?> mosquitto = new GenericContainer<>(DockerImageName.parse(MOSQUITTO_IMAGE))
            .withExposedPorts(MQTT_PORT)
            .withCopyToContainer(Transferable.of(new MosquittoConfig("0.0.0.0", MQTT_PORT, "mosquitto", "/mosquitto/data/").render()),
                    "/mosquitto/config/mosquitto.conf")
            .waitingFor(Wait.forListeningPort());

    /** Whether a Docker engine answers; never throws. */
    static boolean dockerAvailable() {
        // no socket and no DOCKER_HOST: no engine to ask, and Testcontainers would log an ERROR saying so
        if (System.getenv("DOCKER_HOST") == null && !java.nio.file.Files.exists(java.nio.file.Path.of("/var/run/docker.sock"))
                && !java.nio.file.Files.exists(java.nio.file.Path.of(System.getProperty("user.home"), ".docker", "run", "docker.sock"))) {
            return false;
        }
        try {
            return DockerClientFactory.instance().isDockerAvailable();
        } catch (Throwable t) {
            return false;
        }
    }

    static ContainerBackend start() {
        ContainerBackend backend = new ContainerBackend();
        try {
            Startables.deepStart(List.of(backend.kafka, backend.postgres, backend.mosquitto)).join();
            LocalStack.ensureTopics(backend.kafkaBootstrap());
            return backend;
        } catch (RuntimeException e) {
            backend.close();
            throw e;
        }
    }

    @Override
    public String kafkaBootstrap() {
        return kafka.getBootstrapServers();
    }

    @Override
    public String mqttUri() {
        return "tcp://" + mosquitto.getHost() + ":" + mosquitto.getMappedPort(MQTT_PORT);
    }

    @Override
    public PostgresEndpoint postgres() {
        return new PostgresEndpoint(postgres.getHost(), postgres.getMappedPort(PostgreSQLContainer.POSTGRESQL_PORT),
                postgres.getUsername(), postgres.getPassword(), PostgresEndpoint.Origin.EXTERNAL, null, null);
    }

    @Override
    public String describe() {
        return "testcontainers: Kafka " + kafkaBootstrap() + " (" + KAFKA_IMAGE + "), MQTT " + mqttUri() + " (" + MOSQUITTO_IMAGE
                + "), PostgreSQL " + postgres.getHost() + ":" + postgres.getMappedPort(PostgreSQLContainer.POSTGRESQL_PORT)
                + " (" + POSTGRES_IMAGE + ")";
    }

    @Override
    public void close() {
        for (GenericContainer<?> c : List.of(kafka, mosquitto, postgres)) {
            try {
                c.stop();
            } catch (RuntimeException e) {
                // stopping is best effort; Testcontainers' reaper removes what is left
            }
        }
    }
}
