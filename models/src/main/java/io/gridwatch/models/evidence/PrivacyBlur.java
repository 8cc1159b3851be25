package io.gridwatch.models.evidence;

import org.bytedeco.javacpp.Loader;
import org.bytedeco.opencv.global.opencv_core;
import org.bytedeco.opencv.global.opencv_imgproc;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Rect;
import org.bytedeco.opencv.opencv_core.RectVector;
import org.bytedeco.opencv.opencv_core.Size;
import org.bytedeco.opencv.opencv_objdetect.CascadeClassifier;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Blurs faces and licence plates out of a picture before it is kept as evidence. A missed face is a privacy breach and
 * a blurred wall is not, so this looks wide: four face cascades (Haar frontal {@code alt2} and {@code default}, LBP
 * frontal {@code improved}, Haar profile on the picture and on its mirror image, for faces turned either way), run on
 * the picture doubled in size when it is small, with few neighbours required; plates by the Russian-plate cascade and by
 * {@link PlateFinder}'s colour-and-shape search for Chinese plates. Every region found is enlarged by a margin and
 * pixelated, then smoothed, so that nothing of a face's or plate's detail is left.
 *
 * <p>The cascades ship inside the JavaCV opencv jar (DEPENDENCIES.md). Not thread-safe (OpenCV's cascades keep
 * scratch state): one instance per thread or operator.
 */
public final class PrivacyBlur implements AutoCloseable {

    /** What a blurred region was found as. */
    public enum Kind { FACE, PLATE }

    /** One region blurred, in pixels of the picture, before the margin; {@code how} names the finder. */
    public record Region(Kind kind, int x, int y, int width, int height, String how) {
    }

    /** Extra border around a face (hair, chin, ears beyond the cascade's square), as a share of its size on each side. */
    static final double FACE_MARGIN = 0.30;
    /** Extra border around a plate (frame, screws, a slightly wrong box), as a share of its size on each side. */
    static final double PLATE_MARGIN = 0.20;
    /** Pixelation cells across a region's longer side: too few for a face or a plate character to be recognised. */
    static final int CELLS = 6;
    /** Pictures narrower than this are searched doubled in size, so that faces of 10–20 px are found too. */
    static final int UPSCALE_BELOW_WIDTH = 800;
    /** Smallest face looked for, in pixels of the searched picture (the cascades' own window is 20–24 px). */
    static final int MIN_FACE_PX = 20;
    /** Neighbouring hits a face needs: low, for recall. */
    static final int FACE_NEIGHBOURS = 3;
    /** Step between the sizes the cascades search (OpenCV's {@code scaleFactor}). */
    static final double SCALE_FACTOR = 1.1;

    private final double scaleFactor;

    public PrivacyBlur() {
        this(SCALE_FACTOR);
    }

    /** With another step between searched sizes: for measuring what a coarser search costs in recall and saves in time. */
    PrivacyBlur(double scaleFactor) {
        if (scaleFactor <= 1) {
            throw new IllegalArgumentException("scale factor must be above 1, got " + scaleFactor);
        }
        this.scaleFactor = scaleFactor;
    }

    private static final String CASCADES = "/org/bytedeco/opencv/" + Loader.getPlatform() + "/share/opencv4/";

    private final CascadeClassifier frontalAlt2 = cascade("haarcascades/haarcascade_frontalface_alt2.xml");
    private final CascadeClassifier frontalDefault = cascade("haarcascades/haarcascade_frontalface_default.xml");
    private final CascadeClassifier frontalLbp = cascade("lbpcascades/lbpcascade_frontalface_improved.xml");
    private final CascadeClassifier profile = cascade("haarcascades/haarcascade_profileface.xml");
    private final CascadeClassifier plateRus = cascade("haarcascades/haarcascade_russian_plate_number.xml");
    private final PlateFinder plates = new PlateFinder();

    private static CascadeClassifier cascade(String name) {
        try {
            File f = Loader.cacheResource(CASCADES + name);
            CascadeClassifier c = new CascadeClassifier(f.getAbsolutePath());
            if (c.empty()) {
                throw new IllegalStateException("OpenCV could not load the cascade " + f);
            }
            return c;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot extract the cascade " + name + " from the JavaCV opencv jar", e);
        }
    }

    /** The faces and plates in a BGR picture. */
    public List<Region> find(Mat bgr) {
        List<Region> found = new ArrayList<>();
        double scale = bgr.cols() < UPSCALE_BELOW_WIDTH ? 2.0 : 1.0;
        try (Mat gray = new Mat(); Mat searched = new Mat(); Mat mirrored = new Mat()) {
            opencv_imgproc.cvtColor(bgr, gray, opencv_imgproc.COLOR_BGR2GRAY);
            if (scale != 1.0) {
                opencv_imgproc.resize(gray, searched, new Size(), scale, scale, opencv_imgproc.INTER_LINEAR);
            } else {
                gray.copyTo(searched);
            }
            opencv_imgproc.equalizeHist(searched, searched);
            detect(frontalAlt2, searched, scale, false, Kind.FACE, "haar-frontal-alt2", MIN_FACE_PX, FACE_NEIGHBOURS, found);
            detect(frontalDefault, searched, scale, false, Kind.FACE, "haar-frontal-default", MIN_FACE_PX, FACE_NEIGHBOURS + 1, found);
            detect(frontalLbp, searched, scale, false, Kind.FACE, "lbp-frontal-improved", MIN_FACE_PX, FACE_NEIGHBOURS, found);
            detect(profile, searched, scale, false, Kind.FACE, "haar-profile", MIN_FACE_PX, FACE_NEIGHBOURS, found);
            opencv_core.flip(searched, mirrored, 1);
            detect(profile, mirrored, scale, true, Kind.FACE, "haar-profile-mirrored", MIN_FACE_PX, FACE_NEIGHBOURS, found);
            detect(plateRus, searched, scale, false, Kind.PLATE, "haar-russian-plate", 24, FACE_NEIGHBOURS, found);
        }
        for (PlateFinder.Plate p : plates.find(bgr)) {
            found.add(new Region(Kind.PLATE, p.x(), p.y(), p.width(), p.height(), "colour-" + p.colour().name().toLowerCase()));
        }
        return found;
    }

    private void detect(CascadeClassifier c, Mat searched, double scale, boolean mirrored, Kind kind, String how,
                        int minPx, int neighbours, List<Region> out) {
        try (RectVector hits = new RectVector()) {
            c.detectMultiScale(searched, hits, scaleFactor, neighbours, 0, new Size(minPx, minPx), new Size());
            for (long i = 0; i < hits.size(); i++) {
                Rect r = hits.get(i);
                int x = mirrored ? searched.cols() - r.x() - r.width() : r.x();
                out.add(new Region(kind, (int) Math.floor(x / scale), (int) Math.floor(r.y() / scale),
                        (int) Math.ceil(r.width() / scale), (int) Math.ceil(r.height() / scale), how));
            }
        }
    }

    private static final java.util.Comparator<Region> REGION_ORDER = java.util.Comparator.comparing(Region::kind)
            .thenComparingInt(Region::y).thenComparingInt(Region::x).thenComparingInt(Region::width)
            .thenComparingInt(Region::height).thenComparing(Region::how);

    /** Share of a person's box, from its top, that is taken as the head and blurred whether a face was found there or not. */
    static final double HEAD_SHARE = 0.25;

    /** The head of a person whose whole body is {@code person} (0..1): the top {@link #HEAD_SHARE} of the box, full width. */
    static Region headOf(io.gridwatch.models.Box person, int width, int height) {
        int x1 = (int) Math.floor(person.x1() * width);
        int x2 = (int) Math.ceil(person.x2() * width);
        int y1 = (int) Math.floor(person.y1() * height);
        int y2 = (int) Math.ceil((person.y1() + HEAD_SHARE * (person.y2() - person.y1())) * height);
        return new Region(Kind.FACE, x1, y1, Math.max(1, x2 - x1), Math.max(1, y2 - y1), "person-head");
    }

    /** Finds faces and plates in {@code bgr} and blurs them in place; returns what was blurred. */
    public List<Region> blur(Mat bgr) {
        return blur(bgr, List.of());
    }

    /**
     * Finds faces and plates in {@code bgr} and blurs them in place, and blurs the head of every person in {@code people}
     * (boxes in 0..1 from a people detector) whether a face was found there or not: a face turned away, too small or in
     * the dark escapes the cascades, not a person's box. Returns what was blurred.
     */
    public List<Region> blur(Mat bgr, List<io.gridwatch.models.Box> people) {
        List<Region> found = new ArrayList<>(find(bgr));
        for (io.gridwatch.models.Box p : people) {
            found.add(headOf(p, bgr.cols(), bgr.rows()));
        }
        // OpenCV's parallel search returns hits in varying order, and overlapping regions blurred in another order give
        // other pixels: a fixed order makes the same frame give the same picture (and the same evidence URI on a replay)
        found.sort(REGION_ORDER);
        for (Region r : found) {
            blurRegion(bgr, r);
        }
        return found;
    }

    /** Pixelates one region (with its margin) into {@link #CELLS} cells across, then smooths the cells' edges. */
    static void blurRegion(Mat bgr, Region r) {
        double margin = r.kind() == Kind.FACE ? FACE_MARGIN : PLATE_MARGIN;
        int mx = (int) Math.round(r.width() * margin);
        int my = (int) Math.round(r.height() * margin);
        int x1 = Math.max(0, r.x() - mx);
        int y1 = Math.max(0, r.y() - my);
        int x2 = Math.min(bgr.cols(), r.x() + r.width() + mx);
        int y2 = Math.min(bgr.rows(), r.y() + r.height() + my);
        if (x2 - x1 < 2 || y2 - y1 < 2) {
            return;
        }
        int side = Math.max(x2 - x1, y2 - y1);
        int cellsX = Math.max(1, (int) Math.round(CELLS * (double) (x2 - x1) / side));
        int cellsY = Math.max(1, (int) Math.round(CELLS * (double) (y2 - y1) / side));
        int kernel = (side / CELLS) | 1;
        try (Mat roi = new Mat(bgr, new Rect(x1, y1, x2 - x1, y2 - y1)); Mat small = new Mat(); Mat big = new Mat()) {
            opencv_imgproc.resize(roi, small, new Size(cellsX, cellsY), 0, 0, opencv_imgproc.INTER_AREA);
            opencv_imgproc.resize(small, big, roi.size(), 0, 0, opencv_imgproc.INTER_NEAREST);
            opencv_imgproc.GaussianBlur(big, big, new Size(kernel, kernel), 0);
            big.copyTo(roi);
        }
    }

    @Override
    public void close() {
        frontalAlt2.close();
        frontalDefault.close();
        frontalLbp.close();
        profile.close();
        plateRus.close();
    }
}
