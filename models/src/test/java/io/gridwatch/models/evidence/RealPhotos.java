package io.gridwatch.models.evidence;

import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.opencv.global.opencv_core;
import org.bytedeco.opencv.global.opencv_imgcodecs;
import org.bytedeco.opencv.global.opencv_imgproc;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Rect;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Real photographs for the privacy tests, from Debian's {@code opencv-doc} package (OpenCV's own sample pictures;
 * {@code ./gridwatch test} installs the package when it is missing), and the sharpness measure the tests compare.
 */
final class RealPhotos {

    static final Path DOC = Path.of("/usr/share/doc/opencv-doc");

    /** Lionel Messi kicking a ball, a crowd behind him (548×342). */
    static final String MESSI = "examples/data/messi5.jpg";
    /** Four portraits in a 2×2 grid (200×200), landmark dots drawn on them. */
    static final String FOUR_FACES = "opencv4/html/facereg.jpg";
    /** A street of the Leuven béguinage, no people or cars (751×563, iPhone 6). */
    static final String STREET = "examples/data/leuvenA.jpg";

    private RealPhotos() {
    }

    static byte[] bytes(String name) throws IOException {
        Path p = DOC.resolve(name);
        if (!Files.isRegularFile(p)) {
            throw new AssertionError("missing " + p + ": the privacy tests run on real photographs from Debian's opencv-doc "
                    + "package; install it (apt-get install opencv-doc; ./gridwatch test does so when run as root)");
        }
        return Files.readAllBytes(p);
    }

    static Mat decode(byte[] jpeg, int flags) {
        Mat m = opencv_imgcodecs.imdecode(new Mat(jpeg), flags);
        if (m == null || m.empty()) {
            throw new AssertionError("cannot decode " + jpeg.length + " bytes");
        }
        return m;
    }

    /** Variance of the Laplacian of the grey picture inside {@code r}: how much fine detail (edges, texture) is left. */
    static double sharpness(byte[] jpeg, Rect r) {
        try (Mat gray = decode(jpeg, opencv_imgcodecs.IMREAD_GRAYSCALE); Mat roi = new Mat(gray, r); Mat lap = new Mat();
             Mat mean = new Mat(); Mat std = new Mat()) {
            opencv_imgproc.Laplacian(roi, lap, opencv_core.CV_64F);
            opencv_core.meanStdDev(lap, mean, std);
            double s = new DoublePointer(std.data()).get();
            return s * s;
        }
    }

    /** Mean absolute grey-level difference of two pictures inside {@code r}. */
    static double meanDifference(byte[] a, byte[] b, Rect r) {
        try (Mat ga = decode(a, opencv_imgcodecs.IMREAD_GRAYSCALE); Mat gb = decode(b, opencv_imgcodecs.IMREAD_GRAYSCALE);
             Mat ra = new Mat(ga, r); Mat rb = new Mat(gb, r); Mat diff = new Mat()) {
            opencv_core.absdiff(ra, rb, diff);
            return opencv_core.mean(diff).get(0);
        }
    }
}
