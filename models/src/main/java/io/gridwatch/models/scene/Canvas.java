package io.gridwatch.models.scene;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.Shape;
import java.awt.geom.Rectangle2D;
import java.awt.image.BufferedImage;

/**
 * Draws each shape twice: anti-aliased into the picture, and hard-edged into the label mask
 * with the class of the thing being drawn ({@link #mask(int)}), so that the mask says exactly
 * what is visible at every pixel after occlusion. Also collects the bounds of the current item.
 */
final class Canvas {

    /** Leave the mask as it is (shadows, stains, markings: they do not change what a pixel is). */
    static final int KEEP = -1;

    final BufferedImage image;
    final BufferedImage maskImage;
    final Graphics2D g;
    final Graphics2D m;
    private int maskValue = KEEP;
    private Rectangle2D bounds;

    Canvas(int width, int height) {
        image = new BufferedImage(width, height, BufferedImage.TYPE_INT_ARGB);
        maskImage = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        g = image.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_STROKE_CONTROL, RenderingHints.VALUE_STROKE_PURE);
        m = maskImage.createGraphics();
        m.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_OFF);
        m.setRenderingHint(RenderingHints.KEY_STROKE_CONTROL, RenderingHints.VALUE_STROKE_PURE);
    }

    void mask(int value) {
        maskValue = value;
    }

    void beginItem() {
        bounds = null;
    }

    Rectangle2D endItem() {
        Rectangle2D b = bounds;
        bounds = null;
        return b;
    }

    void fill(Shape s, Color c) {
        g.setColor(c);
        g.fill(s);
        if (maskValue != KEEP) {
            m.setColor(new Color(maskValue, 0, 0));
            m.fill(s);
        }
        grow(s.getBounds2D());
    }

    void stroke(Shape s, Color c, double width) {
        BasicStroke st = new BasicStroke((float) Math.max(0.6, width), BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND);
        g.setStroke(st);
        g.setColor(c);
        g.draw(s);
        if (maskValue != KEEP) {
            m.setStroke(st);
            m.setColor(new Color(maskValue, 0, 0));
            m.draw(s);
        }
        grow(st.createStrokedShape(s).getBounds2D());
    }

    private void grow(Rectangle2D r) {
        bounds = bounds == null ? (Rectangle2D) r.clone() : bounds.createUnion(r);
    }

    /** The mask as one byte a pixel, row-major. */
    byte[] maskBytes() {
        int w = maskImage.getWidth();
        int h = maskImage.getHeight();
        int[] rgb = maskImage.getRGB(0, 0, w, h, null, 0, w);
        byte[] out = new byte[rgb.length];
        for (int i = 0; i < rgb.length; i++) {
            out[i] = (byte) ((rgb[i] >> 16) & 0xFF);
        }
        return out;
    }

    void dispose() {
        g.dispose();
        m.dispose();
    }
}
