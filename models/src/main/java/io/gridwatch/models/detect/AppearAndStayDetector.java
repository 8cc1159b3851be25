package io.gridwatch.models.detect;

import io.gridwatch.models.Box;
import io.gridwatch.models.DetectedObject;
import io.gridwatch.models.Detector;
import io.gridwatch.models.DetectorConfig;
import io.gridwatch.models.tiles.Tiles;
import org.bytedeco.opencv.global.opencv_core;
import org.bytedeco.opencv.global.opencv_imgproc;
import org.bytedeco.opencv.global.opencv_video;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Size;
import org.bytedeco.opencv.opencv_video.BackgroundSubtractorMOG2;

import java.awt.image.BufferedImage;
import java.nio.IntBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * The OpenCV background-subtraction backend ({@code type: appear-and-stay}): something that was
 * not there before and has stayed at least {@code stay_seconds} — a stall set up, a pile dumped —
 * while people and cars passing by (foreground for a frame or two) and shadows (MOG2 marks them
 * apart) are ignored. One instance per camera: it learns that camera's empty scene.
 *
 * <p>MOG2 learns slowly on purpose (a fixed rate of 1/{@code history_frames} after the first
 * frames, and a background ratio of 0.6): a stall that stays 20 minutes must not fade into the
 * background, and when it is taken away the old background is still known, so the region clears.
 */
public final class AppearAndStayDetector implements Detector {

    public static final String LABEL = "stationary_object";
    private static final int WARM_UP_FRAMES = 10;

    private final DetectorConfig.AppearAndStay config;
    private final BackgroundSubtractorMOG2 mog;
    private final Mat kernelOpen = opencv_imgproc.getStructuringElement(opencv_imgproc.MORPH_ELLIPSE, new Size(3, 3));
    private final Mat kernelClose = opencv_imgproc.getStructuringElement(opencv_imgproc.MORPH_ELLIPSE, new Size(7, 7));
    private long[] firstSeen;
    private long[] lastSeen;
    private int frames;

    public AppearAndStayDetector(DetectorConfig.AppearAndStay config) {
        this.config = config;
        this.mog = opencv_video.createBackgroundSubtractorMOG2(config.historyFrames(), 25, true);
        mog.setBackgroundRatio(0.6);
    }

    @Override
    public String type() {
        return config.type();
    }

    @Override
    public List<DetectedObject> detect(BufferedImage frame, long ts) {
        BufferedImage work = Tiles.workFrame(frame);
        int w = work.getWidth();
        int h = work.getHeight();
        if (firstSeen == null || firstSeen.length != w * h) {
            firstSeen = new long[w * h];
            lastSeen = new long[w * h];
            frames = 0;
        }
        Mat img = Mats.bgr(work);
        Mat blur = new Mat();
        opencv_imgproc.GaussianBlur(img, blur, new Size(5, 5), 0);
        Mat fg = new Mat();
        mog.apply(blur, fg, frames < WARM_UP_FRAMES ? -1 : 1.0 / config.historyFrames());
        frames++;
        // 255 foreground, 127 shadow, 0 background: shadows are not objects
        opencv_imgproc.threshold(fg, fg, 200, 255, opencv_imgproc.THRESH_BINARY);
        opencv_imgproc.morphologyEx(fg, fg, opencv_imgproc.MORPH_OPEN, kernelOpen);
        opencv_imgproc.morphologyEx(fg, fg, opencv_imgproc.MORPH_CLOSE, kernelClose);
        byte[] f = Mats.bytes(fg);
        long gap = (long) (config.maxGapSeconds() * 1000);
        long stay = (long) (config.staySeconds() * 1000);
        int fgCount = 0;
        Mat stayed = new Mat(h, w, opencv_core.CV_8UC1);
        byte[] st = new byte[w * h];
        for (int i = 0; i < f.length; i++) {
            if (f[i] != 0) {
                fgCount++;
                if (firstSeen[i] == 0) {
                    firstSeen[i] = ts;
                }
                lastSeen[i] = ts;
            } else if (firstSeen[i] != 0 && ts - lastSeen[i] > gap) {
                firstSeen[i] = 0;
            }
            if (firstSeen[i] != 0 && f[i] != 0 && ts - firstSeen[i] >= stay) {
                st[i] = (byte) 255;
            }
        }
        if (frames <= WARM_UP_FRAMES || fgCount > 0.6 * f.length) {
            return List.of(); // still learning the scene, or the whole picture changed (light switched, camera moved)
        }
        stayed.data().put(st);
        Mat labels = new Mat();
        Mat stats = new Mat();
        Mat centroids = new Mat();
        int n = opencv_imgproc.connectedComponentsWithStats(stayed, labels, stats, centroids, 8, opencv_core.CV_32S);
        IntBuffer s = stats.createBuffer();
        List<DetectedObject> out = new ArrayList<>();
        int cols = stats.cols();
        for (int c = 1; c < n; c++) {
            int x = s.get(c * cols + opencv_imgproc.CC_STAT_LEFT);
            int y = s.get(c * cols + opencv_imgproc.CC_STAT_TOP);
            int bw = s.get(c * cols + opencv_imgproc.CC_STAT_WIDTH);
            int bh = s.get(c * cols + opencv_imgproc.CC_STAT_HEIGHT);
            int area = s.get(c * cols + opencv_imgproc.CC_STAT_AREA);
            if (area < config.minAreaFraction() * w * h) {
                continue;
            }
            long since = Long.MAX_VALUE;
            for (int yy = y; yy < y + bh; yy++) {
                for (int xx = x; xx < x + bw; xx++) {
                    if (st[yy * w + xx] != 0) {
                        since = Math.min(since, firstSeen[yy * w + xx]);
                    }
                }
            }
            // confidence grows with how long it has stayed: 0.5 at stay_seconds, 1 at twice that
            double score = stay == 0 ? 1 : Math.min(1, (ts - since) / (2.0 * stay));
            out.add(new DetectedObject(LABEL, score, Box.ofPixels(x, y, x + bw, y + bh, w, h)));
        }
        for (Mat m : new Mat[] {img, blur, fg, stayed, labels, stats, centroids}) {
            m.close();
        }
        return out;
    }

    @Override
    public void close() {
        mog.close();
        kernelOpen.close();
        kernelClose.close();
    }
}
