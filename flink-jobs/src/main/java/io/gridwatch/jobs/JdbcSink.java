package io.gridwatch.jobs;

import io.gridwatch.store.Database;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;

import java.io.IOException;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes records to PostgreSQL in batches, through a store class whose writes are idempotent
 * (upserts): a batch is written at the latest when a checkpoint is taken, and a batch written
 * again after a crash changes nothing. That is what makes this at-least-once sink exactly-once
 * in effect.
 */
public final class JdbcSink<T> implements Sink<T> {

    private static final long serialVersionUID = 1L;

    /** Writes one batch idempotently. */
    @FunctionalInterface
    public interface BatchWriter<T> extends Serializable {
        void write(Database db, List<T> batch);
    }

    private final String jdbcUrl;
    private final String user;
    private final int batchSize;
    private final BatchWriter<T> writer;

    public JdbcSink(String jdbcUrl, String user, int batchSize, BatchWriter<T> writer) {
        this.jdbcUrl = jdbcUrl;
        this.user = user;
        this.batchSize = batchSize;
        this.writer = writer;
    }

    @Override
    public SinkWriter<T> createWriter(WriterInitContext context) {
        return new Writer();
    }

    private final class Writer implements SinkWriter<T> {
        private final Database db = Database.open(jdbcUrl, user);
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
                writer.write(db, new ArrayList<>(batch));
                batch.clear();
            }
        }

        @Override
        public void close() {
            try {
                flush(true);
            } finally {
                db.close();
            }
        }
    }
}
