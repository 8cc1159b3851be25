package io.gridwatch.jobs;

import io.gridwatch.detection.Detection;
import io.gridwatch.store.CaseConflictException;
import io.gridwatch.store.CaseNumberStore;
import io.gridwatch.store.Database;
import io.gridwatch.store.StoreException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.LocalDate;
import java.util.Objects;

/**
 * Case numbers from PostgreSQL ({@link CaseNumberStore}): unique forever, and the same again for an opening
 * detection replayed after a restore. One round trip per new case (tens an hour). While PostgreSQL cannot be
 * reached the cases operator waits and retries — a case must neither be skipped nor numbered any other way —
 * and says so in the log; a conflict (a detection numbered for another problem) fails at once.
 */
public final class PostgresCaseNumbers implements CaseNumberSource {

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(PostgresCaseNumbers.class);

    private final String jdbcUrl;
    private final String user;
    private final Duration maxBackoff;

    /** @param maxBackoff the longest wait between two attempts while PostgreSQL is down */
    public PostgresCaseNumbers(String jdbcUrl, String user, Duration maxBackoff) {
        this.jdbcUrl = Objects.requireNonNull(jdbcUrl, "jdbcUrl");
        this.user = Objects.requireNonNull(user, "user");
        this.maxBackoff = Objects.requireNonNull(maxBackoff, "maxBackoff");
        if (maxBackoff.isNegative() || maxBackoff.isZero()) {
            throw new IllegalArgumentException("the longest wait between attempts must be positive, got " + maxBackoff);
        }
    }

    public PostgresCaseNumbers(String jdbcUrl, String user) {
        this(jdbcUrl, user, Duration.ofSeconds(5));
    }

    @Override
    public Numbering open() {
        return new Open();
    }

    private final class Open implements Numbering {
        /** opened at the first case, and again after a failure: a job may start while PostgreSQL is down */
        private Database db;

        @Override
        public int next(String districtCode, LocalDate day, Detection opening) {
            long backoff = 100;
            long since = 0;
            for (int attempt = 1; ; attempt++) {
                try {
                    if (db == null) {
                        db = Database.open(jdbcUrl, user);
                    }
                    int seq = new CaseNumberStore(db.dataSource()).allocate(districtCode, day, opening.detectionId(),
                            CasesFunction.problemKeyOf(opening));
                    if (attempt > 1) {
                        LOG.info("case number for detection {} allocated after {} attempts ({} ms)", opening.detectionId(), attempt,
                                (System.nanoTime() - since) / 1_000_000);
                    }
                    return seq;
                } catch (CaseConflictException e) {
                    throw e;
                } catch (StoreException e) {
                    if (attempt == 1) {
                        since = System.nanoTime();
                    }
                    LOG.warn("cannot allocate a case number for detection {} (attempt {}), the cases operator waits: {}",
                            opening.detectionId(), attempt, e.getMessage());
                    closeDb();
                    try {
                        Thread.sleep(backoff);
                    } catch (InterruptedException interrupted) {
                        Thread.currentThread().interrupt();
                        throw new IllegalStateException("interrupted while waiting for PostgreSQL to number a case", interrupted);
                    }
                    backoff = Math.min(backoff * 2, maxBackoff.toMillis());
                }
            }
        }

        private void closeDb() {
            if (db != null) {
                try {
                    db.close();
                } catch (RuntimeException e) {
                    LOG.debug("closing the case number pool failed", e);
                }
                db = null;
            }
        }

        @Override
        public void close() {
            closeDb();
        }
    }
}
