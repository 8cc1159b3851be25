package io.gridwatch.models.evidence;

import io.gridwatch.models.Box;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.opencv.global.opencv_core;
import org.bytedeco.opencv.global.opencv_imgcodecs;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Rect;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import javax.imageio.ImageIO;
import java.awt.Color;
import java.awt.Font;
import java.awt.GradientPaint;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.font.FontRenderContext;
import java.awt.geom.AffineTransform;
import java.awt.geom.Rectangle2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Evidence pictures on real photographs (Debian's opencv-doc samples, {@link RealPhotos}): faces and plates lose their
 * detail (the Laplacian's variance inside each, a measure of fine detail, falls by more than {@value #DROP}×), the rest
 * of the picture keeps it, and the object's box is drawn on top.
 */
class EvidenceFramesTest {

    /** Least factor by which a face's or plate's detail must fall. */
    static final double DROP = 10;
    /** Most mean grey-level change allowed away from faces, plates and the box: JPEG re-encoding alone, no blur. */
    static final double UNCHANGED = 3;
    /** Most share of a picture without faces or plates that may be blurred by mistake. */
    static final double MOST_FALSE_BLUR = 0.02;

    static EvidenceFrames frames;

    @BeforeAll
    static void load() {
        frames = new EvidenceFrames();
    }

    @AfterAll
    static void close() {
        frames.close();
    }

    private static void assertBlurred(byte[] before, byte[] after, Rect r, String what) {
        double s0 = RealPhotos.sharpness(before, r);
        double s1 = RealPhotos.sharpness(after, r);
        assertThat(s1).as("%s: detail %.1f before, %.1f after", what, s0, s1).isLessThan(s0 / DROP);
    }

    @Test
    void aRealFaceIsBlurredAndTheBoxDrawnWhileTheRestOfThePhotoIsKept() throws IOException {
        byte[] messi = RealPhotos.bytes(RealPhotos.MESSI);
        Box ball = Box.ofPixels(335, 285, 392, 338, 548, 342);
        EvidenceFrames.Rendered out = frames.render(messi, ball, "ball 0.91");

        // Messi's face, eyebrows to chin, marked by hand
        assertBlurred(messi, out.jpeg(), new Rect(226, 96, 33, 30), "Messi's face");
        assertThat(out.blurred()).anySatisfy(r -> assertThat(r.kind()).isEqualTo(PrivacyBlur.Kind.FACE));
        // the grass left of him has no face, no plate and no box: only JPEG's own loss
        Rect grass = new Rect(10, 285, 180, 50);
        assertThat(RealPhotos.meanDifference(messi, out.jpeg(), grass)).isLessThan(UNCHANGED);
        assertThat(RealPhotos.sharpness(out.jpeg(), grass)).isGreaterThan(RealPhotos.sharpness(messi, grass) * 0.7);

        // the box is drawn yellow, over the blur, where the ball's box says
        try (Mat m = RealPhotos.decode(out.jpeg(), opencv_imgcodecs.IMREAD_COLOR)) {
            assertThat(m.cols()).isEqualTo(548);
            assertThat(m.rows()).isEqualTo(342);
            int[] bgr = pixel(m, (int) Math.round(ball.x1() * 547), (int) Math.round((ball.y1() + ball.y2()) / 2 * 341));
            assertThat(bgr[0]).as("blue of the box line").isLessThan(90);
            assertThat(bgr[1]).as("green of the box line").isGreaterThan(180);
            assertThat(bgr[2]).as("red of the box line").isGreaterThan(180);
        }
    }

    @Test
    void theHeadsOfPeopleAreBlurredEvenWhereNoFaceIsFound() throws IOException {
        // Messi with his head turned upside down where it is (a person bent over, say): real pixels no cascade finds
        byte[] upsideDown;
        try (Mat m = RealPhotos.decode(RealPhotos.bytes(RealPhotos.MESSI), opencv_imgcodecs.IMREAD_COLOR);
             Mat patch = new Mat(m, new Rect(220, 88, 46, 42)); Mat turned = new Mat(); BytePointer buf = new BytePointer()) {
            opencv_core.flip(patch, turned, -1);
            turned.copyTo(patch);
            opencv_imgcodecs.imencode(".png", m, buf);
            upsideDown = new byte[(int) buf.limit()];
            buf.get(upsideDown);
        }
        Rect face = new Rect(226, 96, 33, 30);
        EvidenceFrames.Rendered without = frames.render(upsideDown, null, null);
        assertThat(RealPhotos.sharpness(without.jpeg(), face)).as("the cascades alone miss the turned face")
                .isGreaterThan(RealPhotos.sharpness(upsideDown, face) * 0.5);

        Box messi = Box.ofPixels(200, 60, 300, 330, 548, 342);
        EvidenceFrames.Rendered with = frames.render(upsideDown, null, null, List.of(messi));

        assertBlurred(upsideDown, with.jpeg(), face, "the turned face inside a person's head region");
        assertThat(with.blurred()).extracting(PrivacyBlur.Region::how).contains("person-head");
        // the person's body below the head is left as it was
        assertThat(RealPhotos.meanDifference(upsideDown, with.jpeg(), new Rect(215, 190, 50, 40))).isLessThan(UNCHANGED);
    }

    @Test
    void fourRealPortraitsAreAllBlurred() throws IOException {
        byte[] four = RealPhotos.bytes(RealPhotos.FOUR_FACES);
        EvidenceFrames.Rendered out = frames.render(four, null, null);
        // each portrait's face, eyes to mouth, in its quarter of the 200×200 picture, marked by hand
        List<Rect> faces = List.of(new Rect(28, 25, 45, 50), new Rect(128, 25, 45, 50), new Rect(28, 125, 45, 50),
                new Rect(128, 125, 45, 50));
        for (int i = 0; i < faces.size(); i++) {
            assertBlurred(four, out.jpeg(), faces.get(i), "portrait " + (i + 1));
        }
    }

    @Test
    void chinesePlatesPastedIntoARealStreetAreBlurred() throws IOException {
        byte[] street = RealPhotos.bytes(RealPhotos.STREET);
        BufferedImage img = ImageIO.read(new ByteArrayInputStream(street));
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        // 蓝牌 and 黄牌 are 440×140 mm, the new-energy 绿牌 480×140 mm
        Rect blue = plate(g, 150, 430, 132, 440, new Color(10, 60, 180), null, Color.WHITE, "B·D1234");
        Rect yellow = plate(g, 420, 470, 110, 440, new Color(250, 190, 20), null, Color.BLACK, "B·12345");
        Rect green = plate(g, 330, 380, 96, 480, new Color(150, 225, 160), new Color(40, 170, 80), Color.BLACK, "B·D12345");
        g.dispose();
        byte[] withPlates = png(img);

        EvidenceFrames.Rendered out = frames.render(withPlates, null, null);

        assertBlurred(withPlates, out.jpeg(), blue, "blue plate 蓝牌");
        assertBlurred(withPlates, out.jpeg(), yellow, "yellow plate 黄牌");
        assertBlurred(withPlates, out.jpeg(), green, "green plate 绿牌");
        assertThat(out.blurred()).extracting(PrivacyBlur.Region::how).contains("colour-blue", "colour-yellow", "colour-green");
        // the brick house on the left keeps its detail
        Rect house = new Rect(10, 150, 120, 200);
        assertThat(RealPhotos.meanDifference(withPlates, out.jpeg(), house)).isLessThan(UNCHANGED);
    }

    @Test
    void aStreetWithoutPeopleOrCarsIsMostlyLeftAsItWas() throws IOException {
        byte[] street = RealPhotos.bytes(RealPhotos.STREET);
        EvidenceFrames.Rendered out = frames.render(street, null, null);
        // the finders are tuned for recall: a few cobbles or bricks taken for a face or a plate are the price, but no more
        double blurredArea = out.blurred().stream().mapToDouble(r -> (double) r.width() * r.height()).sum();
        assertThat(blurredArea / (751.0 * 563.0)).as("share of the picture blurred: %s", out.blurred()).isLessThan(MOST_FALSE_BLUR);
        assertThat(RealPhotos.meanDifference(street, out.jpeg(), new Rect(0, 0, 751, 563))).isLessThan(UNCHANGED);
    }

    @Test
    void theSameFrameGivesTheSamePicture() throws IOException {
        // a job replaying frames after a restart must land on the same evidence URI (content-addressed names)
        byte[] four = RealPhotos.bytes(RealPhotos.FOUR_FACES);
        byte[] first = frames.render(four, new Box(0.1, 0.1, 0.4, 0.4), "x").jpeg();
        for (int i = 0; i < 5; i++) {
            try (EvidenceFrames other = new EvidenceFrames()) {
                assertThat(other.render(four, new Box(0.1, 0.1, 0.4, 0.4), "x").jpeg()).isEqualTo(first);
            }
        }
    }

    @Test
    void bytesThatAreNoPictureAreRefused() {
        assertThatThrownBy(() -> frames.render(new byte[] {1, 2, 3, 4}, null, "x"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("4 bytes");
    }

    /**
     * Draws a plate {@code widthPx} wide with real proportions ({@code mmWidth}×140 mm), white-bordered, with its
     * characters filling it as on a real plate; returns the plate's rectangle. The province character (e.g. 辽) is
     * drawn only where a font on this machine has it.
     */
    static Rect plate(Graphics2D g, int x, int y, int widthPx, int mmWidth, Color top, Color bottom, Color ink,
                              String rest) {
        int h = (int) Math.round(widthPx * 140.0 / mmWidth);
        g.setPaint(bottom == null ? top : new GradientPaint(x, y, top, x, y + h, bottom));
        g.fillRoundRect(x, y, widthPx, h, h / 6, h / 6);
        g.setPaint(ink);
        g.drawRoundRect(x + 2, y + 2, widthPx - 5, h - 5, h / 6, h / 6);
        Font font = new Font(Font.SANS_SERIF, Font.BOLD, 10);
        String text = (font.canDisplay('辽') ? "辽" : "") + rest;
        FontRenderContext frc = g.getFontRenderContext();
        Rectangle2D bounds = font.createGlyphVector(frc, text).getVisualBounds();
        double sx = widthPx * 0.86 / bounds.getWidth();
        double sy = h * 0.62 / bounds.getHeight();
        g.setFont(font.deriveFont(AffineTransform.getScaleInstance(sx, sy)));
        g.drawString(text, (float) (x + widthPx * 0.07 - bounds.getX() * sx), (float) (y + h * 0.19 - bounds.getY() * sy));
        return new Rect(x, y, widthPx, h);
    }

    private static byte[] png(BufferedImage img) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(img, "png", out);
        return out.toByteArray();
    }

    private static int[] pixel(Mat m, int x, int y) {
        BytePointer p = m.ptr(y, x);
        return new int[] {p.get(0) & 0xff, p.get(1) & 0xff, p.get(2) & 0xff};
    }
}
