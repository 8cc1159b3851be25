package io.gridwatch.jobs;

import com.zaxxer.hikari.pool.HikariPool;
import io.gridwatch.store.CaseConflictException;
import io.gridwatch.store.StoreException;
import io.gridwatch.testkit.TestServices;
import org.junit.jupiter.api.Test;
import org.postgresql.util.PSQLException;
import org.postgresql.util.PSQLState;

import java.net.ConnectException;
import java.sql.SQLTransientConnectionException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Which failures the job's PostgreSQL clients wait out, and that any other one is thrown at the first attempt. */
class RetryingDatabaseTest {

    static StoreException wrapped(Throwable cause) {
        return new StoreException("writing 3 readings failed: " + cause.getMessage(), cause);
    }

    @Test
    void anOutageIsTransient() {
        assertThat(RetryingDatabase.isTransient(wrapped(new PSQLException("Connection to 127.0.0.1:5 refused",
                PSQLState.CONNECTION_UNABLE_TO_CONNECT, new ConnectException("Connection refused"))))).isTrue();
        assertThat(RetryingDatabase.isTransient(wrapped(new PSQLException("An I/O error occurred while sending to the backend.",
                PSQLState.CONNECTION_FAILURE)))).isTrue();
        assertThat(RetryingDatabase.isTransient(wrapped(new java.sql.SQLException("the database system is starting up", "57P03")))).isTrue();
        assertThat(RetryingDatabase.isTransient(wrapped(new java.sql.SQLException("terminating connection due to immediate shutdown", "57P01"))))
                .isTrue();
        assertThat(RetryingDatabase.isTransient(wrapped(new SQLTransientConnectionException(
                "gridwatch-store - Connection is not available, request timed out after 30000ms")))).isTrue();
        assertThat(RetryingDatabase.isTransient(new HikariPool.PoolInitializationException(new ConnectException("refused")))).isTrue();
    }

    @Test
    void aWrongWriteIsNot() {
        assertThat(RetryingDatabase.isTransient(wrapped(new java.sql.SQLException("duplicate key value violates unique constraint", "23505"))))
                .isFalse();
        assertThat(RetryingDatabase.isTransient(wrapped(new java.sql.SQLException("relation \"sensor_reading\" does not exist", "42P01"))))
                .isFalse();
        assertThat(RetryingDatabase.isTransient(new CaseConflictException("GW-210211-20260811-000001", "sensor:a", "sensor:b"))).isFalse();
        assertThat(RetryingDatabase.isTransient(new IllegalArgumentException("bad"))).isFalse();
    }

    @Test
    void aConflictIsThrownAtTheFirstAttempt() {
        String url = TestServices.shared().newDatabase("gw_jobs_retrying");
        AtomicInteger attempts = new AtomicInteger();
        try (RetryingDatabase db = new RetryingDatabase(url, TestServices.shared().postgresUser(), Duration.ofSeconds(1))) {
            assertThatThrownBy(() -> db.call(d -> {
                attempts.incrementAndGet();
                throw new CaseConflictException("GW-210211-20260811-000001", "sensor:a", "sensor:b");
            }, () -> "holding 1 case message")).isInstanceOf(CaseConflictException.class);
        }
        assertThat(attempts).hasValue(1);
    }
}
