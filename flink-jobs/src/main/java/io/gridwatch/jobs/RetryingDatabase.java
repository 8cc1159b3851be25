package io.gridwatch.jobs;

import io.gridwatch.store.CaseConflictException;
import io.gridwatch.store.Database;
import org.postgresql.Driver;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.EOFException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.Properties;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The job's way to PostgreSQL through an outage (a restart, a crash, a cut connection): a call that fails because the
 * server cannot be reached, is shutting down or is starting up waits with a growing back-off, says so in the log each
 * time, and is made again on a fresh pool, for as long as it takes; the task holds its records meanwhile, and
 * back-pressure slows the job instead of failing it. Any other failure — a constraint violation, a
 * {@link CaseConflictException} — is thrown at once: waiting cannot mend it.
 *
 * <p>Only idempotent work belongs here: when the connection dies during a commit nobody knows whether it happened,
 * so the work is done again.
 *
 * <p>Not thread-safe: one per sink writer or operator instance.
 */
final class RetryingDatabase implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(RetryingDatabase.class);

    /** The wait after the first failure; each further failure doubles it up to the maximum. */
    static final Duration FIRST_WAIT = Duration.ofMillis(100);

    /** 57P01 admin_shutdown, 57P02 crash_shutdown, 57P03 cannot_connect_now (starting up, shutting down, recovering). */
    private static final Set<String> TRANSIENT_STATES = Set.of("57P01", "57P02", "57P03");

    private final String jdbcUrl;
    private final String user;
    private final Duration maxWait;
    private final String where;
    /** opened at the first call and again after a transient failure: a job may start while PostgreSQL is down */
    private Database db;

    /** @param maxWait the longest wait between two attempts */
    RetryingDatabase(String jdbcUrl, String user, Duration maxWait) {
        this.jdbcUrl = Objects.requireNonNull(jdbcUrl, "jdbcUrl");
        this.user = Objects.requireNonNull(user, "user");
        this.maxWait = checkMaxWait(maxWait);
        this.where = where(jdbcUrl);
    }

    /** {@code maxWait}, when it is at least {@link #FIRST_WAIT}; else a message that says so. */
    static Duration checkMaxWait(Duration maxWait) {
        Objects.requireNonNull(maxWait, "maxWait");
        if (maxWait.compareTo(FIRST_WAIT) < 0) {
            throw new IllegalArgumentException("the longest wait between attempts must be at least " + FIRST_WAIT.toMillis()
                    + " ms, got " + maxWait.toMillis() + " ms");
        }
        return maxWait;
    }

    /**
     * Does {@code work} on the database, waiting out transient failures.
     *
     * @param waiting what waits meanwhile, for the log (e.g. "holding 1000 readings")
     * @throws RuntimeException the first failure that is not transient
     * @throws IllegalStateException when the thread is interrupted while waiting (the task is being cancelled)
     */
    <R> R call(Function<Database, R> work, Supplier<String> waiting) {
        long wait = FIRST_WAIT.toMillis();
        long since = System.nanoTime();
        for (int attempt = 1; ; attempt++) {
            try {
                if (db == null) {
                    db = Database.open(jdbcUrl, user);
                }
                R result = work.apply(db);
                if (attempt > 1) {
                    LOG.info("PostgreSQL at {} reachable again after {} s and {} attempts, no longer {}", where,
                            (System.nanoTime() - since) / 1_000_000_000, attempt, waiting.get());
                }
                return result;
            } catch (RuntimeException e) {
                if (!isTransient(e)) {
                    throw e;
                }
                closeDb();
                LOG.warn("PostgreSQL at {} unreachable: {} — {}, retrying in {} (attempt {})", where, cause(e), waiting.get(),
                        wait < 1_000 ? wait + " ms" : String.format(Locale.ROOT, "%.1f s", wait / 1_000.0), attempt);
                try {
                    Thread.sleep(wait);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while waiting for PostgreSQL at " + where + " (" + waiting.get() + ")",
                            interrupted);
                }
                wait = Math.min(wait * 2, maxWait.toMillis());
            }
        }
    }

    /**
     * Whether {@code failure} says the server could not be reached or went away — and so may pass — rather than that
     * the work itself is wrong. A conflict between two problems' ids is never transient.
     */
    static boolean isTransient(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof CaseConflictException) {
                return false;
            }
        }
        for (Throwable t = failure; t != null; t = t.getCause()) {
            // refused, reset, cut mid-message; the pool's "connection is not available, request timed out"
            if (t instanceof ConnectException || t instanceof NoRouteToHostException || t instanceof SocketTimeoutException
                    || t instanceof SocketException || t instanceof EOFException || t instanceof SQLTransientConnectionException) {
                return true;
            }
            if (t instanceof SQLException sql && sql.getSQLState() != null) {
                String state = sql.getSQLState();
                if (state.startsWith("08") || TRANSIENT_STATES.contains(state)) {
                    return true;
                }
            }
        }
        return false;
    }

    /** The driver's words for what went wrong, with its SQLState, rather than the wrappers' hints for a person at the CLI. */
    private static String cause(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof SQLException sql) {
                return sql.getMessage() + (sql.getSQLState() == null ? "" : " [" + sql.getSQLState() + "]");
            }
        }
        Throwable root = failure;
        while (root.getCause() != null) {
            root = root.getCause();
        }
        return root.toString();
    }

    /** host:port/database of the URL, without its parameters (they may carry a password). */
    static String where(String jdbcUrl) {
        Properties p = Driver.parseURL(jdbcUrl, null);
        if (p == null) {
            throw new IllegalArgumentException("not a PostgreSQL JDBC URL (jdbc:postgresql://host:port/database): " + jdbcUrl);
        }
        return p.getProperty("PGHOST") + ":" + p.getProperty("PGPORT") + "/" + p.getProperty("PGDBNAME");
    }

    private void closeDb() {
        if (db != null) {
            try {
                db.close();
            } catch (RuntimeException e) {
                LOG.debug("closing the pool of {} failed", where, e);
            }
            db = null;
        }
    }

    @Override
    public void close() {
        closeDb();
    }
}
