package io.gridwatch.jobs;

import io.gridwatch.detection.Detection;
import io.gridwatch.evidence.EvidenceStore;
import io.gridwatch.evidence.FileEvidenceStore;
import io.gridwatch.models.Box;
import io.gridwatch.models.evidence.EvidenceRecorder;
import io.gridwatch.video.ZoneTracker;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.async.ResultFuture;
import org.apache.flink.streaming.api.functions.async.RichAsyncFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.PriorityBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The video job's evidence stage (Flink Async I/O after {@link VideoDetectionFunction}): renders the pictures a frame's
 * {@link RenderRequest} names (faces and plates blurred first, box drawn: models' {@link EvidenceRecorder}), stores them
 * at the URIs the detection operator reserved, and fills in the SHA-256 of each {@code frame} evidence item before the
 * detections go on to the cases. So the detection operator never waits for a picture (0.3–9 s each, README: Evidence
 * pictures), and a case waits only for its own pictures.
 *
 * <ul>
 *   <li><b>Threads.</b> A bounded pool of {@link VideoDetectionFunction.Settings#renderThreads} threads, each with its own
 *       recorder (OpenCV's cascades are not thread-safe); renders beyond them queue in the pool, the pictures a new case
 *       waits for first ({@link #priority}), and Flink's Async I/O capacity ({@link #CAPACITY}) bounds how many requests
 *       are in flight, pushing back on the detection operator beyond that.</li>
 *   <li><b>A picture rendered earlier</b> (the frame where the object appeared, referred to by the later raised
 *       detection): its pending render is waited for when it is still running in this instance, else the picture is read
 *       back from the store and hashed.</li>
 *   <li><b>Order per camera.</b> Requests of one camera complete in the order they came (each waits for the one before),
 *       so a camera's raised detection never overtakes its appeared picture or its cleared detection its raised one; other
 *       cameras' requests pass a slow one (unordered Async I/O).</li>
 *   <li><b>Restart.</b> Async I/O checkpoints the requests in flight and runs them again on restore; a picture rendered
 *       twice lands on the same URI (rendering is deterministic; {@link EvidenceStore#putAt} replaces other bytes).</li>
 *   <li><b>Failure.</b> A picture that cannot be rendered or stored, or is not done within {@link #TIMEOUT}, is logged and
 *       left out of its detection: a case without one of its pictures is better than no case.</li>
 * </ul>
 */
public final class EvidenceRendering extends RichAsyncFunction<RenderRequest, Detection> {

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(EvidenceRendering.class);

    /** Requests in flight per subtask (Async I/O capacity); beyond it the detection operator waits. */
    public static final int CAPACITY = 256;
    /** The longest a request may take, queueing included; then its detections go on without the missing pictures. */
    public static final Duration TIMEOUT = Duration.ofMinutes(2);

    private final EvidencePictures.StoreFactory storeFactory;
    private final int threads;

    private transient EvidenceStore store;
    private transient ExecutorService pool;
    private transient ThreadLocal<EvidenceRecorder> recorders;
    private transient ConcurrentLinkedQueue<EvidenceRecorder> allRecorders;
    /** Pictures being rendered in this instance, by URI. */
    private transient ConcurrentHashMap<String, CompletableFuture<Detection.Evidence>> rendering;
    /** The last request of each camera that is not done yet: the next one waits for it. */
    private transient ConcurrentHashMap<String, CompletableFuture<Void>> lastOfCamera;
    private transient Counter rendered;
    private transient Counter failed;

    public EvidenceRendering(VideoDetectionFunction.Settings settings) {
        this.storeFactory = Objects.requireNonNull(settings, "settings").evidence();
        this.threads = settings.renderThreads();
    }

    @Override
    public void open(OpenContext ctx) throws Exception {
        store = storeFactory.open();
        allRecorders = new ConcurrentLinkedQueue<>();
        recorders = ThreadLocal.withInitial(() -> {
            EvidenceRecorder r = new EvidenceRecorder(store);
            allRecorders.add(r);
            return r;
        });
        AtomicInteger n = new AtomicInteger();
        String name = "evidence-render-" + getRuntimeContext().getTaskInfo().getIndexOfThisSubtask() + "-";
        pool = new ThreadPoolExecutor(threads, threads, 0, TimeUnit.MILLISECONDS, new PriorityBlockingQueue<>(), r -> {
            Thread t = new Thread(r, name + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        rendering = new ConcurrentHashMap<>();
        submitted = new AtomicLong();
        lastOfCamera = new ConcurrentHashMap<>();
        rendered = getRuntimeContext().getMetricGroup().counter("evidence_pictures_rendered");
        failed = getRuntimeContext().getMetricGroup().counter("evidence_pictures_failed");
    }

    @Override
    public void close() throws Exception {
        if (pool != null) {
            pool.shutdownNow();
            // OpenCV's objects must not be freed under a render still running
            if (!pool.awaitTermination(30, TimeUnit.SECONDS)) {
                LOG.warn("evidence renders still running after 30 s; their recorders are not closed");
                return;
            }
        }
        if (allRecorders != null) {
            allRecorders.forEach(EvidenceRecorder::close);
        }
        if (store != null) {
            store.close();
        }
    }

    @Override
    public void asyncInvoke(RenderRequest req, ResultFuture<Detection> result) {
        // called on the task's thread in input order (and, on restore, for the checkpointed requests first): a picture is
        // registered here before any later request can ask for it
        Map<String, CompletableFuture<Detection.Evidence>> waits = new HashMap<>();
        for (RenderRequest.Picture p : req.pictures()) {
            CompletableFuture<Detection.Evidence> f = submit(priority(p.role()), () -> render(req, p));
            rendering.put(p.uri(), f);
            f.whenComplete((e, x) -> rendering.remove(p.uri(), f));
            waits.put(p.uri(), f);
        }
        for (Detection d : req.detections()) {
            for (Detection.Evidence e : d.evidence()) {
                if (pending(e) && !waits.containsKey(e.uri())) {
                    CompletableFuture<Detection.Evidence> running = rendering.get(e.uri());
                    waits.put(e.uri(), running != null ? running : submit(0, () -> readBack(req, e)));
                }
            }
        }
        List<CompletableFuture<?>> all = new ArrayList<>();
        waits.values().forEach(f -> all.add(f.handle((e, x) -> null)));
        CompletableFuture<Void> before = lastOfCamera.get(req.cameraId());
        if (before != null) {
            all.add(before);
        }
        CompletableFuture<Void> done = CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).thenRun(() -> {
            List<Detection> out = new ArrayList<>(req.detections().size());
            for (Detection d : req.detections()) {
                out.add(withPictures(d, waits));
            }
            result.complete(out);
        }).exceptionally(x -> {
            LOG.error("camera {}: evidence of frame {} failed; its detections go on without pictures", req.cameraId(), req.sequence(), x);
            result.complete(req.detections().stream().map(d -> withPictures(d, Map.of())).toList());
            return null;
        });
        lastOfCamera.put(req.cameraId(), done);
        done.whenComplete((v, x) -> lastOfCamera.remove(req.cameraId(), done));
    }

    @Override
    public void timeout(RenderRequest req, ResultFuture<Detection> result) {
        LOG.error("camera {}: the evidence pictures of frame {} were not done within {}; its detections go on without them",
                req.cameraId(), req.sequence(), TIMEOUT);
        result.complete(req.detections().stream().map(d -> withPictures(d, Map.of())).toList());
    }

    /**
     * Which pictures are rendered first when renders queue: the confirmed one (a new case waits for it) and the appeared
     * one (the confirmed detection waits for it too), then the cleared one (a case's end), then the latest.
     */
    static int priority(String role) {
        return switch (role) {
            case ZoneTracker.CONFIRMED, ZoneTracker.APPEARED -> 0;
            case ZoneTracker.CLEARED -> 1;
            default -> 2;
        };
    }

    private transient AtomicLong submitted;

    /** Runs {@code work} on the pool, before the queued work of a higher {@code priority} number, else in order. */
    private <T> CompletableFuture<T> submit(int priority, java.util.function.Supplier<T> work) {
        CompletableFuture<T> f = new CompletableFuture<>();
        pool.execute(new Prioritised(priority, submitted.incrementAndGet(), () -> {
            try {
                f.complete(work.get());
            } catch (Throwable x) {
                f.completeExceptionally(x);
            }
        }));
        return f;
    }

    /** A task of the render pool's priority queue. */
    private record Prioritised(int priority, long seq, Runnable work) implements Runnable, Comparable<Prioritised> {
        @Override
        public void run() {
            work.run();
        }

        @Override
        public int compareTo(Prioritised o) {
            return priority != o.priority ? Integer.compare(priority, o.priority) : Long.compare(seq, o.seq);
        }
    }

    private static boolean pending(Detection.Evidence e) {
        return Detection.Evidence.FRAME.equals(e.type()) && e.sha256() == null;
    }

    /** {@code d} with its pending pictures' hashes filled in; a picture that failed is left out (and was logged). */
    private Detection withPictures(Detection d, Map<String, CompletableFuture<Detection.Evidence>> waits) {
        ArrayList<Detection.Evidence> evidence = new ArrayList<>(d.evidence().size());
        for (Detection.Evidence e : d.evidence()) {
            if (!pending(e)) {
                evidence.add(e);
                continue;
            }
            CompletableFuture<Detection.Evidence> f = waits.get(e.uri());
            Detection.Evidence stored = f == null || !f.isDone() || f.isCompletedExceptionally() ? null : f.join();
            if (stored != null) {
                evidence.add(Detection.Evidence.frame(e.uri(), e.ts() == null ? 0 : e.ts(), e.box(), stored.sha256()));
            }
        }
        if (d.state() == Detection.State.RAISED) {
            LOG.info("{} {}: evidence ready ({} pictures), confirming frame taken {} ms ago", d.state(), d.problemKey(),
                    evidence.size(), System.currentTimeMillis() - d.ts());
        }
        return new Detection(d.schema(), d.detectionId(), d.source(), d.ruleId(), d.state(), d.problemKey(), d.category(),
                d.componentCode(), d.team(), d.severity(), d.ts(), d.startedAt(), d.confidence(), d.lon(), d.lat(), d.gridCode(),
                d.districtCode(), d.metric(), d.value(), d.unit(), evidence, d.endedAt(), d.revises());
    }

    private Detection.Evidence render(RenderRequest req, RenderRequest.Picture p) {
        long t0 = System.nanoTime();
        try {
            double[] b = p.box();
            Detection.Evidence e = recorders.get().recordAt(URI.create(p.uri()), req.captureTime(), req.jpeg(),
                    b == null ? null : new Box(b[0], b[1], b[2], b[3]), p.role());
            rendered.inc();
            LOG.debug("camera {}: {} picture of frame {} stored in {} ms", req.cameraId(), p.role(), req.sequence(),
                    (System.nanoTime() - t0) / 1_000_000);
            return e;
        } catch (Exception | LinkageError x) {
            failed.inc();
            // a case without one of its pictures is better than no case: say so, and go on
            LOG.error("camera {}: the {} evidence picture of frame {} could not be stored: {}", req.cameraId(), p.role(),
                    req.sequence(), x.toString());
            throw new IllegalStateException(x);
        }
    }

    /** A picture stored before (by an earlier request): its hash, from what the store holds. */
    private Detection.Evidence readBack(RenderRequest req, Detection.Evidence e) {
        try {
            Optional<byte[]> bytes = store.get(URI.create(e.uri()));
            if (bytes.isEmpty()) {
                failed.inc();
                LOG.error("camera {}: evidence picture {} is not in the store (its render failed, or it was purged); "
                        + "the detection of frame {} goes on without it", req.cameraId(), e.uri(), req.sequence());
                throw new IllegalStateException("missing " + e.uri());
            }
            return Detection.Evidence.frame(e.uri(), e.ts() == null ? 0 : e.ts(), e.box(), FileEvidenceStore.sha256(bytes.get()));
        } catch (java.io.IOException x) {
            failed.inc();
            LOG.error("camera {}: evidence picture {} cannot be read back: {}", req.cameraId(), e.uri(), x.toString());
            throw new java.io.UncheckedIOException(x);
        }
    }
}
