package io.gridwatch.testkit;

import io.gridwatch.stack.PostgresEndpoint;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One real Kafka broker, MQTT broker and PostgreSQL per test JVM, started on first use and stopped when the JVM exits.
 * Containers (Testcontainers) where a Docker engine is reachable; otherwise processes on this machine, started by the
 * local stack's own code on free ports, apart from a developer's running stack. Tests see the same addresses either way.
 *
 * <pre>{@code
 * TestServices services = TestServices.shared();
 * props.put("bootstrap.servers", services.kafkaBootstrap());
 * String jdbcUrl = services.newDatabase("cases");
 * }</pre>
 */
public final class TestServices {

    private static final Logger log = LoggerFactory.getLogger(TestServices.class);
    private static final Object LOCK = new Object();
    private static TestServices shared;
    private static RuntimeException failure;

    private final ServiceBackend backend;
    private final Set<String> databases = ConcurrentHashMap.newKeySet();

    private TestServices(ServiceBackend backend) {
        this.backend = backend;
    }

    /**
     * The services of this JVM, started on the first call (which waits until they are ready). A failure to start is
     * remembered and thrown again to every later caller, so that one broken service does not cost each test a timeout.
     */
    public static TestServices shared() {
        synchronized (LOCK) {
            if (shared != null) {
                return shared;
            }
            if (failure != null) {
                throw new IllegalStateException("the test services could not be started earlier in this JVM: " + failure.getMessage(), failure);
            }
            try {
                ServiceBackend backend = ContainerBackend.dockerAvailable() ? ContainerBackend.start() : LocalProcessBackend.start();
                TestServices services = new TestServices(backend);
                Runtime.getRuntime().addShutdownHook(new Thread(services::stop, "gridwatch-test-services-stop"));
                log.info("test services: {}", services.describe());
                shared = services;
                return services;
            } catch (RuntimeException e) {
                failure = e;
                throw e;
            }
        }
    }

    /** Kafka bootstrap servers; every topic of {@link io.gridwatch.topics.Topics#ALL} exists. */
    public String kafkaBootstrap() {
        return backend.kafkaBootstrap();
    }

    /** {@code tcp://HOST:PORT} of the MQTT broker. */
    public String mqttUri() {
        return backend.mqttUri();
    }

    /**
     * Creates a fresh, empty database and returns its JDBC URL (with the password in it where the server needs one).
     * The database is dropped when the JVM exits.
     *
     * @param prefix the start of the name, letters, digits and underscores (a unique suffix is added)
     */
    public String newDatabase(String prefix) {
        String name = (prefix.toLowerCase(Locale.ROOT) + "_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12));
        PostgresEndpoint pg = backend.postgres();
        pg.ensureDatabase(name);
        databases.add(name);
        String url = pg.jdbcUrl(name);
        if (pg.password() != null) {
            url += "?user=" + URLEncoder.encode(pg.user(), StandardCharsets.UTF_8)
                    + "&password=" + URLEncoder.encode(pg.password(), StandardCharsets.UTF_8);
        }
        return url;
    }

    /**
     * A TCP port free on 127.0.0.1 now, for a server a test starts ({@link io.gridwatch.stack.PortOwner#freePort()}).
     */
    public static int freePort() {
        return io.gridwatch.stack.PortOwner.freePort();
    }

    /** The PostgreSQL server (host, port, user), for tests that create or drop databases themselves. */
    public PostgresEndpoint postgres() {
        return backend.postgres();
    }

    /** The PostgreSQL user that owns the databases of {@link #newDatabase(String)}. */
    public String postgresUser() {
        return backend.postgres().user();
    }

    /** One line: which backend runs the services, and their addresses. */
    public String describe() {
        return backend.describe();
    }

    private void stop() {
        PostgresEndpoint pg = backend.postgres();
        for (String db : databases) {
            try {
                pg.dropDatabase(db);
            } catch (RuntimeException e) {
                log.warn("could not drop test database {}: {}", db, e.getMessage());
            }
        }
        backend.close();
    }
}
