package io.gridwatch.jobs;

import io.gridwatch.store.Database;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;

import java.io.Serializable;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * Writes records to PostgreSQL in batches, through a store class whose writes are idempotent
 * (upserts): a batch is written at the latest when a checkpoint is taken, and a batch written
 * again after a crash changes nothing. That is what makes this at-least-once sink exactly-once
 * in effect.
 *
 * <p>While PostgreSQL is unreachable (stopped, restarting, a cut connection) the writer holds its batch
 * and retries ({@link RetryingDatabase}): the task stops taking records, back-pressure slows the job, and a
 * checkpoint waits for the batch — the job neither fails nor restarts. A write that fails for any other
 * reason (a constraint, a case id that belongs to another problem) fails the task at once.
 */
public final class JdbcSink<T> implements Sink<T> {

    private static final long serialVersionUID = 1L;

    /** The longest wait between two attempts while PostgreSQL is down. */
    public static final Duration DEFAULT_MAX_WAIT = Duration.ofSeconds(5);

    /** Writes one batch idempotently. */
    @FunctionalInterface
    public interface BatchWriter<T> extends Serializable {
        void write(Database db, List<T> batch);
    }

    private final String jdbcUrl;
    private final String user;
    private final int batchSize;
    private final BatchWriter<T> writer;
    private final Duration maxWait;

    public JdbcSink(String jdbcUrl, String user, int batchSize, BatchWriter<T> writer) {
        this(jdbcUrl, user, batchSize, writer, DEFAULT_MAX_WAIT);
    }

    /** @param maxWait the longest wait between two attempts while PostgreSQL is down */
    public JdbcSink(String jdbcUrl, String user, int batchSize, BatchWriter<T> writer, Duration maxWait) {
        this.jdbcUrl = Objects.requireNonNull(jdbcUrl, "jdbcUrl");
        this.user = Objects.requireNonNull(user, "user");
        this.writer = Objects.requireNonNull(writer, "writer");
        this.maxWait = RetryingDatabase.checkMaxWait(maxWait);
        if (batchSize < 1) {
            throw new IllegalArgumentException("batch size must be at least 1, got " + batchSize);
        }
        this.batchSize = batchSize;
        RetryingDatabase.where(jdbcUrl); // a wrong URL fails when the job is built, not in a task
    }

    @Override
    public SinkWriter<T> createWriter(WriterInitContext context) {
        return new Writer();
    }

    private final class Writer implements SinkWriter<T> {
        private final RetryingDatabase db = new RetryingDatabase(jdbcUrl, user, maxWait);
        private final List<T> batch = new ArrayList<>();

        @Override
        public void write(T element, Context context) {
            batch.add(element);
            if (batch.size() >= batchSize) {
                flush(false);
            }
        }

        @Override
        public void flush(boolean endOfInput) {
            if (!batch.isEmpty()) {
                List<T> held = new ArrayList<>(batch);
                db.call(d -> {
                    writer.write(d, held);
                    return null;
                }, () -> "holding " + held.size() + " " + plural(held.get(0)));
                batch.clear();
            }
        }

        /**
         * Releases the pool without writing what is held: Flink flushes before every checkpoint and at the end of
         * input, so what is left here was never checkpointed and is read again after a restore. Writing it here
         * would make cancelling a task wait for PostgreSQL.
         */
        @Override
        public void close() {
            db.close();
        }
    }

    /** "readings", "case messages", "alerts": the records' class in words, for the log. */
    static String plural(Object record) {
        String name = record.getClass().getSimpleName();
        return name.replaceAll("(?<=[a-z0-9])(?=[A-Z])", " ").toLowerCase(Locale.ROOT) + "s";
    }
}
