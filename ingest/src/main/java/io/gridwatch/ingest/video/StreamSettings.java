package io.gridwatch.ingest.video;

import java.time.Duration;
import java.util.Objects;

/**
 * How a camera stream is read and sampled. {@link #DEFAULTS} are the issue's: one frame every 2 s,
 * key frames where the stream has them often enough, a frame let through at least once a minute.
 *
 * @param sampleInterval  stream time between two sampled frames
 * @param keyFramesOnly   decode only key frames (FFmpeg {@code skip_frame=nokey}); a stream that opened and then failed without a single key frame is read frame by frame from then on
 * @param changeThreshold the change gate's threshold, 0..1 of full grey scale ({@link ChangeGate})
 * @param heartbeat       the longest stream time without a frame let through
 * @param maskWidth       width of the change gate's grey grid
 * @param maskHeight      height of the change gate's grey grid
 * @param maxSide         the JPEG's longest side in pixels; larger pictures are scaled down
 * @param jpegQuality     JPEG quality 0..1
 * @param stallTimeout    no frame for this long (wall time) counts as a failure and reconnects
 * @param backoffMin      first wait after a failure
 * @param backoffMax      the longest wait; waits double from {@code backoffMin} up to it and reset after a frame
 * @param rtspTransport   {@code tcp} or {@code udp}
 * @param paceFiles       read files at their own frame rate, as a camera would send them (false: as fast as they decode)
 */
public record StreamSettings(Duration sampleInterval, boolean keyFramesOnly, double changeThreshold,
                             Duration heartbeat, int maskWidth, int maskHeight, int maxSide, float jpegQuality,
                             Duration stallTimeout, Duration backoffMin, Duration backoffMax, String rtspTransport, boolean paceFiles) {

    public static final StreamSettings DEFAULTS = new StreamSettings(Duration.ofSeconds(2), true, 0.02,
            Duration.ofSeconds(60), 64, 36, 1280, 0.8f, Duration.ofSeconds(10), Duration.ofSeconds(1), Duration.ofSeconds(30), "tcp", true);

    public StreamSettings {
        positive(sampleInterval, "sample_interval");
        positive(heartbeat, "heartbeat");
        positive(stallTimeout, "stall_timeout");
        positive(backoffMin, "backoff_min");
        positive(backoffMax, "backoff_max");
        if (backoffMax.compareTo(backoffMin) < 0) {
            throw new IllegalArgumentException("backoff_max " + backoffMax + " is shorter than backoff_min " + backoffMin);
        }
        if (!(changeThreshold > 0 && changeThreshold < 1)) {
            throw new IllegalArgumentException("change_threshold must be in (0, 1), was " + changeThreshold);
        }
        if (maskWidth < 4 || maskHeight < 4 || maskWidth > 512 || maskHeight > 512) {
            throw new IllegalArgumentException("change grid must be 4..512 cells a side, was " + maskWidth + "x" + maskHeight);
        }
        if (maxSide < 64 || maxSide > 4096) {
            throw new IllegalArgumentException("max_side must be 64..4096 pixels, was " + maxSide);
        }
        if (!(jpegQuality > 0 && jpegQuality <= 1)) {
            throw new IllegalArgumentException("jpeg_quality must be in (0, 1], was " + jpegQuality);
        }
        Objects.requireNonNull(rtspTransport, "rtsp_transport");
        if (!rtspTransport.equals("tcp") && !rtspTransport.equals("udp")) {
            throw new IllegalArgumentException("rtsp_transport must be tcp or udp, was '" + rtspTransport + "'");
        }
    }

    private static void positive(Duration d, String key) {
        if (d == null || d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(key + " must be a positive duration, was " + d);
        }
    }

    public StreamSettings withSampleInterval(Duration d) {
        return new StreamSettings(d, keyFramesOnly, changeThreshold, heartbeat, maskWidth, maskHeight, maxSide, jpegQuality,
                stallTimeout, backoffMin, backoffMax, rtspTransport, paceFiles);
    }

    public StreamSettings withKeyFramesOnly(boolean b) {
        return new StreamSettings(sampleInterval, b, changeThreshold, heartbeat, maskWidth, maskHeight, maxSide, jpegQuality,
                stallTimeout, backoffMin, backoffMax, rtspTransport, paceFiles);
    }

    public StreamSettings withChangeThreshold(double t) {
        return new StreamSettings(sampleInterval, keyFramesOnly, t, heartbeat, maskWidth, maskHeight, maxSide, jpegQuality,
                stallTimeout, backoffMin, backoffMax, rtspTransport, paceFiles);
    }

    public StreamSettings withHeartbeat(Duration d) {
        return new StreamSettings(sampleInterval, keyFramesOnly, changeThreshold, d, maskWidth, maskHeight, maxSide, jpegQuality,
                stallTimeout, backoffMin, backoffMax, rtspTransport, paceFiles);
    }

    public StreamSettings withTimeouts(Duration stall, Duration backoffMin, Duration backoffMax) {
        return new StreamSettings(sampleInterval, keyFramesOnly, changeThreshold, heartbeat, maskWidth, maskHeight, maxSide, jpegQuality,
                stall, backoffMin, backoffMax, rtspTransport, paceFiles);
    }

    public StreamSettings withPaceFiles(boolean b) {
        return new StreamSettings(sampleInterval, keyFramesOnly, changeThreshold, heartbeat, maskWidth, maskHeight, maxSide, jpegQuality,
                stallTimeout, backoffMin, backoffMax, rtspTransport, b);
    }

    public StreamSettings withRtspTransport(String t) {
        return new StreamSettings(sampleInterval, keyFramesOnly, changeThreshold, heartbeat, maskWidth, maskHeight, maxSide, jpegQuality,
                stallTimeout, backoffMin, backoffMax, t, paceFiles);
    }
}
