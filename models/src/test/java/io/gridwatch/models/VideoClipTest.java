package io.gridwatch.models;

import io.gridwatch.models.detect.AppearAndStayDetector;
import io.gridwatch.models.scene.SceneClip;
import org.bytedeco.ffmpeg.global.avcodec;
import org.bytedeco.javacv.FFmpegFrameGrabber;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The video path on a real H.264 file: written with OpenH264, decoded by FFmpeg, watched by background subtraction. */
class VideoClipTest {

    @TempDir
    static Path dir;
    static Path file;
    /** 15 scene-seconds a frame: 3 min empty, the stall stays 20 min, 3 min empty again. */
    static final SceneClip CLIP = SceneClip.of(31, 15, 3, 20, 3);
    static Box stall;
    static Box vendor;
    static final List<BufferedImage> decoded = new ArrayList<>();
    static final List<BufferedImage> rendered = new ArrayList<>();

    @BeforeAll
    static void writeAndDecode() {
        file = dir.resolve("clip.mp4");
        stall = CLIP.write(file);
        SceneClip.decode(file, (i, img) -> decoded.add(img));
        CLIP.render((i, scene) -> {
            if (i % 25 == 0) {
                rendered.add(scene.image());
            }
            scene.distractors().stream().filter(p -> p.kind().equals("person standing")).findFirst().ifPresent(p -> vendor = p.box());
        });
    }

    @Test
    void theClipIsH264AndDecodesFrameForFrame() throws Exception {
        assertThat(stall).isNotNull();
        assertThat(Files.size(file)).isGreaterThan(10_000);
        try (FFmpegFrameGrabber g = new FFmpegFrameGrabber(file.toFile())) {
            g.start();
            assertThat(g.getVideoCodec()).isEqualTo(avcodec.AV_CODEC_ID_H264);
            assertThat(g.getImageWidth()).isEqualTo(320);
            g.stop();
        }
        assertThat(decoded).hasSize(CLIP.frames());
        for (int k = 0; k < rendered.size(); k++) {
            assertThat(psnr(rendered.get(k), decoded.get(k * 25))).as("frame %d", k * 25).isGreaterThan(26);
        }
    }

    @Test
    void appearAndStayFindsTheStallOnlyWhileItStays() {
        DetectorConfig.AppearAndStay cfg = new DetectorConfig.AppearAndStay(60.0, null, null, null);
        int stayFrames = (int) Math.ceil(60 / CLIP.secondsPerFrame());
        int found = 0;
        try (Detector d = Detectors.create(cfg)) {
            for (int f = 0; f < decoded.size(); f++) {
                List<DetectedObject> out = d.detect(decoded.get(f), CLIP.millisAt(f));
                for (DetectedObject o : out) {
                    assertThat(o.label()).isEqualTo("stationary_object");
                    // whatever it reports is the stall: people passing never stay
                    assertThat(overlap(o.box(), stall)).as("frame %d: %s vs stall %s", f, o.box(), stall).isGreaterThan(0.5);
                }
                if (f < CLIP.stallFrom() + stayFrames || f >= CLIP.stallTo() + 2) {
                    assertThat(out).as("frame %d", f).isEmpty();
                } else if (f >= CLIP.stallFrom() + stayFrames + 2 && f < CLIP.stallTo()) {
                    found += out.isEmpty() ? 0 : 1;
                }
            }
        }
        int expected = CLIP.stallTo() - CLIP.stallFrom() - stayFrames - 2;
        assertThat(found).as("frames with the stall reported").isGreaterThanOrEqualTo((int) (expected * 0.9));
    }

    @Test
    void thePeopleDetectorReportsTheVendorStandingStillAndNotThePassersBy() {
        int stayFrames = (int) Math.ceil(60 / CLIP.secondsPerFrame());
        int vendorFrames = 0;
        try (Detector d = Detectors.create(new DetectorConfig.HogPeople(60.0, null, null))) {
            for (int f = 0; f < decoded.size(); f++) {
                List<DetectedObject> out = d.detect(decoded.get(f), CLIP.millisAt(f));
                if (f < CLIP.stallFrom() + stayFrames) {
                    assertThat(out).as("frame %d: before anyone stood still for a minute", f).isEmpty();
                }
                for (DetectedObject o : out) {
                    assertThat(o.label()).isEqualTo("vendor");
                    // it is the vendor: the middle of the vendor's true box lies in the reported one
                    double cx = (vendor.x1() + vendor.x2()) / 2;
                    double cy = (vendor.y1() + vendor.y2()) / 2;
                    assertThat(cx).as("frame %d: %s vs vendor %s", f, o.box(), vendor).isBetween(o.box().x1(), o.box().x2());
                    assertThat(cy).as("frame %d: %s vs vendor %s", f, o.box(), vendor).isBetween(o.box().y1(), o.box().y2());
                    vendorFrames++;
                }
            }
        }
        assertThat(vendorFrames).as("frames with the vendor reported").isGreaterThan(10);
    }

    /** Share of box a inside box b. */
    static double overlap(Box a, Box b) {
        double ix = Math.max(0, Math.min(a.x2(), b.x2()) - Math.max(a.x1(), b.x1()));
        double iy = Math.max(0, Math.min(a.y2(), b.y2()) - Math.max(a.y1(), b.y1()));
        return a.area() == 0 ? 0 : ix * iy / a.area();
    }

    static double psnr(BufferedImage a, BufferedImage b) {
        double se = 0;
        int n = 0;
        for (int y = 0; y < a.getHeight(); y++) {
            for (int x = 0; x < a.getWidth(); x++) {
                int p = a.getRGB(x, y);
                int q = b.getRGB(x, y);
                for (int s = 0; s < 24; s += 8) {
                    double d = ((p >> s) & 0xFF) - ((q >> s) & 0xFF);
                    se += d * d;
                    n++;
                }
            }
        }
        return 10 * Math.log10(255.0 * 255.0 / (se / n));
    }
}
