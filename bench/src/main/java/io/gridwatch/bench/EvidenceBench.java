package io.gridwatch.bench;

import io.gridwatch.models.Box;
import io.gridwatch.models.evidence.EvidenceFrames;
import io.gridwatch.models.evidence.PrivacyBlur;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.opencv.global.opencv_imgcodecs;
import org.bytedeco.opencv.global.opencv_imgproc;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Size;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Evidence pictures: how long one 1280×720 frame takes (decode, face and plate search, blur, box, JPEG encode), one
 * thread, and how many of the faces marked by hand in OpenCV's real sample photographs (Debian's opencv-doc) end up
 * under a blurred region. Prints the machine's load beside the figures: it is shared.
 *
 * <p>Usage: {@code bench/run evidence [--rounds 5] [--frames 10]}
 */
public final class EvidenceBench {

    private static final Path DOC = Path.of("/usr/share/doc/opencv-doc");

    /** A face marked by hand: its centre in pixels of the photograph. */
    private record Face(String photo, int cx, int cy, String what) {
    }

    private static final List<Face> FACES = List.of(
            new Face("examples/data/messi5.jpg", 243, 111, "Messi, 34 px, frontal, head tilted"),
            new Face("opencv4/html/facereg.jpg", 50, 50, "portrait 1, 60 px"),
            new Face("opencv4/html/facereg.jpg", 150, 50, "portrait 2, 60 px, glasses"),
            new Face("opencv4/html/facereg.jpg", 50, 150, "portrait 3, 60 px"),
            new Face("opencv4/html/facereg.jpg", 150, 150, "portrait 4, 60 px"),
            new Face("opencv4/html/face_swapped.jpg", 155, 140, "face, 130 px"));

    public static void main(String[] args) throws Exception {
        RulesJobBench.Args a = new RulesJobBench.Args(args);
        int rounds = a.integer("rounds", 5);
        int frames = a.integer("frames", 10);
        System.out.printf("%s, %d cores%n", ProcStats.loadAverage(), Runtime.getRuntime().availableProcessors());
        try (EvidenceFrames ev = new EvidenceFrames(); PrivacyBlur blur = new PrivacyBlur()) {
            recall(blur);
            for (String photo : List.of("examples/data/messi5.jpg", "examples/data/leuvenA.jpg")) {
                byte[] hd = at1280x720(Files.readAllBytes(DOC.resolve(photo)));
                ev.render(hd, new Box(0.4, 0.4, 0.6, 0.8), "warm-up");
                double[] ms = new double[rounds];
                int regions = 0;
                for (int r = 0; r < rounds; r++) {
                    long t0 = System.nanoTime();
                    for (int i = 0; i < frames; i++) {
                        regions = ev.render(hd, new Box(0.4, 0.4, 0.6, 0.8), "vendor 0.87").blurred().size();
                    }
                    ms[r] = (System.nanoTime() - t0) / 1e6 / frames;
                }
                Arrays.sort(ms);
                System.out.printf(Locale.ROOT, "%-28s 1280x720: median %.0f ms a frame (min %.0f, max %.0f; %d rounds of %d), %d regions blurred%n",
                        Path.of(photo).getFileName(), ms[rounds / 2], ms[0], ms[rounds - 1], rounds, frames, regions);
            }
        }
        System.out.printf("%s%n", ProcStats.loadAverage());
    }

    private static void recall(PrivacyBlur blur) {
        int covered = 0;
        List<String> missed = new ArrayList<>();
        for (Face f : FACES) {
            try (Mat m = opencv_imgcodecs.imread(DOC.resolve(f.photo()).toString())) {
                if (m.empty()) {
                    throw new IllegalStateException("missing " + DOC.resolve(f.photo()) + ": apt-get install opencv-doc");
                }
                boolean hit = blur.find(m).stream().anyMatch(r -> r.kind() == PrivacyBlur.Kind.FACE
                        && f.cx() >= r.x() && f.cx() < r.x() + r.width() && f.cy() >= r.y() && f.cy() < r.y() + r.height());
                if (hit) {
                    covered++;
                } else {
                    missed.add(f.photo() + ": " + f.what());
                }
            }
        }
        System.out.printf(Locale.ROOT, "faces marked by hand in opencv-doc photographs: %d, found and blurred: %d%s%n",
                FACES.size(), covered, missed.isEmpty() ? "" : ", missed: " + missed);
    }

    private static byte[] at1280x720(byte[] jpeg) {
        try (Mat src = opencv_imgcodecs.imdecode(new Mat(jpeg), opencv_imgcodecs.IMREAD_COLOR); Mat hd = new Mat();
             BytePointer buf = new BytePointer()) {
            opencv_imgproc.resize(src, hd, new Size(1280, 720), 0, 0, opencv_imgproc.INTER_CUBIC);
            opencv_imgcodecs.imencode(".jpg", hd, buf);
            byte[] out = new byte[(int) buf.limit()];
            buf.get(out);
            return out;
        }
    }
}
