package io.gridwatch.models;

/**
 * An axis-aligned box in 0..1 image coordinates (x to the right, y down), the shape every
 * detector reports and {@code Detection.Evidence.box} carries ({@code [x1, y1, x2, y2]}).
 */
public record Box(double x1, double y1, double x2, double y2) {

    public Box {
        if (!(x1 <= x2 && y1 <= y2)) {
            throw new IllegalArgumentException("box corners out of order: " + x1 + "," + y1 + "," + x2 + "," + y2);
        }
    }

    public static Box ofPixels(double x1, double y1, double x2, double y2, int width, int height) {
        return new Box(clamp(x1 / width), clamp(y1 / height), clamp(x2 / width), clamp(y2 / height));
    }

    public double area() {
        return (x2 - x1) * (y2 - y1);
    }

    public double iou(Box o) {
        double ix = Math.max(0, Math.min(x2, o.x2) - Math.max(x1, o.x1));
        double iy = Math.max(0, Math.min(y2, o.y2) - Math.max(y1, o.y1));
        double inter = ix * iy;
        double union = area() + o.area() - inter;
        return union <= 0 ? 0 : inter / union;
    }

    public Box union(Box o) {
        return new Box(Math.min(x1, o.x1), Math.min(y1, o.y1), Math.max(x2, o.x2), Math.max(y2, o.y2));
    }

    public double[] toArray() {
        return new double[] {x1, y1, x2, y2};
    }

    private static double clamp(double v) {
        return Math.max(0, Math.min(1, v));
    }
}
