package io.gridwatch.ingest.video;

import java.time.Duration;

/**
 * Lets a sampled frame through to analysis only when the picture inside the zones changed since
 * the last frame let through, or when {@code heartbeat} passed without one: a slow change (water
 * rising, snow settling) that never crosses the threshold between two samples is still seen,
 * because the reference is the last frame let through, not the previous sample.
 *
 * <p>Not thread-safe: one per camera stream.
 */
public final class ChangeGate {

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
        } else if (difference(thumbnail) >= threshold) {
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
