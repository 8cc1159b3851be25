package io.gridwatch.ingest.video;

import java.time.Duration;

/**
 * Lets a sampled frame through to analysis only when the picture inside the zones changed since
 * the last frame let through, or when {@code heartbeat} passed without one: a slow change (water
 * rising, snow settling) that never crosses the threshold between two samples is still seen,
 * because the reference is the last frame let through, not the previous sample.
 *
 * <p>Changed means either of two things: the mean grey difference over the zones reaches the
 * threshold (a change spread over the zones: water, snow, light), or at least
 * {@link #MIN_CHANGED_SHARE} of the zones' cells (and {@link #MIN_CHANGED_CELLS}) changed by
 * {@link #CELL_DELTA} grey levels or more (a thing set down in a corner of a large zone: a bag of
 * garbage, a stall, which moves the mean over the zone too little).
 *
 * <p>Not thread-safe: one per camera stream.
 */
public final class ChangeGate {

    /** Grey levels (0..255) by which one cell of the grid must differ to count as changed. */
    public static final int CELL_DELTA = 24;
    /** Share of the zones' cells that must change for a local change to pass. */
    public static final double MIN_CHANGED_SHARE = 0.004;
    /** Fewest changed cells that count as a local change (one or two are codec noise or a bird). */
    public static final int MIN_CHANGED_CELLS = 3;

    private final ZoneMask mask;
    private final double threshold;
    private final long heartbeatMicros;
    private int[] reference;
    private long referenceAt;

    /**
     * @param threshold mean absolute grey difference inside the zones, 0..1 of full scale, from which a frame counts as changed
     * @param heartbeat the longest time (stream time) without a frame let through
     */
    public ChangeGate(ZoneMask mask, double threshold, Duration heartbeat) {
        if (!(threshold > 0 && threshold < 1)) {
            throw new IllegalArgumentException("change threshold must be in (0, 1), was " + threshold);
        }
        if (heartbeat.isNegative() || heartbeat.isZero()) {
            throw new IllegalArgumentException("change gate heartbeat must be positive, was " + heartbeat);
        }
        this.mask = mask;
        this.threshold = threshold;
        this.heartbeatMicros = heartbeat.toNanos() / 1000;
    }

    /** Why a frame was let through or not. */
    public enum Verdict {
        FIRST, CHANGED, HEARTBEAT, UNCHANGED;

        public boolean pass() {
            return this != UNCHANGED;
        }
    }

    /**
     * Judges a thumbnail of the mask's size taken at {@code atMicros} (stream time); a frame let
     * through becomes the new reference.
     */
    public Verdict judge(int[] thumbnail, long atMicros) {
        if (thumbnail.length != mask.width() * mask.height()) {
            throw new IllegalArgumentException("thumbnail has " + thumbnail.length + " cells, the mask " + mask.width() * mask.height());
        }
        Verdict v;
        if (reference == null) {
            v = Verdict.FIRST;
        } else if (difference(thumbnail) >= threshold || changedCells(thumbnail) >= Math.max(MIN_CHANGED_CELLS,
                Math.ceil(MIN_CHANGED_SHARE * mask.count()))) {
            v = Verdict.CHANGED;
        } else if (atMicros - referenceAt >= heartbeatMicros || atMicros < referenceAt) { // a looped file or a new connection restarts time
            v = Verdict.HEARTBEAT;
        } else {
            return Verdict.UNCHANGED;
        }
        reference = thumbnail;
        referenceAt = atMicros;
        return v;
    }

    /** Cells inside the zones whose grey level differs from the reference by {@link #CELL_DELTA} or more. */
    public int changedCells(int[] thumbnail) {
        if (reference == null) {
            return mask.count();
        }
        int n = 0;
        int w = mask.width();
        for (int y = 0; y < mask.height(); y++) {
            for (int x = 0; x < w; x++) {
                if (mask.inside(x, y) && Math.abs(thumbnail[y * w + x] - reference[y * w + x]) >= CELL_DELTA) {
                    n++;
                }
            }
        }
        return n;
    }

    /** Mean absolute grey difference to the reference inside the zones, 0..1; 1 before any reference. */
    public double difference(int[] thumbnail) {
        if (reference == null) {
            return 1;
        }
        long sum = 0;
        int w = mask.width();
        for (int y = 0; y < mask.height(); y++) {
            for (int x = 0; x < w; x++) {
                if (mask.inside(x, y)) {
                    sum += Math.abs(thumbnail[y * w + x] - reference[y * w + x]);
                }
            }
        }
        return sum / (255.0 * mask.count());
    }
}
