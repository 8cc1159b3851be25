package io.gridwatch.video;

import io.gridwatch.detection.Detection;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * 驻留判定 — appear-and-stay for one object in one camera zone: from the frames' "seen / not seen" to raised,
 * update and cleared {@link Detection}s under a {@link DwellRule}.
 *
 * <pre>
 * IDLE ──seen──► PENDING (the "appeared" frame is stored)
 * PENDING ──seen for stay_s, gaps ≤ max_gap_s──► RAISED (the "confirmed" frame; a raised detection)
 * PENDING ──unseen longer than max_gap_s──► IDLE (someone walked through; nothing raised)
 * RAISED ──seen, latest_every_s after the last──► a "latest" frame, an update detection
 * RAISED ──unseen for clear_s──► IDLE (the "cleared" frame; a cleared detection: the case ends, auto-verified)
 * </pre>
 * Plain, serialisable state (a few hundred bytes: times, a box, and the URIs and hashes of its evidence frames —
 * never pictures), kept in the video job's keyed state.
 */
public final class ZoneTracker {

    /** Where a tracked object stands. */
    public enum Phase { IDLE, PENDING, RAISED }

    /**
     * Stores one evidence picture of the current frame with {@code box} drawn; null when it could not be stored. The
     * item's {@code sha256} may be null while the picture is still being rendered: whoever renders it fills it in
     * (the video job's evidence stage) before the detection leaves the job.
     */
    @FunctionalInterface
    public interface Pictures {
        Detection.Evidence store(String role, double[] box);
    }

    /** Where a box of the image lies: the ground point of its bottom centre, and its unit grid. */
    public record Place(double lon, double lat, String gridCode, String districtCode) {
    }

    @FunctionalInterface
    public interface Placement {
        Place place(double[] box);
    }

    /** The evidence roles (CONTRACTS.md §4 evidence, issue 12 point 3). */
    public static final String APPEARED = "appeared";
    public static final String CONFIRMED = "confirmed";
    public static final String LATEST = "latest";
    public static final String CLEARED = "cleared";

    private Phase phase = Phase.IDLE;
    private long appearedAt;
    private long lastSeenAt;
    private long raisedAt;
    private long lastLatestAt;
    private double score;
    private double[] box;
    private String ruleId;
    private Detection.Evidence appeared;

    public Phase phase() {
        return phase;
    }

    /** The last box seen, or null while idle. */
    public double[] box() {
        return box;
    }

    public long appearedAt() {
        return appearedAt;
    }

    /**
     * One frame of the zone.
     *
     * @param seen  whether the object was seen (a candidate scoring at least the rule's {@code min_score})
     * @param seenBox where, when seen
     */
    public List<Detection> observe(String cameraId, String zone, DwellRule rule, long ts, boolean seen, double[] seenBox,
                                   double seenScore, Pictures pictures, Placement placement) {
        List<Detection> out = new ArrayList<>(1);
        switch (phase) {
            case IDLE -> {
                if (seen) {
                    phase = Phase.PENDING;
                    appearedAt = ts;
                    lastSeenAt = ts;
                    score = seenScore;
                    box = seenBox;
                    appeared = pictures.store(APPEARED, seenBox);
                    if (rule.stayS() == 0) {
                        raise(cameraId, zone, rule, ts, pictures, placement, out);
                    }
                }
            }
            case PENDING -> {
                if (seen) {
                    lastSeenAt = ts;
                    score = Math.max(score, seenScore);
                    box = seenBox;
                    if (ts - appearedAt >= rule.stayS() * 1000L) {
                        raise(cameraId, zone, rule, ts, pictures, placement, out);
                    }
                } else if (ts - lastSeenAt > rule.maxGapS() * 1000L) {
                    reset();
                }
            }
            case RAISED -> {
                if (seen) {
                    lastSeenAt = ts;
                    box = seenBox;
                    score = Math.max(score, seenScore);
                    if (ts - lastLatestAt >= rule.latestEveryS() * 1000L) {
                        lastLatestAt = ts;
                        out.add(detection(cameraId, zone, rule, Detection.State.UPDATE, ts, appearedAt,
                                evidence(pictures.store(LATEST, seenBox)), placement));
                    }
                } else if (ts - lastSeenAt >= rule.clearS() * 1000L) {
                    out.add(detection(cameraId, zone, rule, Detection.State.CLEARED, ts, lastSeenAt,
                            evidence(pictures.store(CLEARED, box)), placement));
                    reset();
                }
            }
        }
        return out;
    }

    private void raise(String cameraId, String zone, DwellRule rule, long ts, Pictures pictures, Placement placement,
                       List<Detection> out) {
        phase = Phase.RAISED;
        raisedAt = ts;
        lastLatestAt = ts;
        ruleId = rule.ruleId();
        out.add(detection(cameraId, zone, rule, Detection.State.RAISED, ts, appearedAt,
                evidence(appeared, pictures.store(CONFIRMED, box)), placement));
        appeared = null; // the case carries it now: state keeps no evidence it no longer needs
    }

    private void reset() {
        phase = Phase.IDLE;
        appearedAt = lastSeenAt = raisedAt = lastLatestAt = 0;
        score = 0;
        box = null;
        ruleId = null;
        appeared = null;
    }

    private static ArrayList<Detection.Evidence> evidence(Detection.Evidence... items) {
        ArrayList<Detection.Evidence> out = new ArrayList<>();
        for (Detection.Evidence e : items) {
            if (e != null) {
                out.add(e);
            }
        }
        return out;
    }

    /** The problem a zone's object is: one case per camera, zone and object ({@code camera:<id>:<zone>:<object>}). */
    public static String problemKey(String cameraId, String zone, WatchedObject object) {
        return "camera:" + cameraId + ":" + zone + ":" + object.id();
    }

    private Detection detection(String cameraId, String zone, DwellRule rule, Detection.State state, long ts, long startedAt,
                                ArrayList<Detection.Evidence> evidence, Placement placement) {
        Place p = placement.place(box);
        String id = cameraId + "/" + zone + "/" + rule.object().id() + "/" + appearedAt + "/" + state
                + (state == Detection.State.UPDATE ? "/" + ts : "");
        return new Detection(Detection.SCHEMA, id, Detection.Source.camera(cameraId, zone),
                ruleId != null ? ruleId : rule.ruleId(), state, problemKey(cameraId, zone, rule.object()), rule.category(), null,
                rule.team(), null, ts, startedAt, Math.min(1, Math.max(0, score)), p.lon(), p.lat(), p.gridCode(),
                p.districtCode(), "dwell_s", (ts - appearedAt) / 1000.0, "s", evidence, null, null);
    }

    void write(DataOutput out) throws IOException {
        out.writeByte(phase.ordinal());
        out.writeLong(appearedAt);
        out.writeLong(lastSeenAt);
        out.writeLong(raisedAt);
        out.writeLong(lastLatestAt);
        out.writeFloat((float) score);
        out.writeBoolean(box != null);
        if (box != null) {
            for (double v : box) {
                out.writeFloat((float) v);
            }
        }
        writeText(out, ruleId);
        out.writeBoolean(appeared != null);
        if (appeared != null) {
            writeText(out, appeared.uri());
            out.writeLong(appeared.ts() == null ? 0 : appeared.ts());
            writeText(out, appeared.sha256());
            for (double v : appeared.box()) {
                out.writeFloat((float) v);
            }
        }
    }

    static ZoneTracker read(DataInput in) throws IOException {
        ZoneTracker t = new ZoneTracker();
        t.phase = Phase.values()[in.readByte()];
        t.appearedAt = in.readLong();
        t.lastSeenAt = in.readLong();
        t.raisedAt = in.readLong();
        t.lastLatestAt = in.readLong();
        t.score = in.readFloat();
        if (in.readBoolean()) {
            t.box = new double[] {in.readFloat(), in.readFloat(), in.readFloat(), in.readFloat()};
        }
        t.ruleId = readText(in);
        if (in.readBoolean()) {
            String uri = readText(in);
            long ts = in.readLong();
            String sha = readText(in);
            double[] b = {in.readFloat(), in.readFloat(), in.readFloat(), in.readFloat()};
            // no hash yet while the picture is still being rendered (the video job renders off the detection path)
            t.appeared = new Detection.Evidence(Detection.Evidence.FRAME, uri, ts, b, sha);
        }
        return t;
    }

    static void writeText(DataOutput out, String s) throws IOException {
        out.writeBoolean(s != null);
        if (s != null) {
            out.writeUTF(s);
        }
    }

    static String readText(DataInput in) throws IOException {
        return in.readBoolean() ? in.readUTF() : null;
    }
}
