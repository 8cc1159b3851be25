package io.gridwatch.models.scene;

import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.util.SplittableRandom;

/**
 * The light of an hour put on a frame drawn in daylight, as a fixed camera sees a day go by (for {@link DayScenario}):
 * the colour and level of the sun (low and warm in the morning, full at noon with the whites clipped, orange and dim
 * at dusk), a side light that swings across the view from left to right as the sun moves, sensor noise that grows as
 * the light fails, and the camera's auto exposure pulling a dim frame up, its noise with it (as {@link SceneGenerator}
 * does for its own lights). Interpolated between the hours, so a clip's light changes smoothly frame by frame.
 *
 * @param rgb   the light's colour and level (factors on R, G, B)
 * @param side  how much brighter the right edge is than the left (−: the left), as a share
 * @param noise sensor noise σ (grey levels) added before the exposure
 */
public record DayLight(double[] rgb, double side, double noise) {

    /** Hours at 0 (morning), 0.45 (noon), 0.75 (afternoon) and 1 (dusk): level and colour, side light, noise. */
    private static final double[] AT = {0, 0.45, 0.75, 1};
    private static final double[][] RGB = {{0.80, 0.74, 0.66}, {1.12, 1.12, 1.10}, {0.98, 0.92, 0.84}, {0.52, 0.40, 0.33}};
    private static final double[] SIDE = {-0.22, 0, 0.15, 0.25};
    private static final double[] NOISE = {3, 1.5, 2, 6};

    /** The light at time of day {@code t} (0 morning … 1 dusk). */
    public static DayLight at(double t) {
        t = Math.max(0, Math.min(1, t));
        int k = 0;
        while (k < AT.length - 2 && t > AT[k + 1]) {
            k++;
        }
        double a = (t - AT[k]) / (AT[k + 1] - AT[k]);
        double[] rgb = new double[3];
        for (int c = 0; c < 3; c++) {
            rgb[c] = RGB[k][c] + (RGB[k + 1][c] - RGB[k][c]) * a;
        }
        return new DayLight(rgb, SIDE[k] + (SIDE[k + 1] - SIDE[k]) * a, NOISE[k] + (NOISE[k + 1] - NOISE[k]) * a);
    }

    /** Lights a {@code TYPE_3BYTE_BGR} frame in place. */
    public void apply(BufferedImage img, SplittableRandom r) {
        byte[] px = ((DataBufferByte) img.getRaster().getDataBuffer()).getData();
        int w = img.getWidth();
        int n = px.length / 3;
        double[] out = new double[px.length];
        double sum = 0;
        for (int i = 0; i < n; i++) {
            double k = 1 + side * ((i % w) / (double) w - 0.5);
            for (int c = 0; c < 3; c++) { // BGR order: blue is rgb[2]
                double v = (px[3 * i + c] & 0xFF) * rgb[2 - c] * k + r.nextGaussian() * noise;
                v = Math.max(0, Math.min(255, v));
                out[3 * i + c] = v;
                sum += v;
            }
        }
        double mean = sum / px.length;
        double gain = Math.max(1, Math.min(SceneGenerator.AUTO_EXPOSURE_MAX_GAIN, 100 / Math.max(1, mean)));
        for (int i = 0; i < px.length; i++) {
            px[i] = (byte) Draw.clamp(out[i] * gain);
        }
    }
}
