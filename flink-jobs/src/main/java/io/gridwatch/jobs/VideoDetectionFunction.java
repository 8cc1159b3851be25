package io.gridwatch.jobs;

import io.gridwatch.camera.Camera;
import io.gridwatch.camera.CameraZone;
import io.gridwatch.camera.GroundPoint;
import io.gridwatch.camera.ImagePoint;
import io.gridwatch.config.GridwatchConfig;
import io.gridwatch.detection.Detection;
import io.gridwatch.evidence.EvidenceStore;
import io.gridwatch.grid.GridCache;
import io.gridwatch.grid.GridIndex;
import io.gridwatch.grid.GridLocation;
import io.gridwatch.models.reference.ViewReference;
import io.gridwatch.sensor.TelemetryParser;
import io.gridwatch.store.CameraStore;
import io.gridwatch.store.Database;
import io.gridwatch.video.CameraScene;
import io.gridwatch.video.DwellRules;
import io.gridwatch.video.Observation;
import io.gridwatch.video.TileFrame;
import io.gridwatch.video.WatchedZone;
import io.gridwatch.video.ZoneTracker;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.BroadcastState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ReadOnlyBroadcastState;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.co.KeyedBroadcastProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.Serializable;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The video detection operator, keyed by camera id: runs the tile models over each frame ({@link TileAnalyser}), and
 * moves the camera's {@link CameraScene} (scene baseline and zone trackers) in and out of Flink state around it;
 * the dwell rules ({@link DwellRules}) come from {@code gw.rules.v1} as broadcast state, beside the sensor rules, which
 * it leaves alone (as {@link SensorRulesFunction} leaves the dwell rules). Per-frame observations go to the
 * {@link #OBSERVATIONS} side output ({@code gw.observations.v1}), detections to the main output.
 *
 * <p>Cameras come from PostgreSQL ({@link CameraStore}): loaded at open, re-read when a frame names an unknown camera
 * (at most once per {@link Settings#registryRefresh}) and when the list is older than that.
 *
 * <p>Evidence pictures are not rendered here (blurring faces and plates takes 0.3–9 s a picture): when a tracker asks
 * for one, its URI is reserved in the {@link EvidenceStore} (from camera, frame time, role and box) and the tracker gets
 * an evidence item without a hash; the frame's JPEG, the pictures to make of it and the frame's detections go out
 * together as one {@link RenderRequest}, and {@link EvidenceRendering} renders, stores and fills in the hashes. State
 * holds only URIs (and hashes once known), never pictures.
 */
public final class VideoDetectionFunction extends KeyedBroadcastProcessFunction<String, Frame, RuleChange, RenderRequest> {

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(VideoDetectionFunction.class);

    /** Broadcast state: dwell rule id → the rule's JSON as pushed by an analyst. */
    public static final MapStateDescriptor<String, String> DWELL_RULES =
            new MapStateDescriptor<>("analyst-dwell-rules", Types.STRING, Types.STRING);
    /** Keyed state: the camera's {@link CameraScene#toBytes()} (≈ 5 KB). */
    static final ValueStateDescriptor<byte[]> SCENE = new ValueStateDescriptor<>("camera-scene",
            org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO);
    /**
     * Keyed state: the camera's view reference (参照画面, models' {@link ViewReference#toBytes()}, ≈ 3.6 KB at 320×240)
     * against which water and snow are judged ({@link TileAnalyser}). Kept apart from {@link #SCENE}: it belongs to the
     * models, not to the scene's tracking, and a state without it (a savepoint from before) simply learns it afresh.
     */
    static final ValueStateDescriptor<byte[]> REFERENCE = new ValueStateDescriptor<>("camera-view-reference",
            org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO);
    /** What the detector saw per zone and object in each frame, before any dwell rule: {@code gw.observations.v1}. */
    public static final OutputTag<Observation> OBSERVATIONS = new OutputTag<>("observations",
            org.apache.flink.api.common.typeinfo.TypeInformation.of(Observation.class)) {
    };

    /** Where the grids come from: opened once per operator instance. */
    @FunctionalInterface
    public interface GridSource extends Serializable {
        TelemetryParser.GridLookup open();

        /** The Dalian grids of the default configuration, cached under {@code cacheDir} ({@link GridCache}). */
        static GridSource dalian(String cacheDir) {
            return dalian(cacheDir, GridwatchConfig.defaults().grids());
        }

        /** The Dalian grids as {@code grids} configures them (the same cache file the CLI and ingest use). */
        static GridSource dalian(String cacheDir, GridwatchConfig.Grids grids) {
            double cell = grids.cellSizeM();
            double sliver = grids.sliverMaxM2();
            ArrayList<GridwatchConfig.ManagementArea> areas = new ArrayList<>(grids.managementAreas()); // Grids is not Serializable
            return () -> new GridIndex(GridCache.dalian(Path.of(cacheDir), new GridwatchConfig.Grids(cell, sliver, areas)))::lookup;
        }
    }

    /**
     * @param registryRefresh the longest a camera list is used, and the shortest time between two reads of it
     * @param renderThreads   threads rendering evidence pictures per subtask ({@link EvidenceRendering})
     */
    public record Settings(String jdbcUrl, String dbUser, GridSource grids, EvidencePictures.StoreFactory evidence,
                           Duration registryRefresh, int renderThreads) implements Serializable {
        /** Render threads per subtask when not told: two pictures at once, each using OpenCV's own threads too. */
        public static final int DEFAULT_RENDER_THREADS = 2;

        public Settings {
            Objects.requireNonNull(jdbcUrl, "jdbcUrl");
            Objects.requireNonNull(grids, "grids");
            Objects.requireNonNull(evidence, "evidence");
            Objects.requireNonNull(registryRefresh, "registryRefresh");
            if (renderThreads < 1) {
                throw new IllegalArgumentException("renderThreads must be at least 1, got " + renderThreads);
            }
        }

        public Settings(String jdbcUrl, String dbUser, GridSource grids, EvidencePictures.StoreFactory evidence,
                        Duration registryRefresh) {
            this(jdbcUrl, dbUser, grids, evidence, registryRefresh, DEFAULT_RENDER_THREADS);
        }

        /** These settings with {@code n} render threads per subtask. */
        public Settings withRenderThreads(int n) {
            return new Settings(jdbcUrl, dbUser, grids, evidence, registryRefresh, n);
        }
    }

    private final Settings settings;
    private transient TileAnalyser analyser;
    private transient TelemetryParser.GridLookup grids;
    private transient EvidenceStore evidence;
    private transient Database db;
    private transient Map<String, Camera> cameras;
    private transient long camerasReadAt;
    private transient Map<String, List<WatchedZone>> zones;
    private transient DwellRules rules;
    private transient ValueState<byte[]> sceneState;
    private transient ValueState<byte[]> referenceState;
    private transient Counter detections;
    private transient Counter badFrames;
    private transient Counter unknownCameras;

    public VideoDetectionFunction(Settings settings) {
        this.settings = Objects.requireNonNull(settings, "settings");
    }

    @Override
    public void open(OpenContext ctx) throws Exception {
        analyser = new TileAnalyser();
        grids = settings.grids().open();
        evidence = settings.evidence().open();
        db = Database.open(settings.jdbcUrl(), settings.dbUser());
        zones = new HashMap<>();
        readCameras();
        sceneState = getRuntimeContext().getState(SCENE);
        referenceState = getRuntimeContext().getState(REFERENCE);
        detections = getRuntimeContext().getMetricGroup().counter("camera_detections");
        badFrames = getRuntimeContext().getMetricGroup().counter("bad_frames");
        unknownCameras = getRuntimeContext().getMetricGroup().counter("frames_of_unknown_cameras");
    }

    @Override
    public void close() throws Exception {
        if (evidence != null) {
            evidence.close();
        }
        if (db != null) {
            db.close();
        }
    }

    @Override
    public void processElement(Frame frame, ReadOnlyContext ctx, Collector<RenderRequest> out) throws Exception {
        if (!frame.isValid()) {
            badFrames.inc();
            LOG.error("camera {}: frame not used: {}", frame.cameraId(), frame.problem());
            return;
        }
        Camera camera = camera(frame.cameraId());
        if (camera == null) {
            unknownCameras.inc();
            LOG.warn("camera {}: frame {} from a camera that is not registered (gridwatch cameras import); not used",
                    frame.cameraId(), frame.sequence());
            return;
        }
        BufferedImage img = TileAnalyser.decode(frame.jpeg()); // no larger than the models need
        if (img == null) {
            badFrames.inc();
            LOG.error("camera {}: frame {} is not a readable JPEG ({} bytes); not used", frame.cameraId(), frame.sequence(),
                    frame.jpeg().length);
            return;
        }
        long ts = frame.captureTime();
        if (camera.zones().stream().noneMatch(z -> z.schedule().map(s -> s.isActive(Instant.ofEpochMilli(ts))).orElse(true))) {
            return; // every zone idle: no need to run the models
        }
        byte[] bytes = sceneState.value();
        CameraScene scene = bytes == null ? new CameraScene() : CameraScene.fromBytes(bytes);
        byte[] refBytes = referenceState.value();
        ViewReference reference = refBytes == null ? new ViewReference() : ViewReference.fromBytes(refBytes);
        // zones only, changed tiles only; water and snow as they changed from the camera's own reference
        TileFrame tiles = analyser.analyse(camera.id(), img, ts, camera.zones(), scene.baseline(), reference);
        ArrayList<RenderRequest.Picture> pictures = new ArrayList<>(0);
        CameraScene.FrameResult result = scene.onFrame(camera.id(), tiles, zonesOf(camera, tiles),
                rules(ctx.getBroadcastState(DWELL_RULES)),
                (role, box) -> picture(camera.id(), frame, role, box, pictures),
                box -> place(camera, box));
        for (Detection d : result.detections()) {
            detections.inc();
            LOG.info("camera {} zone {}: {} {} (dwell {} s; frame taken {} ms ago)", camera.id(), d.source().zone(), d.state(),
                    d.problemKey(), d.value(), System.currentTimeMillis() - ts);
        }
        if (!pictures.isEmpty() || !result.detections().isEmpty()) {
            out.collect(new RenderRequest(camera.id(), frame.sequence(), ts, pictures.isEmpty() ? null : frame.jpeg(), pictures,
                    new ArrayList<>(result.detections())));
        }
        for (Observation o : result.observations()) {
            ctx.output(OBSERVATIONS, o);
        }
        sceneState.update(scene.toBytes());
        referenceState.update(reference.toBytes());
    }

    @Override
    public void processBroadcastElement(RuleChange change, Context ctx, Collector<RenderRequest> out) throws Exception {
        if (change.json() != null && !DwellRules.isDwell(change.json())) {
            return; // a sensor rule: SensorRulesFunction's
        }
        BroadcastState<String, String> state = ctx.getBroadcastState(DWELL_RULES);
        if (change.json() == null && !state.contains(change.ruleId())) {
            return; // not one of ours
        }
        DwellRules.Applied applied = rules(state).apply(change.ruleId(), change.json());
        switch (applied.outcome()) {
            case APPLIED -> {
                state.put(change.ruleId(), change.json());
                LOG.info("dwell rule {} changed; applies from the next frame", change.ruleId());
            }
            case DELETED -> {
                state.remove(change.ruleId());
                LOG.info("dwell rule {} deleted; its default (if any) applies again", change.ruleId());
            }
            case IGNORED -> LOG.error("ignoring dwell rule {} on the rules topic, it cannot work (the rule in force before stays): {}",
                    change.ruleId(), applied.reason());
        }
        rules = applied.rules();
    }

    private DwellRules rules(ReadOnlyBroadcastState<String, String> state) throws Exception {
        if (rules == null) {
            rules = DwellRules.replay(DwellRules.defaults(), state.immutableEntries());
        }
        return rules;
    }

    /**
     * Reserves the picture's URI and asks {@link EvidenceRendering} to make it: the tracker gets an evidence item whose
     * {@code sha256} is filled in once the picture is stored. The slot (what tells two pictures of one camera, moment and
     * role apart) is the box: the same frame, role and box give the same picture.
     */
    private Detection.Evidence picture(String cameraId, Frame frame, String role, double[] box,
                                       List<RenderRequest.Picture> pictures) {
        String slot = box == null ? "-" : String.format(java.util.Locale.ROOT, "%.4f,%.4f,%.4f,%.4f", box[0], box[1], box[2], box[3]);
        try {
            String uri = evidence.reserve(cameraId, Instant.ofEpochMilli(frame.captureTime()), role, slot).toString();
            pictures.add(new RenderRequest.Picture(uri, role, box == null ? null : box.clone()));
            return new Detection.Evidence(Detection.Evidence.FRAME, uri, frame.captureTime(), box, null);
        } catch (RuntimeException e) {
            // a case without one of its pictures is better than no case: say so, and go on
            LOG.error("camera {}: the {} evidence frame {} cannot be named: {}", cameraId, role, frame.sequence(), e.toString());
            return null;
        }
    }

    /** The ground point of the box's bottom centre (CONTRACTS.md §2), and its grid. */
    private ZoneTracker.Place place(Camera camera, double[] box) {
        GroundPoint g = camera.groundPoint(new ImagePoint((box[0] + box[2]) / 2, box[3]));
        Optional<GridLocation> loc = grids.lookup(g.lon(), g.lat());
        return new ZoneTracker.Place(g.lon(), g.lat(), loc.map(GridLocation::gridCode).orElse(null),
                loc.map(GridLocation::districtCode).orElse(null));
    }

    private List<WatchedZone> zonesOf(Camera camera, TileFrame tiles) {
        String key = camera.id() + "@" + tiles.width() + "x" + tiles.height();
        return zones.computeIfAbsent(key, k -> {
            List<WatchedZone> list = new ArrayList<>();
            for (CameraZone z : camera.zones()) {
                list.add(WatchedZone.of(z, tiles));
            }
            return list;
        });
    }

    private Camera camera(String id) {
        long now = System.currentTimeMillis();
        Camera c = cameras.get(id);
        if ((c == null || now - camerasReadAt > settings.registryRefresh().toMillis())
                && now - camerasReadAt > Math.min(settings.registryRefresh().toMillis(), 10_000)) {
            readCameras();
            c = cameras.get(id);
        }
        return c;
    }

    private void readCameras() {
        try {
            Map<String, Camera> next = new HashMap<>();
            for (CameraStore.StoredCamera s : new CameraStore(db.dataSource()).list()) {
                next.put(s.camera().id(), s.camera());
            }
            if (cameras != null && !next.equals(cameras)) {
                zones.clear(); // zones may have changed
            }
            cameras = next;
        } catch (RuntimeException e) {
            LOG.error("cannot read the cameras from PostgreSQL ({}); using the {} known", e.toString(),
                    cameras == null ? 0 : cameras.size());
            if (cameras == null) {
                cameras = new HashMap<>();
            }
        }
        camerasReadAt = System.currentTimeMillis();
    }
}
