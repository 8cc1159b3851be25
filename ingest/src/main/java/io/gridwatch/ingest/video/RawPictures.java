package io.gridwatch.ingest.video;

import org.bytedeco.ffmpeg.avutil.AVFrame;
import org.bytedeco.ffmpeg.global.avutil;
import org.bytedeco.ffmpeg.global.swscale;
import org.bytedeco.ffmpeg.swscale.SwsContext;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.javacpp.PointerPointer;
import org.bytedeco.javacv.Frame;

import java.nio.ByteBuffer;

/**
 * The decoder's own pictures ({@code FFmpegFrameGrabber} in {@code RAW} image mode: no colour conversion), for a change
 * gate that reads the luma plane as it comes out of the decoder, and a colour conversion (with the shrink to the JPEG's
 * size) done only for the frames the gate lets through. One per connection; not thread-safe.
 */
final class RawPictures implements AutoCloseable {

    private SwsContext sws;
    private Frame bgr;

    /** The decoded picture behind a frame grabbed in RAW mode. */
    static AVFrame picture(Frame raw) {
        if (!(raw.opaque instanceof AVFrame p)) {
            throw new IllegalStateException("not a frame grabbed in RAW image mode");
        }
        return p;
    }

    /** Whether the picture's first plane is 8-bit luma (planar or semi-planar 8-bit YUV, or grey). */
    static boolean lumaPlane(AVFrame p) {
        int f = p.format();
        return f == avutil.AV_PIX_FMT_YUV420P || f == avutil.AV_PIX_FMT_YUVJ420P || f == avutil.AV_PIX_FMT_YUV422P
                || f == avutil.AV_PIX_FMT_YUVJ422P || f == avutil.AV_PIX_FMT_YUV444P || f == avutil.AV_PIX_FMT_YUVJ444P
                || f == avutil.AV_PIX_FMT_NV12 || f == avutil.AV_PIX_FMT_NV21 || f == avutil.AV_PIX_FMT_GRAY8;
    }

    /**
     * The gate's grey grid from the luma plane, on the same scale as {@link GreyThumbnail} gives from BGR: limited-range
     * luma (16..235) is stretched to 0..255. Null when the picture has no 8-bit luma plane.
     */
    static int[] lumaThumbnail(AVFrame p, int w, int h) {
        if (!lumaPlane(p)) {
            return null;
        }
        int pw = p.width();
        int ph = p.height();
        int stride = p.linesize(0);
        ByteBuffer y = p.data(0).capacity((long) stride * ph).asBuffer();
        int[] out = GreyThumbnail.of(y, stride, pw, ph, 1, w, h);
        int f = p.format();
        if (f != avutil.AV_PIX_FMT_YUVJ420P && f != avutil.AV_PIX_FMT_YUVJ422P && f != avutil.AV_PIX_FMT_YUVJ444P && f != avutil.AV_PIX_FMT_GRAY8) {
            for (int i = 0; i < out.length; i++) {
                out[i] = Math.max(0, Math.min(255, (out[i] - 16) * 255 / 219));
            }
        }
        return out;
    }

    /** The picture in BGR at {@code w}×{@code h} (FFmpeg's fast bilinear scaler); the frame is reused by the next call. */
    Frame bgr(AVFrame p, int w, int h) {
        if (bgr == null || bgr.imageWidth != w || bgr.imageHeight != h) {
            if (bgr != null) {
                bgr.close();
            }
            bgr = new Frame(w, h, Frame.DEPTH_UBYTE, 3);
        }
        sws = swscale.sws_getCachedContext(sws, p.width(), p.height(), p.format(), w, h, avutil.AV_PIX_FMT_BGR24,
                swscale.SWS_FAST_BILINEAR, null, null, (DoublePointer) null);
        if (sws == null) {
            throw new IllegalStateException("cannot convert pixel format " + p.format() + " to BGR");
        }
        try (PointerPointer<?> src = new PointerPointer<>(p); BytePointer dst = new BytePointer((ByteBuffer) bgr.image[0]);
             PointerPointer<?> dstPlanes = new PointerPointer<>(1).put(0, dst); IntPointer dstStride = new IntPointer(1).put(0, bgr.imageStride)) {
            swscale.sws_scale(sws, src, p.linesize(), 0, p.height(), dstPlanes, dstStride);
        }
        return bgr;
    }

    @Override
    public void close() {
        if (sws != null) {
            swscale.sws_freeContext(sws);
            sws = null;
        }
        if (bgr != null) {
            bgr.close();
            bgr = null;
        }
    }
}
