package io.gridwatch.ingest.video;

import io.gridwatch.store.CameraHealthStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Writes a worker's camera health to PostgreSQL ({@link CameraHealthStore}) every {@link #INTERVAL}, where
 * {@code gridwatch cameras status} and {@code gridwatch status} read it. A row not rewritten for {@link #STALE_AFTER}
 * belongs to a worker that died (or a camera in transit to another worker).
 */
public final class CameraHealthReporter implements AutoCloseable {

    public static final Duration INTERVAL = Duration.ofSeconds(5);
    /** Three reports missed. */
    public static final Duration STALE_AFTER = INTERVAL.multipliedBy(3);

    private static final Logger LOG = LoggerFactory.getLogger(CameraHealthReporter.class);

    private final CameraWorker worker;
    private final CameraHealthStore store;
    private final ScheduledExecutorService timer;

    public CameraHealthReporter(CameraWorker worker, CameraHealthStore store) {
        this.worker = Objects.requireNonNull(worker, "worker");
        this.store = Objects.requireNonNull(store, "store");
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "camera-health-" + worker.workerId());
            t.setDaemon(true);
            return t;
        });
    }

    public CameraHealthReporter start() {
        timer.scheduleWithFixedDelay(this::reportSafely, 0, INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
        return this;
    }

    private void reportSafely() {
        try {
            report();
        } catch (RuntimeException e) { // the database away for a while: try again next time
            LOG.warn("worker {}: camera health not stored: {}", worker.workerId(), e.getMessage());
        }
    }

    /** Stores the health of the worker's cameras now, and forgets removed ones. */
    public void report() {
        Instant now = Instant.now();
        List<CameraHealthStore.Entry> rows = new ArrayList<>();
        for (CameraHealth h : worker.health()) {
            rows.add(entry(worker.workerId(), h, now));
        }
        store.upsert(rows);
        store.delete(worker.drainRemoved());
    }

    static CameraHealthStore.Entry entry(String workerId, CameraHealth h, Instant now) {
        return new CameraHealthStore.Entry(h.cameraId(), workerId, h.state().name(), h.state().online(), h.framesInPerS(), h.framesOutPerS(),
                h.framesIn(), h.framesOut(), h.lastFrameAt() == 0 ? null : Instant.ofEpochMilli(h.lastFrameAt()), h.reconnects(), h.errors(),
                h.lastError(), h.keyFramesOnly(), now);
    }

    @Override
    public void close() {
        timer.shutdownNow();
        try {
            timer.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
