package io.gridwatch.models.scene;

import io.gridwatch.models.Box;
import io.gridwatch.models.SceneClass;
import org.bytedeco.ffmpeg.global.avcodec;
import org.bytedeco.ffmpeg.global.avutil;
import org.bytedeco.javacv.FFmpegFrameGrabber;
import org.bytedeco.javacv.FFmpegFrameRecorder;
import org.bytedeco.javacv.Frame;
import org.bytedeco.javacv.Java2DFrameConverter;

import java.awt.geom.Rectangle2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.BiConsumer;

/**
 * A fixed camera's time-lapse for the video pipeline: an empty street with people passing, a
 * stall set up (its vendor standing beside it), staying {@code stay} scene-minutes, then taken away. Time is compressed: one frame
 * stands for {@code secondsPerFrame} of scene time (cameras are sampled slowly anyway, see
 * ARCHITECTURE.md "Why slow sampling works"). Written as H.264 in MP4 with OpenH264, the encoder
 * the FFmpeg build of JavaCPP 1.5.7 ships (its libx264 is only in the -gpl build).
 *
 * @param secondsPerFrame scene seconds between two frames
 * @param stallFrom       first frame with the stall
 * @param stallTo         first frame without it again
 */
public record SceneClip(long seed, int frames, double secondsPerFrame, int stallFrom, int stallTo) {

    /** The encoder: H.264 by Cisco's OpenH264. */
    public static final String ENCODER = "libopenh264";
    /** Playback rate of the file; scene time per frame is {@link #secondsPerFrame}. */
    public static final int FPS = 5;

    /** A clip where the stall comes after {@code beforeMin} scene minutes, stays {@code stayMin}, and the clip goes on {@code afterMin}. */
    public static SceneClip of(long seed, double secondsPerFrame, double beforeMin, double stayMin, double afterMin) {
        int from = (int) Math.round(beforeMin * 60 / secondsPerFrame);
        int to = from + (int) Math.round(stayMin * 60 / secondsPerFrame);
        int frames = to + (int) Math.round(afterMin * 60 / secondsPerFrame);
        return new SceneClip(seed, frames, secondsPerFrame, from, to);
    }

    /** Scene time of a frame, in milliseconds from the clip's start. */
    public long millisAt(int frame) {
        return Math.round(frame * secondsPerFrame * 1000);
    }

    public boolean stallAt(int frame) {
        return frame >= stallFrom && frame < stallTo;
    }

    /** What the clip shows: each frame rendered in order, with its truth. */
    public void render(BiConsumer<Integer, Scene> sink) {
        SceneRecipe recipe = new SceneRecipe(SceneRecipe.Setting.SIDEWALK, SceneRecipe.Light.DAY, List.of(SceneClass.STALL), false, 0);
        SceneGenerator g = new SceneGenerator();
        Stage stage = new Stage(seed, recipe, SceneGenerator.WIDTH, SceneGenerator.HEIGHT);
        SplittableRandom r = new SplittableRandom(seed * 7 + 11);
        List<Rectangle2D> taken = new ArrayList<>();
        SceneGenerator.Item stall = g.placeTarget(stage, r, SceneClass.STALL, taken);
        List<SceneGenerator.Item> fixed = new ArrayList<>();
        for (int i = 0; i < 3; i++) { // stains, markings, a parked car: there all the time
            SceneGenerator.Item d = g.placeDistractor(stage, r, taken);
            if (d != null && d.kind() != SceneGenerator.Kind.PEDESTRIAN) {
                fixed.add(d);
            }
        }
        for (int f = 0; f < frames; f++) {
            SplittableRandom fr = new SplittableRandom(seed * 1_000_003L + f);
            List<SceneGenerator.Item> items = new ArrayList<>(fixed);
            if (stallAt(f) && stall != null) {
                items.add(stall);
                // the vendor stands beside the stall the whole time: what the people detector looks for
                items.add(new SceneGenerator.Item(SceneGenerator.Kind.VENDOR, stall.x() + 1.7, stall.z() - 0.3, seed + 5, 0));
            }
            int walkers = fr.nextInt(4);
            for (int p = 0; p < walkers; p++) { // people passing: somewhere else in every frame
                double[] a = fr.nextBoolean() || stage.walk2 == null ? stage.walk : stage.walk2;
                double z = stage.zAtRow(stage.vh + (0.3 + fr.nextDouble() * 0.7) * (stage.height - stage.vh));
                items.add(new SceneGenerator.Item(SceneGenerator.Kind.PEDESTRIAN, a[0] + 0.3 + fr.nextDouble() * (a[1] - a[0] - 0.6), z,
                        fr.nextLong(), 0));
            }
            sink.accept(f, g.render(stage, recipe, items, fr.nextLong()));
        }
    }

    /** Renders the clip into an H.264 MP4 file; returns the stall's box (0..1), or null if it could not be placed. */
    public Box write(Path file) {
        Box[] stallBox = new Box[1];
        try (FFmpegFrameRecorder rec = new FFmpegFrameRecorder(file.toFile(), SceneGenerator.WIDTH, SceneGenerator.HEIGHT, 0);
             Java2DFrameConverter conv = new Java2DFrameConverter()) {
            rec.setFormat("mp4");
            rec.setVideoCodec(avcodec.AV_CODEC_ID_H264);
            rec.setVideoCodecName(ENCODER);
            rec.setPixelFormat(avutil.AV_PIX_FMT_YUV420P);
            rec.setFrameRate(FPS);
            rec.setGopSize(FPS * 2);
            rec.setVideoBitrate(600_000);
            rec.start();
            IOException[] failed = new IOException[1];
            render((f, scene) -> {
                if (failed[0] != null) {
                    return;
                }
                if (stallAt(f) && stallBox[0] == null && !scene.targets().isEmpty()) {
                    stallBox[0] = scene.targets().get(0).box();
                }
                try {
                    rec.record(conv.convert(scene.image()));
                } catch (FFmpegFrameRecorder.Exception e) {
                    failed[0] = e;
                }
            });
            if (failed[0] != null) {
                throw failed[0];
            }
            rec.stop();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
        }
        return stallBox[0];
    }

    /** Decodes a video file frame by frame (any format FFmpeg reads) into {@code TYPE_3BYTE_BGR} images. */
    public static int decode(Path file, BiConsumer<Integer, BufferedImage> sink) {
        try (FFmpegFrameGrabber grab = new FFmpegFrameGrabber(file.toFile()); Java2DFrameConverter conv = new Java2DFrameConverter()) {
            grab.start();
            int n = 0;
            for (Frame fr = grab.grabImage(); fr != null; fr = grab.grabImage()) {
                BufferedImage img = conv.convert(fr);
                BufferedImage copy = new BufferedImage(img.getWidth(), img.getHeight(), BufferedImage.TYPE_3BYTE_BGR);
                copy.getGraphics().drawImage(img, 0, 0, null);
                sink.accept(n++, copy);
            }
            grab.stop();
            return n;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot decode " + file + ": " + e.getMessage(), e);
        }
    }
}
