package io.gridwatch.models.eval;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * Precision and recall of one class over every score threshold (one-vs-rest), and the average
 * precision (area under the step curve). Ties in score are taken together, as a threshold does.
 * With no positive examples recall and average precision are NaN ("n/a"), not 1: nothing was there to find.
 */
public final class PrCurve {

    /** One point: with threshold t, predicting the class where score ≥ t gives this precision and recall. */
    public record Point(double threshold, double precision, double recall) {
    }

    private final List<Point> points;
    private final double averagePrecision;
    private final long positives;

    public PrCurve(double[] scores, boolean[] positive) {
        Integer[] idx = new Integer[scores.length];
        for (int i = 0; i < idx.length; i++) {
            idx[i] = i;
        }
        Arrays.sort(idx, Comparator.comparingDouble((Integer i) -> -scores[i]));
        long pos = 0;
        for (boolean p : positive) {
            pos += p ? 1 : 0;
        }
        List<Point> pts = new ArrayList<>();
        long tp = 0;
        long fp = 0;
        double ap = 0;
        double lastRecall = 0;
        for (int k = 0; k < idx.length; k++) {
            if (positive[idx[k]]) {
                tp++;
            } else {
                fp++;
            }
            if (k + 1 < idx.length && scores[idx[k + 1]] == scores[idx[k]]) {
                continue;
            }
            double precision = (double) tp / (tp + fp);
            double recall = pos == 0 ? Double.NaN : (double) tp / pos;
            ap += (recall - lastRecall) * precision;
            lastRecall = recall;
            pts.add(new Point(scores[idx[k]], precision, recall));
        }
        this.points = List.copyOf(pts);
        this.positives = pos;
        this.averagePrecision = pos == 0 ? Double.NaN : ap;
    }

    public List<Point> points() {
        return points;
    }

    /** The positive examples the curve was drawn over. */
    public long positives() {
        return positives;
    }

    public double averagePrecision() {
        return averagePrecision;
    }
}
