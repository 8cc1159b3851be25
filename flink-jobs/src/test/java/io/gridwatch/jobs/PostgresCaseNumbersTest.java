package io.gridwatch.jobs;

import io.gridwatch.detection.Detection;
import io.gridwatch.store.CaseConflictException;
import io.gridwatch.store.Database;
import io.gridwatch.testkit.TestServices;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The job's case numbering on the real PostgreSQL: while the database cannot be reached, numbering a case waits
 * and retries (the case is neither skipped nor numbered another way), and continues once it is back.
 */
class PostgresCaseNumbersTest {

    static final LocalDate DAY = LocalDate.of(2026, 8, 4);

    static Detection raised(String sensor, long ts) {
        return new Detection(1, sensor + "/water_level.default/" + ts + "/raised", new Detection.Source("sensor", sensor),
                "water_level.default", Detection.RAISED, "sensor:" + sensor + ":water_level", null, null, "flood", "blue", ts, ts,
                1.0, 121.51, 39.03, "210211016001002", "210211", "water_level_cm", 20.0, "cm", null, null, null);
    }

    @Test
    void numberingWaitsWhilePostgresIsUnreachableAndGoesOnWhenItIsBack() throws Exception {
        String url = TestServices.shared().newDatabase("gw_jobs_numbers");
        try (Database db = Database.open(url, TestServices.shared().postgresUser())) {
            db.migrate();
        }
        URI real = URI.create(url.substring("jdbc:".length()));
        int port = TestServices.freePort();
        String viaProxy = "jdbc:postgresql://127.0.0.1:" + port + real.getRawPath() + (real.getRawQuery() == null ? "" : "?" + real.getRawQuery());
        try (CaseNumberSource.Numbering direct = new PostgresCaseNumbers(url, TestServices.shared().postgresUser()).open();
             CaseNumberSource.Numbering numbering =
                     new PostgresCaseNumbers(viaProxy, TestServices.shared().postgresUser(), Duration.ofMillis(200)).open()) {
            assertThat(direct.next("210211", DAY, raised("wl-p1", 1))).isEqualTo(1);

            // nothing listens on the proxy's port yet: PostgreSQL is "down" for this numbering
            CompletableFuture<Integer> waiting = CompletableFuture.supplyAsync(() -> numbering.next("210211", DAY, raised("wl-p2", 2)));
            Thread.sleep(1_500);
            assertThat(waiting).as("numbering while PostgreSQL is down").isNotDone();
            // another job numbers meanwhile
            assertThat(direct.next("210211", DAY, raised("wl-p3", 3))).isEqualTo(2);

            try (Proxy proxy = new Proxy(port, real.getHost(), real.getPort())) {
                assertThat(waiting.get(30, TimeUnit.SECONDS)).isEqualTo(3);
                // and it is the same number again when asked again for the same opening detection
                assertThat(numbering.next("210211", DAY, raised("wl-p2", 2))).isEqualTo(3);
            }
            // a conflict is no outage: it fails at once
            Detection other = new Detection(1, raised("wl-p1", 1).detectionId(), new Detection.Source("sensor", "mh-p1"),
                    "manhole.default", Detection.RAISED, "sensor:mh-p1:manhole", null, null, null, "red", 1, 1, 1.0, 121.51, 39.03,
                    "210211016001002", "210211", "tilt_deg", 30.0, "deg", null, null, null);
            assertThatThrownBy(() -> direct.next("210211", DAY, other)).isInstanceOf(CaseConflictException.class);
        }
    }

    /** A TCP forwarder: PostgreSQL "comes back" when it starts listening. */
    private static final class Proxy implements AutoCloseable {
        private final ServerSocket server;
        private final List<Socket> sockets = new ArrayList<>();

        Proxy(int port, String host, int targetPort) throws IOException {
            server = new ServerSocket(port, 50, InetAddress.getLoopbackAddress());
            Thread accept = new Thread(() -> {
                try {
                    while (!server.isClosed()) {
                        Socket in = server.accept();
                        Socket out = new Socket(host, targetPort);
                        synchronized (sockets) {
                            sockets.add(in);
                            sockets.add(out);
                        }
                        pipe(in.getInputStream(), out.getOutputStream());
                        pipe(out.getInputStream(), in.getOutputStream());
                    }
                } catch (IOException closed) {
                    // the proxy was closed
                }
            }, "pg-proxy-accept");
            accept.setDaemon(true);
            accept.start();
        }

        private static void pipe(InputStream from, OutputStream to) {
            Thread t = new Thread(() -> {
                try {
                    from.transferTo(to);
                } catch (IOException closed) {
                    // one side went away
                }
            }, "pg-proxy-pipe");
            t.setDaemon(true);
            t.start();
        }

        @Override
        public void close() throws IOException {
            server.close();
            synchronized (sockets) {
                for (Socket s : sockets) {
                    s.close();
                }
            }
        }
    }
}
