package io.gridwatch.models.evidence;

import io.gridwatch.models.Box;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.opencv.global.opencv_imgcodecs;
import org.bytedeco.opencv.global.opencv_imgproc;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Point;
import org.bytedeco.opencv.opencv_core.Scalar;
import org.bytedeco.opencv.opencv_core.Size;

import java.util.List;
import java.util.Objects;

/**
 * Turns a camera frame into an evidence picture (CONTRACTS.md §4 {@code evidence[]}): faces and licence plates blurred
 * first ({@link PrivacyBlur}), then the object's box drawn over it with a short label, so that the box and label stay
 * sharp and are never blurred away. The box is a yellow line between two black ones, readable on any background.
 * Not thread-safe (its {@link PrivacyBlur} is not): one instance per thread or operator.
 */
public final class EvidenceFrames implements AutoCloseable {

    /** JPEG quality of the pictures kept: evidence is looked at by people, and four pictures a case are few. */
    public static final int JPEG_QUALITY = 90;
    private static final Scalar YELLOW = new Scalar(0, 255, 255, 0);
    private static final Scalar BLACK = new Scalar(0, 0, 0, 0);

    private final PrivacyBlur blur = new PrivacyBlur();

    /** A rendered picture and the regions blurred in it. */
    public record Rendered(byte[] jpeg, List<PrivacyBlur.Region> blurred) {
    }

    /**
     * Blurs faces and plates in {@code jpeg}, draws {@code box} with {@code label}, and encodes the result as JPEG.
     *
     * @param jpeg  the frame as the camera gave it (JPEG or PNG)
     * @param box   the object's box, 0..1 {@code [x1, y1, x2, y2]}; {@code null} for a picture without one (a closing frame)
     * @param label a short ASCII label, e.g. {@code "vendor 0.87"} (OpenCV's own font has no Chinese characters)
     * @throws IllegalArgumentException when {@code jpeg} cannot be decoded
     */
    public Rendered render(byte[] jpeg, Box box, String label) {
        return render(jpeg, box, label, List.of());
    }

    /**
     * As {@link #render(byte[], Box, String)}, and the heads of {@code people} (boxes in 0..1 of persons found in the frame,
     * e.g. by {@code hog-people}) are blurred whether the face cascades found a face there or not.
     */
    public Rendered render(byte[] jpeg, Box box, String label, List<Box> people) {
        Objects.requireNonNull(jpeg, "jpeg");
        Objects.requireNonNull(people, "people");
        try (Mat encoded = new Mat(jpeg);
             Mat frame = opencv_imgcodecs.imdecode(encoded, opencv_imgcodecs.IMREAD_COLOR)) {
            if (frame == null || frame.empty()) {
                throw new IllegalArgumentException("evidence frame of " + jpeg.length + " bytes is not a picture OpenCV can decode");
            }
            List<PrivacyBlur.Region> blurred = blur.blur(frame, people);
            if (box != null) {
                drawBox(frame, box, label == null ? "" : label);
            }
            return new Rendered(encode(frame), blurred);
        }
    }

    static void drawBox(Mat frame, Box box, String label) {
        int w = frame.cols();
        int h = frame.rows();
        int thick = Math.max(2, Math.round(Math.min(w, h) / 240f));
        Point p1 = new Point(px(box.x1(), w), px(box.y1(), h));
        Point p2 = new Point(px(box.x2(), w), px(box.y2(), h));
        opencv_imgproc.rectangle(frame, p1, p2, BLACK, thick * 3, opencv_imgproc.LINE_AA, 0);
        opencv_imgproc.rectangle(frame, p1, p2, YELLOW, thick, opencv_imgproc.LINE_AA, 0);
        String text = ascii(label);
        if (text.isEmpty()) {
            return;
        }
        double fontScale = Math.max(0.4, Math.min(w, h) / 720.0 * 0.7);
        int[] baseline = {0};
        Size size = opencv_imgproc.getTextSize(text, opencv_imgproc.FONT_HERSHEY_SIMPLEX, fontScale, thick, baseline);
        int pad = thick * 2;
        int tw = size.width() + 2 * pad;
        int th = size.height() + baseline[0] + 2 * pad;
        int lx = Math.min(Math.max(0, p1.x() - thick), Math.max(0, w - tw));
        // above the box when there is room, else inside its top edge
        int ly = p1.y() - thick - th >= 0 ? p1.y() - thick - th : Math.min(h - th, p1.y() + thick);
        opencv_imgproc.rectangle(frame, new Point(lx, ly), new Point(lx + tw, ly + th), YELLOW, opencv_imgproc.FILLED,
                opencv_imgproc.LINE_8, 0);
        opencv_imgproc.rectangle(frame, new Point(lx, ly), new Point(lx + tw, ly + th), BLACK, 1, opencv_imgproc.LINE_8, 0);
        opencv_imgproc.putText(frame, text, new Point(lx + pad, ly + pad + size.height()), opencv_imgproc.FONT_HERSHEY_SIMPLEX,
                fontScale, BLACK, thick, opencv_imgproc.LINE_AA, false);
    }

    private static int px(double v, int size) {
        return (int) Math.round(Math.max(0, Math.min(1, v)) * (size - 1));
    }

    /** OpenCV's Hershey font draws ASCII only: anything else becomes '?' rather than garbage. */
    static String ascii(String s) {
        StringBuilder b = new StringBuilder(s.length());
        s.codePoints().forEach(c -> b.append(c >= 0x20 && c < 0x7f ? (char) c : '?'));
        return b.toString();
    }

    static byte[] encode(Mat frame) {
        try (BytePointer buf = new BytePointer(); IntPointer params = new IntPointer(opencv_imgcodecs.IMWRITE_JPEG_QUALITY, JPEG_QUALITY)) {
            if (!opencv_imgcodecs.imencode(".jpg", frame, buf, params)) {
                throw new IllegalStateException("OpenCV could not encode a " + frame.cols() + "x" + frame.rows() + " JPEG");
            }
            byte[] out = new byte[(int) buf.limit()];
            buf.get(out);
            return out;
        }
    }

    @Override
    public void close() {
        blur.close();
    }
}
