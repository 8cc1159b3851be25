package io.gridwatch.ingest.video;

import org.bytedeco.ffmpeg.avutil.AVFrame;
import org.bytedeco.javacv.FFmpegFrameGrabber;
import org.bytedeco.javacv.Frame;
import org.bytedeco.javacv.FrameGrabber;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** The gate's grid from the decoder's luma plane is the grid the colour picture gives; the conversion shrinks as asked. */
class RawPicturesTest {

    @TempDir
    Path dir;

    @Test
    void theLumaGridMatchesTheColourGridAndTheConversionShrinks() throws Exception {
        Path clip = TestClips.clip(dir, "moving.mp4", 4, TestClips.MOVING_TOP);
        try (FFmpegFrameGrabber g = new FFmpegFrameGrabber(clip.toFile()); RawPictures raw = new RawPictures()) {
            g.setImageMode(FrameGrabber.ImageMode.RAW);
            g.start();
            int frames = 0;
            for (Frame f = g.grabImage(); f != null && frames < 10; f = g.grabImage(), frames++) {
                AVFrame p = RawPictures.picture(f);
                assertThat(RawPictures.lumaPlane(p)).isTrue();
                int[] luma = RawPictures.lumaThumbnail(p, 64, 36);
                Frame bgr = raw.bgr(p, p.width() / 2, p.height() / 2);
                assertThat(bgr.imageWidth).isEqualTo(p.width() / 2);
                assertThat(bgr.imageHeight).isEqualTo(p.height() / 2);
                assertThat(bgr.imageChannels).isEqualTo(3);
                int[] colour = GreyThumbnail.of(bgr, 64, 36);
                long sum = 0;
                for (int i = 0; i < luma.length; i++) {
                    sum += Math.abs(luma[i] - colour[i]);
                }
                assertThat(sum / (double) luma.length).as("frame %d: mean grey difference, luma vs colour", frames).isLessThan(4);
            }
            assertThat(frames).isEqualTo(10);
            g.stop();
        }
    }
}
