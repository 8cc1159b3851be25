package io.gridwatch.testkit;

import io.gridwatch.config.GridwatchConfig;
import io.gridwatch.stack.KafkaBrokerProcess;
import io.gridwatch.stack.LocalStack;
import io.gridwatch.stack.MosquittoProcess;
import io.gridwatch.stack.PostgresEndpoint;
import io.gridwatch.stack.PostgresService;
import io.gridwatch.stack.ServiceFiles;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The services as processes on this machine, with the local stack's own code, but apart from a developer's stack:
 * a Kafka broker and a Mosquitto of their own on free ports with data in a temporary directory, and PostgreSQL
 * from the local stack's chain (the machine's cluster where it answers; fresh databases keep tests apart).
 */
final class LocalProcessBackend implements ServiceBackend {

    private static final Logger log = LoggerFactory.getLogger(LocalProcessBackend.class);
    private static final String HOST = "127.0.0.1";

    private final Path dir;
    private final KafkaBrokerProcess kafka;
    private final MosquittoProcess mosquitto;
    private final PostgresService postgresService;
    private PostgresEndpoint postgres;

    private LocalProcessBackend(Path dir) {
        this.dir = dir;
        this.kafka = new KafkaBrokerProcess(HOST, freePort(), freePort(), ServiceFiles.under(dir, "kafka"), false);
        this.mosquitto = new MosquittoProcess(HOST, freePort(), ServiceFiles.under(dir, "mosquitto"), false);
        GridwatchConfig.Postgres pg = GridwatchConfig.defaults().stack().postgres();
        this.postgresService = new PostgresService(pg.host(), pg.port(), pg.user(), freePort(), ServiceFiles.under(dir, "postgres"), false);
    }

    static LocalProcessBackend start() {
        Path dir;
        try {
            dir = Files.createTempDirectory("gridwatch-testkit-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        LocalProcessBackend backend = new LocalProcessBackend(dir);
        try {
            long t0 = System.nanoTime();
            backend.kafka.launch();
            backend.mosquitto.start(Duration.ofSeconds(15));
            backend.postgres = backend.postgresService.start(Duration.ofSeconds(60));
            backend.kafka.awaitReady(Duration.ofSeconds(90));
            LocalStack.ensureTopics(backend.kafka.bootstrapServers());
            log.info("test services ready in {} ms: {}", (System.nanoTime() - t0) / 1_000_000, backend.describe());
            return backend;
        } catch (RuntimeException e) {
            backend.close();
            throw e;
        }
    }

    @Override
    public String kafkaBootstrap() {
        return kafka.bootstrapServers();
    }

    @Override
    public String mqttUri() {
        return mosquitto.uri();
    }

    @Override
    public PostgresEndpoint postgres() {
        return postgres;
    }

    /** The processes this backend started (the Kafka broker and Mosquitto). */
    List<ProcessHandle> processes() {
        return Stream.of(kafka.process(), mosquitto.process()).flatMap(Optional::stream).toList();
    }

    @Override
    public String describe() {
        return "local processes: Kafka " + kafkaBootstrap() + ", MQTT " + mqttUri() + ", PostgreSQL "
                + (postgres == null ? "-" : postgres.host() + ":" + postgres.port() + " (" + postgres.origin().name().toLowerCase() + ")")
                + ", files in " + dir;
    }

    @Override
    public void close() {
        // the data is thrown away: no need to wait long for a controlled shutdown
        stopQuietly(() -> kafka.stop(Duration.ofSeconds(5)));
        stopQuietly(() -> mosquitto.stop(Duration.ofSeconds(5)));
        stopQuietly(() -> postgresService.stop(Duration.ofSeconds(20)));
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException | UncheckedIOException e) {
            log.warn("could not delete {}: {}", dir, e.toString());
        }
    }

    private static void stopQuietly(Runnable stop) {
        try {
            stop.run();
        } catch (RuntimeException e) {
            log.warn("stopping a test service failed: {}", e.toString());
        }
    }

    private static int freePort() {
        return TestServices.freePort();
    }
}
