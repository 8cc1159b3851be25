package io.gridwatch.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.gridwatch.json.Json;
import io.gridwatch.testkit.TestServices;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A whole-system test's own gridwatch: its own Kafka and Mosquitto on free ports (started by the test's {@code up}), its own
 * database in the shared PostgreSQL, its own var directory under {@code home}, so that a developer's stack is never touched;
 * commands run as a person runs them ({@link CliRun}).
 */
record OwnStack(Path home, Path config, String database, int kafkaPort, int mqttPort) {

    static OwnStack in(Path home, String databasePrefix) throws Exception {
        TestServices services = TestServices.shared();
        String database = databasePrefix + Long.toHexString(System.nanoTime());
        int kafka = TestServices.freePort();
        int mqtt = TestServices.freePort();
        Path config = Files.writeString(home.resolve("gridwatch.yaml"), String.format("""
                stack:
                  var_dir: var
                  kafka: {host: 127.0.0.1, port: %d, controller_port: %d}
                  mqtt: {host: 127.0.0.1, port: %d}
                  postgres: {host: %s, port: %d, database: %s, user: %s}
                """, kafka, TestServices.freePort(), mqtt, services.postgres().host(), services.postgres().port(), database,
                services.postgresUser()));
        return new OwnStack(home, config, database, kafka, mqtt);
    }

    CliRun run(String... args) {
        return CliRun.of(home, config, args);
    }

    String mqttUri() {
        return "tcp://127.0.0.1:" + mqttPort;
    }

    /** {@code down}, printed, and the database dropped. */
    void down() {
        CliRun r = run("down");
        System.out.println(r.out() + r.err());
        TestServices.shared().postgres().dropDatabase(database);
    }

    /** The stored cases ({@code cases --json}) that list {@code sourceId} among their sources. */
    List<JsonNode> casesOf(String sourceId) throws Exception {
        CliRun r = run("cases", "--json");
        assertThat(r.status()).as(r.err()).isZero();
        List<JsonNode> out = new ArrayList<>();
        for (String line : r.out().lines().filter(l -> l.startsWith("{")).toList()) {
            JsonNode c = Json.mapper().readTree(line);
            for (JsonNode s : c.path("sources")) {
                if (sourceId.equals(s.path("id").asText())) {
                    out.add(c);
                    break;
                }
            }
        }
        return out;
    }

    /** Polls {@code condition} every {@code every} until it holds; fails after {@code wait}. */
    static void waitUntil(Duration wait, Duration every, Callable<Boolean> condition) throws Exception {
        long deadline = System.nanoTime() + wait.toNanos();
        while (!condition.call()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within " + wait.toSeconds() + " s");
            }
            Thread.sleep(every.toMillis());
        }
    }
}
