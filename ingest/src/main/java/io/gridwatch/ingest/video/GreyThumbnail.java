package io.gridwatch.ingest.video;

import org.bytedeco.javacv.Frame;

import java.nio.ByteBuffer;

/**
 * A decoded picture reduced to a small grid of grey levels (0..255) for the change gate. Each
 * cell averages {@link #SAMPLES}² pixels spread over it instead of all of them: the gate must cost
 * far less than the decode it saves.
 */
final class GreyThumbnail {

    /** Pixels read per cell along each axis. */
    static final int SAMPLES = 4;

    private GreyThumbnail() {
    }

    /** Grey levels of {@code frame} (8-bit BGR or grey, as FFmpegFrameGrabber delivers) on a {@code w}×{@code h} grid. */
    static int[] of(Frame frame, int w, int h) {
        if (frame.image == null || frame.imageDepth != Frame.DEPTH_UBYTE || (frame.imageChannels != 3 && frame.imageChannels != 1)) {
            throw new IllegalArgumentException("need an 8-bit BGR or grey image, got depth " + frame.imageDepth
                    + " with " + frame.imageChannels + " channels");
        }
        return of((ByteBuffer) frame.image[0], frame.imageStride, frame.imageWidth, frame.imageHeight, frame.imageChannels, w, h);
    }

    /** Grey levels of an 8-bit picture ({@code ch} 3: BGR, 1: grey or luma) of {@code fw}×{@code fh}, rows {@code stride} bytes apart. */
    static int[] of(ByteBuffer buf, int stride, int fw, int fh, int ch, int w, int h) {
        int[] out = new int[w * h];
        for (int cy = 0; cy < h; cy++) {
            for (int cx = 0; cx < w; cx++) {
                int sum = 0;
                for (int sy = 0; sy < SAMPLES; sy++) {
                    int py = (int) (((cy + (sy + 0.5) / SAMPLES) / h) * fh);
                    int row = Math.min(py, fh - 1) * stride;
                    for (int sx = 0; sx < SAMPLES; sx++) {
                        int px = Math.min((int) (((cx + (sx + 0.5) / SAMPLES) / w) * fw), fw - 1);
                        int i = row + px * ch;
                        if (ch == 3) { // BGR: the usual luma weights, in integers
                            sum += (29 * (buf.get(i) & 0xff) + 150 * (buf.get(i + 1) & 0xff) + 77 * (buf.get(i + 2) & 0xff)) >> 8;
                        } else {
                            sum += buf.get(i) & 0xff;
                        }
                    }
                }
                out[cy * w + cx] = sum / (SAMPLES * SAMPLES);
            }
        }
        return out;
    }
}
