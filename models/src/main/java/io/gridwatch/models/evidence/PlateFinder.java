package io.gridwatch.models.evidence;

import org.bytedeco.opencv.global.opencv_core;
import org.bytedeco.opencv.global.opencv_imgproc;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.MatVector;
import org.bytedeco.opencv.opencv_core.Rect;
import org.bytedeco.opencv.opencv_core.RotatedRect;
import org.bytedeco.opencv.opencv_core.Scalar;
import org.bytedeco.opencv.opencv_core.Size;

import java.util.ArrayList;
import java.util.List;

/**
 * 车牌 — Chinese licence plates found by colour and shape, which the Russian-plate cascade shipped with OpenCV misses:
 * 蓝牌 (blue, white characters), 黄牌 (yellow, black characters) and 绿牌 (new-energy green, black characters), all
 * 440×140 mm (aspect {@value #PLATE_ASPECT}). A candidate is a region of plate colour ({@link PlateColour}, HSV) whose
 * rotated rectangle has about the plate's aspect, which fills that rectangle, and inside which a line across the middle
 * crosses many light/dark edges, as seven characters make.
 */
public final class PlateFinder {

    /** 440 mm / 140 mm. */
    public static final double PLATE_ASPECT = 440.0 / 140.0;
    /** Aspects accepted: a plate seen at an angle looks shorter, a blurred one taller. */
    static final double MIN_ASPECT = 1.8;
    static final double MAX_ASPECT = 6.0;
    /** Share of the rotated rectangle that the coloured region must fill. */
    static final double MIN_FILL = 0.45;
    /** Smallest plate looked for, in pixels: below this the characters cannot be read anyway. */
    static final int MIN_HEIGHT_PX = 8;
    static final int MIN_WIDTH_PX = 24;
    /** Light/dark crossings along a middle line: seven characters with their strokes give well over this. */
    static final int MIN_CROSSINGS = 8;
    /** Grey levels between the characters and the plate (Otsu's two classes): plates are printed for contrast, bricks are not. */
    static final double MIN_CONTRAST = 70;

    /** The plate colours, as OpenCV HSV ranges (H 0..180). */
    public enum PlateColour {
        /** 蓝牌 — ordinary small vehicles. */
        BLUE(100, 130, 90, 50),
        /** 黄牌 — large vehicles, learners. */
        YELLOW(15, 34, 120, 130),
        /** 绿牌 — new-energy vehicles (a green-to-white gradient, so a lower saturation). */
        GREEN(35, 90, 40, 90);

        final int hueMin;
        final int hueMax;
        final int satMin;
        final int valMin;

        PlateColour(int hueMin, int hueMax, int satMin, int valMin) {
            this.hueMin = hueMin;
            this.hueMax = hueMax;
            this.satMin = satMin;
            this.valMin = valMin;
        }
    }

    /** One plate candidate: its upright bounding rectangle in pixels and its colour. */
    public record Plate(int x, int y, int width, int height, PlateColour colour) {
    }

    /** Plate candidates in a BGR picture. */
    public List<Plate> find(Mat bgr) {
        List<Plate> out = new ArrayList<>();
        try (Mat hsv = new Mat(); Mat gray = new Mat()) {
            opencv_imgproc.cvtColor(bgr, hsv, opencv_imgproc.COLOR_BGR2HSV);
            opencv_imgproc.cvtColor(bgr, gray, opencv_imgproc.COLOR_BGR2GRAY);
            for (PlateColour c : PlateColour.values()) {
                findColour(hsv, gray, c, out);
            }
        }
        return out;
    }

    private static void findColour(Mat hsv, Mat gray, PlateColour c, List<Plate> out) {
        // bounds as whole pictures: OpenCV reads a 1×1 three-channel Mat as an array, not as a scalar bound
        try (Mat lo = new Mat(hsv.size(), hsv.type(), new Scalar(c.hueMin, c.satMin, c.valMin, 0));
             Mat hi = new Mat(hsv.size(), hsv.type(), new Scalar(c.hueMax, 255, 255, 0));
             Mat mask = new Mat();
             Mat closeKernel = opencv_imgproc.getStructuringElement(opencv_imgproc.MORPH_RECT, new Size(9, 3));
             Mat openKernel = opencv_imgproc.getStructuringElement(opencv_imgproc.MORPH_RECT, new Size(3, 3));
             MatVector contours = new MatVector();
             Mat hierarchy = new Mat()) {
            opencv_core.inRange(hsv, lo, hi, mask);
            // close the gaps the characters cut into the plate colour, then drop specks
            opencv_imgproc.morphologyEx(mask, mask, opencv_imgproc.MORPH_CLOSE, closeKernel);
            opencv_imgproc.morphologyEx(mask, mask, opencv_imgproc.MORPH_OPEN, openKernel);
            opencv_imgproc.findContours(mask, contours, hierarchy, opencv_imgproc.RETR_EXTERNAL, opencv_imgproc.CHAIN_APPROX_SIMPLE);
            for (long i = 0; i < contours.size(); i++) {
                Mat contour = contours.get(i);
                Rect r = opencv_imgproc.boundingRect(contour);
                if (r.height() < MIN_HEIGHT_PX || r.width() < MIN_WIDTH_PX || r.width() > hsv.cols() / 2) {
                    continue;
                }
                RotatedRect rr = opencv_imgproc.minAreaRect(contour);
                double w = Math.max(rr.size().width(), rr.size().height());
                double h = Math.min(rr.size().width(), rr.size().height());
                if (h <= 0) {
                    continue;
                }
                double aspect = w / h;
                double fill = opencv_imgproc.contourArea(contour) / (w * h);
                if (aspect < MIN_ASPECT || aspect > MAX_ASPECT || fill < MIN_FILL) {
                    continue;
                }
                if (crossings(gray, r) >= MIN_CROSSINGS && contrast(gray, r) >= MIN_CONTRAST) {
                    out.add(new Plate(r.x(), r.y(), r.width(), r.height(), c));
                }
            }
        }
    }

    /** Difference of the mean grey levels of the region's light and dark parts (split by Otsu's threshold). */
    static double contrast(Mat gray, Rect r) {
        try (Mat roi = new Mat(gray, r); Mat bin = new Mat(); Mat inv = new Mat()) {
            opencv_imgproc.threshold(roi, bin, 0, 255, opencv_imgproc.THRESH_BINARY | opencv_imgproc.THRESH_OTSU);
            opencv_core.bitwise_not(bin, inv);
            if (opencv_core.countNonZero(bin) == 0 || opencv_core.countNonZero(inv) == 0) {
                return 0;
            }
            return opencv_core.mean(roi, bin).get(0) - opencv_core.mean(roi, inv).get(0);
        }
    }

    /** Most light/dark crossings along three lines at 40, 50 and 60 % of the region's height (Otsu threshold). */
    static int crossings(Mat gray, Rect r) {
        try (Mat roi = new Mat(gray, r); Mat bin = new Mat()) {
            opencv_imgproc.threshold(roi, bin, 0, 255, opencv_imgproc.THRESH_BINARY | opencv_imgproc.THRESH_OTSU);
            int best = 0;
            byte[] row = new byte[bin.cols()];
            for (double f : new double[] {0.4, 0.5, 0.6}) {
                int y = Math.min(bin.rows() - 1, (int) Math.round(f * (bin.rows() - 1)));
                bin.ptr(y).get(row);
                int n = 0;
                for (int x = 1; x < row.length; x++) {
                    if (row[x] != row[x - 1]) {
                        n++;
                    }
                }
                best = Math.max(best, n);
            }
            return best;
        }
    }
}
