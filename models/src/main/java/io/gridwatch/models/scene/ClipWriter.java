package io.gridwatch.models.scene;

import org.bytedeco.ffmpeg.global.avcodec;
import org.bytedeco.ffmpeg.global.avutil;
import org.bytedeco.javacv.FFmpegFrameRecorder;
import org.bytedeco.javacv.Java2DFrameConverter;

import java.awt.image.BufferedImage;
import java.io.UncheckedIOException;
import java.io.IOException;
import java.nio.file.Path;

/** Writes generated frames as H.264 in MP4 ({@link SceneClip#ENCODER}, {@link SceneClip#FPS} frames a second, a key frame every 2 s). */
final class ClipWriter implements AutoCloseable {

    private final Path file;
    private final FFmpegFrameRecorder rec;
    private final Java2DFrameConverter conv = new Java2DFrameConverter();

    ClipWriter(Path file, int width, int height) {
        this.file = file;
        rec = new FFmpegFrameRecorder(file.toFile(), width, height, 0);
        rec.setFormat("mp4");
        rec.setVideoCodec(avcodec.AV_CODEC_ID_H264);
        rec.setVideoCodecName(SceneClip.ENCODER);
        rec.setPixelFormat(avutil.AV_PIX_FMT_YUV420P);
        rec.setFrameRate(SceneClip.FPS);
        rec.setGopSize(SceneClip.FPS * 2);
        rec.setVideoBitrate(Math.max(600_000, width * height * 8));
        try {
            rec.start();
        } catch (FFmpegFrameRecorder.Exception e) {
            conv.close();
            throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    void add(BufferedImage image) {
        try {
            rec.record(conv.convert(image));
        } catch (FFmpegFrameRecorder.Exception e) {
            throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        try {
            rec.stop();
            rec.release();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot finish " + file + ": " + e.getMessage(), e);
        } finally {
            conv.close();
        }
    }
}
