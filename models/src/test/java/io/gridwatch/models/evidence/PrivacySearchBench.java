package io.gridwatch.models.evidence;

import org.bytedeco.javacv.FFmpegFrameGrabber;
import org.bytedeco.javacv.Frame;
import org.bytedeco.javacv.OpenCVFrameConverter;
import org.bytedeco.opencv.global.opencv_imgcodecs;
import org.bytedeco.opencv.global.opencv_imgproc;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Size;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What a coarser face search (OpenCV's {@code scaleFactor} between searched sizes) saves in time and costs in recall,
 * against {@link PrivacyBlur}'s own search, on real pictures from Debian's opencv-doc: the face photographs of the tests,
 * two of them scaled to 1280×720, and 6 frames of {@code vtest.avi} (a pedestrian street seen from above, 768×576, faces
 * of a few to 20 px: what a city camera shows). A face the reference search finds is <em>kept</em> when its centre lies
 * inside what the candidate blurs (a face it found, with the margin). Prints figures, asserts nothing (PRACTICES.md 15):
 * {@code mvn -B -o -pl models -am test -Dtest=PrivacySearchBench -Dsurefire.failIfNoSpecifiedTests=false
 * [-Dbench.factors=1.1,1.2]}
 */
class PrivacySearchBench {

    @Test
    void timeAndRecallPerScaleFactor() throws Exception {
        Map<String, Mat> pictures = pictures();
        List<Double> factors = Arrays.stream(System.getProperty("bench.factors", "1.1,1.2").split(","))
                .map(Double::parseDouble).toList();
        System.out.println(Files.readString(Path.of("/proc/loadavg")).trim() + " (load average), "
                + Runtime.getRuntime().availableProcessors() + " cores; " + pictures.size() + " pictures");
        Map<String, List<PrivacyBlur.Region>> reference = new LinkedHashMap<>();
        try (PrivacyBlur ref = new PrivacyBlur()) {
            ref.find(pictures.values().iterator().next()); // warm up
            pictures.forEach((name, m) -> reference.put(name, faces(ref.find(m))));
        }
        int refFaces = reference.values().stream().mapToInt(List::size).sum();
        for (double f : factors) {
            try (PrivacyBlur blur = new PrivacyBlur(f)) {
                blur.find(pictures.values().iterator().next()); // warm up
                double small = 0;
                double hd = 0;
                int kept = 0;
                int found = 0;
                List<String> lost = new ArrayList<>();
                for (var e : pictures.entrySet()) {
                    double[] ms = new double[1];
                    List<PrivacyBlur.Region> got = null;
                    for (int r = 0; r < ms.length; r++) {
                        long t0 = System.nanoTime();
                        got = faces(blur.find(e.getValue()));
                        ms[r] = (System.nanoTime() - t0) / 1e6;
                    }
                    Arrays.sort(ms);
                    if (e.getValue().cols() >= 1280) {
                        hd += ms[0];
                    } else {
                        small += ms[0];
                    }
                    found += got.size();
                    for (PrivacyBlur.Region want : reference.get(e.getKey())) {
                        if (covered(want, got)) {
                            kept++;
                        } else {
                            lost.add(e.getKey() + "@" + want.x() + "," + want.y() + " " + want.width() + "px " + want.how());
                        }
                    }
                }
                System.out.printf(Locale.ROOT, "scale factor %.2f: %.0f ms for the %d pictures below 1280 px, %.0f ms for the 1280x720 ones "
                                + "(one pass); faces %d; of the reference's %d kept %d%s%n", f, small,
                        pictures.values().stream().filter(m -> m.cols() < 1280).count(), hd, found, refFaces, kept,
                        lost.isEmpty() ? "" : ", lost: " + lost);
            }
        }
        System.out.println(Files.readString(Path.of("/proc/loadavg")).trim() + " (load average)");
    }

    private static List<PrivacyBlur.Region> faces(List<PrivacyBlur.Region> all) {
        return all.stream().filter(r -> r.kind() == PrivacyBlur.Kind.FACE).toList();
    }

    /** Whether {@code want}'s centre lies inside what {@code got} blurs (a region with its margin). */
    private static boolean covered(PrivacyBlur.Region want, List<PrivacyBlur.Region> got) {
        double cx = want.x() + want.width() / 2.0;
        double cy = want.y() + want.height() / 2.0;
        for (PrivacyBlur.Region r : got) {
            double mx = r.width() * PrivacyBlur.FACE_MARGIN;
            double my = r.height() * PrivacyBlur.FACE_MARGIN;
            if (cx >= r.x() - mx && cx <= r.x() + r.width() + mx && cy >= r.y() - my && cy <= r.y() + r.height() + my) {
                return true;
            }
        }
        return false;
    }

    private static Map<String, Mat> pictures() throws Exception {
        Map<String, Mat> out = new LinkedHashMap<>();
        for (String name : List.of(RealPhotos.MESSI, RealPhotos.FOUR_FACES, "opencv4/html/face_swapped.jpg",
                "opencv4/html/julia_facedetect_sample.jpg", "opencv4/html/person_multi_det.jpg", RealPhotos.STREET)) {
            Path p = find(name);
            if (p != null) {
                out.put(p.getFileName().toString(), opencv_imgcodecs.imread(p.toString()));
            }
        }
        for (String name : List.of("messi5.jpg", "leuvenA.jpg")) {
            Mat hd = new Mat();
            opencv_imgproc.resize(out.get(name), hd, new Size(1280, 720), 0, 0, opencv_imgproc.INTER_CUBIC);
            out.put(name + "@1280x720", hd);
        }
        Path video = RealPhotos.DOC.resolve("examples/data/vtest.avi");
        if (Files.isRegularFile(video)) {
            try (FFmpegFrameGrabber g = new FFmpegFrameGrabber(video.toFile()); OpenCVFrameConverter.ToMat conv = new OpenCVFrameConverter.ToMat()) {
                g.start();
                int i = 0;
                Frame f;
                while ((f = g.grabImage()) != null && out.size() < 14) {
                    if (i++ % 120 == 0) {
                        out.put("vtest.avi#" + (i - 1), conv.convert(f).clone());
                    }
                }
                g.stop();
            }
        }
        return out;
    }

    private static Path find(String name) throws Exception {
        Path p = RealPhotos.DOC.resolve(name);
        if (Files.isRegularFile(p)) {
            return p;
        }
        try (var s = Files.walk(RealPhotos.DOC)) {
            String base = Path.of(name).getFileName().toString();
            return s.filter(q -> q.getFileName().toString().equals(base)).findFirst().orElse(null);
        }
    }
}
