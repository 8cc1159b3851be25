package io.gridwatch.testkit;

import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A test JVM killed with kill -9 runs no shutdown hook: its services (a Kafka broker JVM, a Mosquitto, a private
 * PostgreSQL) must end anyway, and not live on, holding ports and memory, until someone finds them.
 */
class ServicesDieWithTheirJvmTest {

    /** Run in a child JVM: starts the services as a test JVM does, prints their pids and directories, waits to be killed. */
    public static void main(String[] args) throws Exception {
        LocalProcessBackend backend = LocalProcessBackend.start();
        PrivatePostgres pg = PrivatePostgres.create();
        List<Long> pids = new ArrayList<>(backend.processes().stream().map(ProcessHandle::pid).toList());
        pids.add(pg.endpoint().pid());
        System.out.println("PIDS " + pids.stream().map(String::valueOf).reduce((a, b) -> a + "," + b).orElse(""));
        System.out.println("PGDIR " + pg.endpoint().dataDir().getParent());
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE);
    }

    @Test
    void theServicesOfAKilledTestJvmEndWithinSeconds() throws Exception {
        Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m",
                "-cp", System.getProperty("java.class.path"), ServicesDieWithTheirJvmTest.class.getName())
                .redirectErrorStream(true).start();
        List<Long> pids = new ArrayList<>();
        Path[] pgDir = new Path[1];
        StringBuilder output = new StringBuilder();
        CompletableFuture<Void> started = CompletableFuture.runAsync(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    output.append(line).append('\n');
                    if (line.startsWith("PIDS ")) {
                        Arrays.stream(line.substring(5).split(",")).map(Long::parseLong).forEach(pids::add);
                    } else if (line.startsWith("PGDIR ")) {
                        pgDir[0] = Path.of(line.substring(6));
                        return;
                    }
                }
                throw new IllegalStateException("the child JVM ended before it printed its services:\n" + output);
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        });
        try {
            started.get(180, TimeUnit.SECONDS);
            // a Kafka broker, a Mosquitto, a PostgreSQL postmaster — checked before the kill, not after it (a watchdog may
            // already have ended one by the time the killed JVM is reaped)
            assertThat(pids).hasSize(3).allSatisfy(pid -> assertThat(running(pid)).as("pid %d before the kill", pid).isTrue());
        } finally {
            child.destroyForcibly(); // SIGKILL: no shutdown hook runs
        }
        assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();

        long t0 = System.nanoTime();
        await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(200))
                .untilAsserted(() -> assertThat(pids).noneMatch(ServicesDieWithTheirJvmTest::running));
        System.out.printf("services of the killed JVM gone %d ms after the kill%n", (System.nanoTime() - t0) / 1_000_000);
        await().atMost(Duration.ofSeconds(10)).until(() -> !Files.exists(pgDir[0]));
    }

    /** Whether the process runs: it exists and is no zombie (an orphan's zombie waits for whoever reaps it). */
    static boolean running(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", String.valueOf(pid), "stat"));
            return stat.charAt(stat.lastIndexOf(')') + 2) != 'Z';
        } catch (IOException e) {
            return false;
        }
    }
}
