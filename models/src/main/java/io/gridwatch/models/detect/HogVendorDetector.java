package io.gridwatch.models.detect;

import io.gridwatch.models.Box;
import io.gridwatch.models.DetectedObject;
import io.gridwatch.models.Detector;
import io.gridwatch.models.DetectorConfig;
import io.gridwatch.models.tiles.Tiles;
import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.opencv.global.opencv_imgproc;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Rect;
import org.bytedeco.opencv.opencv_core.RectVector;
import org.bytedeco.opencv.opencv_core.Size;
import org.bytedeco.opencv.opencv_objdetect.HOGDescriptor;

import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * The OpenCV people backend ({@code type: hog-people}): OpenCV's built-in HOG + linear SVM people
 * detector (Dalal–Triggs, trained on pedestrians), and a small tracker that reports a person who
 * has stood in one place for {@code stay_seconds} as a {@code vendor} (游商): people walking by
 * never stay in one box long enough. One instance per camera.
 */
public final class HogVendorDetector implements Detector {

    public static final String LABEL = "vendor";
    private static final double SAME_PLACE_IOU = 0.4;

    private final DetectorConfig.HogPeople config;
    private final HOGDescriptor hog = new HOGDescriptor();
    private final List<Track> tracks = new ArrayList<>();

    private static final class Track {
        Box box;
        final long first;
        long last;
        double weight;

        Track(Box box, long ts, double weight) {
            this.box = box;
            this.first = ts;
            this.last = ts;
            this.weight = weight;
        }
    }

    /** One person found in one frame, before tracking: box in 0..1 and the SVM margin. */
    public record Person(Box box, double weight) {
    }

    public HogVendorDetector(DetectorConfig.HogPeople config) {
        this.config = config;
        hog.setSVMDetector(new Mat(HOGDescriptor.getDefaultPeopleDetector()));
    }

    @Override
    public String type() {
        return config.type();
    }

    /** People in one frame, standing or walking. */
    public List<Person> people(BufferedImage frame) {
        BufferedImage work = Tiles.workFrame(frame);
        try (Mat img = Mats.bgr(work); Mat big = new Mat(); RectVector found = new RectVector(); DoublePointer weights = new DoublePointer()) {
            opencv_imgproc.resize(img, big, new Size((int) (work.getWidth() * config.upscale()), (int) (work.getHeight() * config.upscale())));
            hog.detectMultiScale(big, found, weights, config.hitThreshold(), new Size(8, 8), new Size(8, 8), 1.05, 2.0, false);
            List<Person> out = new ArrayList<>();
            double sw = big.cols();
            double sh = big.rows();
            for (int i = 0; i < found.size(); i++) {
                Rect r = found.get(i);
                double wgt = weights.capacity() > i ? weights.get(i) : 0;
                out.add(new Person(Box.ofPixels(r.x(), r.y(), r.x() + r.width(), r.y() + r.height(), (int) sw, (int) sh), wgt));
            }
            return out;
        }
    }

    @Override
    public List<DetectedObject> detect(BufferedImage frame, long ts) {
        long stay = (long) (config.staySeconds() * 1000);
        for (Person p : people(frame)) {
            Track best = null;
            double bestIou = SAME_PLACE_IOU;
            for (Track t : tracks) {
                double iou = t.box.iou(p.box());
                if (iou >= bestIou && t.last != ts) {
                    best = t;
                    bestIou = iou;
                }
            }
            if (best == null) {
                tracks.add(new Track(p.box(), ts, p.weight()));
            } else {
                best.box = p.box();
                best.last = ts;
                best.weight = Math.max(best.weight, p.weight());
            }
        }
        // a person unseen for half the stay time has left (or walked on)
        for (Iterator<Track> it = tracks.iterator(); it.hasNext(); ) {
            if (ts - it.next().last > Math.max(stay / 2, 1)) {
                it.remove();
            }
        }
        List<DetectedObject> out = new ArrayList<>();
        for (Track t : tracks) {
            if (t.last == ts && ts - t.first >= stay) {
                double score = 1 / (1 + Math.exp(-2 * t.weight)); // SVM margin → 0..1
                out.add(new DetectedObject(LABEL, score, t.box));
            }
        }
        return out;
    }

    @Override
    public void close() {
        hog.close();
    }
}
