package io.gridwatch.video;

import io.gridwatch.detection.Detection;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Everything the video job keeps for one camera (its keyed state): the {@link SceneBaseline} and one
 * {@link ZoneTracker} per zone and object that is not idle. {@link #onFrame} turns one frame's tile scores into the
 * zones' {@link Observation}s and the trackers' {@link Detection}s.
 *
 * <p>Bounded by design: the baseline is {@link SceneBaseline#bytesPerTile()} bytes a tile (≈ 4.8 KB at 320×240),
 * and there is at most one tracker per zone and object (≈ 100 bytes, plus ≈ 200 for the "appeared" frame's URI and
 * hash while pending); {@link #toBytes()} is what a checkpoint holds.
 */
public final class CameraScene {

    private static final int FORMAT = 1;

    private final SceneBaseline baseline;
    private final TreeMap<String, ZoneTracker> trackers;
    private long lastTs;

    public CameraScene() {
        this(new SceneBaseline(), new TreeMap<>(), Long.MIN_VALUE);
    }

    private CameraScene(SceneBaseline baseline, TreeMap<String, ZoneTracker> trackers, long lastTs) {
        this.baseline = baseline;
        this.trackers = trackers;
        this.lastTs = lastTs;
    }

    /** What one frame gave. */
    public record FrameResult(List<Detection> detections, List<Observation> observations) {
        static final FrameResult NOTHING = new FrameResult(List.of(), List.of());
    }

    public SceneBaseline baseline() {
        return baseline;
    }

    /** The trackers that are not idle, by {@code zone/object}. */
    public Map<String, ZoneTracker> trackers() {
        return java.util.Collections.unmodifiableMap(trackers);
    }

    /**
     * Judges one frame. Frames not newer than the last one judged (a redelivery, or out of order) change nothing.
     *
     * @param zones the camera's zones over this frame's tiles
     */
    public FrameResult onFrame(String cameraId, TileFrame f, List<WatchedZone> zones, DwellRules rules,
                               ZoneTracker.Pictures pictures, ZoneTracker.Placement placement) {
        if (f.ts() <= lastTs) {
            return FrameResult.NOTHING;
        }
        lastTs = f.ts();
        if (!baseline.fits(f) || baseline.learning()) {
            baseline.learn(f);
            return FrameResult.NOTHING;
        }
        double[] diff = baseline.compare(f);
        boolean[] held = new boolean[f.tiles()];
        List<Detection> detections = new ArrayList<>();
        List<Observation> observations = new ArrayList<>();
        for (WatchedZone z : zones) {
            if (!z.activeAt(f.ts())) {
                continue;
            }
            for (DwellRule rule : rules.effective(cameraId, z.name(), z.purpose(), f.ts())) {
                WatchedObject o = rule.object();
                double best = 0;
                int bestTile = -1;
                double[] box = null;
                for (int i = 0; i < f.tiles(); i++) {
                    if (!z.tiles()[i] || !baseline.candidate(f, diff, i, o)) {
                        continue;
                    }
                    double s = f.scores()[i][o.ordinal()];
                    if (s > best) {
                        best = s;
                        bestTile = i;
                    }
                    if (s >= rule.minScore()) {
                        box = union(box, f.box(i));
                        held[i] = true;
                    }
                }
                boolean seen = box != null;
                double[] where = seen ? box : bestTile >= 0 ? f.box(bestTile) : null;
                ZoneTracker.Place place = where == null ? null : placement.place(where);
                observations.add(new Observation(Observation.SCHEMA, cameraId, z.name(), z.purpose().id(), o, f.ts(), best, where,
                        place == null ? null : place.lon(), place == null ? null : place.lat(),
                        place == null ? null : place.gridCode(), place == null ? null : place.districtCode()));
                String key = z.name() + "/" + o.id();
                ZoneTracker t = trackers.get(key);
                if (t == null && !seen) {
                    continue;
                }
                if (t == null) {
                    t = new ZoneTracker();
                    trackers.put(key, t);
                }
                detections.addAll(t.observe(cameraId, z.name(), rule, f.ts(), seen, box, best, pictures, placement));
            }
        }
        for (Iterator<ZoneTracker> it = trackers.values().iterator(); it.hasNext(); ) {
            ZoneTracker t = it.next();
            if (t.phase() == ZoneTracker.Phase.IDLE) {
                it.remove();
            } else if (t.box() != null) {
                hold(f, t.box(), held);
            }
        }
        baseline.follow(f, diff, held);
        return new FrameResult(detections, observations);
    }

    /** Marks the tiles overlapping {@code box}: the baseline must not learn what is being tracked. */
    private static void hold(TileFrame f, double[] box, boolean[] held) {
        for (int i = 0; i < f.tiles(); i++) {
            double[] b = f.box(i);
            if (b[0] < box[2] && b[2] > box[0] && b[1] < box[3] && b[3] > box[1]) {
                held[i] = true;
            }
        }
    }

    private static double[] union(double[] a, double[] b) {
        return a == null ? b : new double[] {Math.min(a[0], b[0]), Math.min(a[1], b[1]), Math.max(a[2], b[2]), Math.max(a[3], b[3])};
    }

    /** The state as bytes: what the video job checkpoints for the camera. */
    public byte[] toBytes() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(6 * 1024);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(FORMAT);
            out.writeLong(lastTs);
            baseline.write(out);
            out.writeShort(trackers.size());
            for (Map.Entry<String, ZoneTracker> e : trackers.entrySet()) {
                out.writeUTF(e.getKey());
                e.getValue().write(out);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    public static CameraScene fromBytes(byte[] b) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(b))) {
            int format = in.readByte();
            if (format != FORMAT) {
                throw new IllegalStateException("camera scene state of format " + format + ", expected " + FORMAT);
            }
            long last = in.readLong();
            SceneBaseline baseline = SceneBaseline.read(in);
            int n = in.readUnsignedShort();
            TreeMap<String, ZoneTracker> trackers = new TreeMap<>();
            for (int i = 0; i < n; i++) {
                trackers.put(in.readUTF(), ZoneTracker.read(in));
            }
            return new CameraScene(baseline, trackers, last);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
