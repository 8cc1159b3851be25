package io.gridwatch.ingest.video;

import org.bytedeco.ffmpeg.global.avcodec;
import org.bytedeco.ffmpeg.global.avutil;
import org.bytedeco.ffmpeg.global.swscale;
import org.bytedeco.javacv.Frame;
import org.bytedeco.javacv.Java2DFrameConverter;

import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.MemoryCacheImageOutputStream;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/** Encodes a decoded frame as a JPEG whose longest side is at most {@code maxSide}. Not thread-safe: one per stream. */
final class JpegEncoder implements AutoCloseable {

    /** The encoded picture and its size. */
    record Jpeg(byte[] bytes, int width, int height) {
    }

    private final int maxSide;
    private final float quality;
    private final Java2DFrameConverter converter = new Java2DFrameConverter();

    JpegEncoder(int maxSide, float quality) {
        this.maxSide = maxSide;
        this.quality = quality;
    }

    Jpeg encode(Frame frame) {
        BufferedImage src = converter.convert(frame);
        int w = src.getWidth();
        int h = src.getHeight();
        double scale = Math.min(1.0, (double) maxSide / Math.max(w, h));
        int tw = Math.max(1, (int) Math.round(w * scale));
        int th = Math.max(1, (int) Math.round(h * scale));
        BufferedImage out = src; // CameraStream has FFmpeg scale already; this is for frames that come larger
        if (tw != w || th != h) {
            out = new BufferedImage(tw, th, BufferedImage.TYPE_3BYTE_BGR);
            Graphics2D g = out.createGraphics();
            try {
                g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
                g.drawImage(src, 0, 0, tw, th, null);
            } finally {
                g.dispose();
            }
        }
        ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(64 * 1024);
        try (MemoryCacheImageOutputStream ios = new MemoryCacheImageOutputStream(bytes)) {
            writer.setOutput(ios);
            ImageWriteParam p = writer.getDefaultWriteParam();
            p.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
            p.setCompressionQuality(quality);
            writer.write(null, new IIOImage(out, null, null), p);
        } catch (IOException e) {
            throw new UncheckedIOException("JPEG encoding failed: " + e.getMessage(), e);
        } finally {
            writer.dispose();
        }
        return new Jpeg(bytes.toByteArray(), tw, th);
    }

    private org.bytedeco.ffmpeg.avcodec.AVCodecContext mjpeg;
    private org.bytedeco.ffmpeg.avutil.AVFrame yuv;
    private org.bytedeco.ffmpeg.avcodec.AVPacket packet;
    private org.bytedeco.ffmpeg.swscale.SwsContext sws;
    private long pts;

    /**
     * Encodes a decoder's picture (8-bit YUV or grey) with FFmpeg's MJPEG encoder, shrunk to {@code w}×{@code h} by FFmpeg's
     * fast bilinear scaler straight into full-range YUV 4:2:0: no BGR picture is made. Quality: MJPEG's qscale from
     * {@code quality} (0.8 → 4, about libjpeg's quality 80).
     */
    Jpeg encode(org.bytedeco.ffmpeg.avutil.AVFrame picture, int w, int h) {
        if (mjpeg == null || mjpeg.width() != w || mjpeg.height() != h) {
            openMjpeg(w, h);
        }
        sws = swscale.sws_getCachedContext(sws, picture.width(), picture.height(), picture.format(), w, h, avutil.AV_PIX_FMT_YUVJ420P,
                swscale.SWS_FAST_BILINEAR, null, null, (org.bytedeco.javacpp.DoublePointer) null);
        if (sws == null) {
            throw new IllegalStateException("cannot convert pixel format " + picture.format() + " for JPEG");
        }
        check(avutil.av_frame_make_writable(yuv), "av_frame_make_writable");
        try (org.bytedeco.javacpp.PointerPointer<?> src = new org.bytedeco.javacpp.PointerPointer<>(picture);
             org.bytedeco.javacpp.PointerPointer<?> dst = new org.bytedeco.javacpp.PointerPointer<>(yuv)) {
            swscale.sws_scale(sws, src, picture.linesize(), 0, picture.height(), dst, yuv.linesize());
        }
        yuv.pts(pts++);
        check(avcodec.avcodec_send_frame(mjpeg, yuv), "avcodec_send_frame");
        check(avcodec.avcodec_receive_packet(mjpeg, packet), "avcodec_receive_packet");
        try {
            byte[] out = new byte[packet.size()];
            packet.data().get(out);
            return new Jpeg(out, w, h);
        } finally {
            avcodec.av_packet_unref(packet);
        }
    }

    private void openMjpeg(int w, int h) {
        freeMjpeg();
        org.bytedeco.ffmpeg.avcodec.AVCodec codec = avcodec.avcodec_find_encoder(avcodec.AV_CODEC_ID_MJPEG);
        if (codec == null) {
            throw new IllegalStateException("this FFmpeg build has no MJPEG encoder");
        }
        mjpeg = avcodec.avcodec_alloc_context3(codec);
        mjpeg.width(w);
        mjpeg.height(h);
        mjpeg.pix_fmt(avutil.AV_PIX_FMT_YUVJ420P);
        mjpeg.time_base(avutil.av_make_q(1, 25));
        mjpeg.thread_count(1);
        int q = Math.max(2, Math.min(31, Math.round((1 - quality) * 20)));
        mjpeg.flags(mjpeg.flags() | avcodec.AV_CODEC_FLAG_QSCALE);
        mjpeg.global_quality(q * avutil.FF_QP2LAMBDA);
        check(avcodec.avcodec_open2(mjpeg, codec, (org.bytedeco.ffmpeg.avutil.AVDictionary) null), "avcodec_open2 (mjpeg)");
        yuv = avutil.av_frame_alloc();
        yuv.format(avutil.AV_PIX_FMT_YUVJ420P);
        yuv.width(w);
        yuv.height(h);
        yuv.quality(q * avutil.FF_QP2LAMBDA);
        check(avutil.av_frame_get_buffer(yuv, 32), "av_frame_get_buffer");
        packet = avcodec.av_packet_alloc();
    }

    private static void check(int ret, String what) {
        if (ret < 0) {
            throw new IllegalStateException("JPEG encoding failed: " + what + " returned " + ret);
        }
    }

    private void freeMjpeg() {
        if (mjpeg != null) {
            avcodec.avcodec_free_context(mjpeg);
            mjpeg = null;
        }
        if (yuv != null) {
            avutil.av_frame_free(yuv);
            yuv = null;
        }
        if (packet != null) {
            avcodec.av_packet_free(packet);
            packet = null;
        }
    }

    @Override
    public void close() {
        converter.close();
        freeMjpeg();
        if (sws != null) {
            swscale.sws_freeContext(sws);
            sws = null;
        }
    }
}
