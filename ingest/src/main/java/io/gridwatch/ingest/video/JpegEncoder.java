package io.gridwatch.ingest.video;

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

    @Override
    public void close() {
        converter.close();
    }
}
