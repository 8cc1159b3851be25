package io.gridwatch.jobs;

import io.gridwatch.detection.Detection;
import io.gridwatch.store.CaseNumberStore;

import java.time.Duration;
import java.time.LocalDate;
import java.util.Objects;

/**
 * Case numbers from PostgreSQL ({@link CaseNumberStore}): unique forever, and the same again for an opening
 * detection replayed after a restore. One round trip per new case (tens an hour). While PostgreSQL cannot be
 * reached the cases operator waits and retries ({@link RetryingDatabase}) — a case must neither be skipped nor
 * numbered any other way — and says so in the log; a conflict (a detection numbered for another problem), or any
 * other failure that is not an outage, fails at once.
 */
public final class PostgresCaseNumbers implements CaseNumberSource {

    private static final long serialVersionUID = 1L;

    private final String jdbcUrl;
    private final String user;
    private final Duration maxBackoff;

    /** @param maxBackoff the longest wait between two attempts while PostgreSQL is down */
    public PostgresCaseNumbers(String jdbcUrl, String user, Duration maxBackoff) {
        this.jdbcUrl = Objects.requireNonNull(jdbcUrl, "jdbcUrl");
        this.user = Objects.requireNonNull(user, "user");
        this.maxBackoff = RetryingDatabase.checkMaxWait(maxBackoff);
    }

    public PostgresCaseNumbers(String jdbcUrl, String user) {
        this(jdbcUrl, user, JdbcSink.DEFAULT_MAX_WAIT);
    }

    @Override
    public Numbering open() {
        return new Open();
    }

    private final class Open implements Numbering {
        private final RetryingDatabase db = new RetryingDatabase(jdbcUrl, user, maxBackoff);

        @Override
        public int next(String districtCode, LocalDate day, Detection opening) {
            return db.call(d -> new CaseNumberStore(d.dataSource()).allocate(districtCode, day, opening.detectionId(),
                    CasesFunction.problemKeyOf(opening)), () -> "keeping the case of detection " + opening.detectionId() + " waiting for its number");
        }

        @Override
        public void close() {
            db.close();
        }
    }
}
