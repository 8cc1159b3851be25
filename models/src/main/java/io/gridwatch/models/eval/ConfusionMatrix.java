package io.gridwatch.models.eval;

import java.util.List;

/**
 * Counts of (truth, prediction) pairs and the figures computed from them, nothing else: every
 * number in a report is recomputed from the predictions through this class.
 * Rows are the truth, columns the prediction.
 */
public final class ConfusionMatrix {

    private final List<String> classes;
    private final long[][] m;

    public ConfusionMatrix(List<String> classes) {
        this.classes = List.copyOf(classes);
        this.m = new long[classes.size()][classes.size()];
    }

    public void add(int truth, int predicted) {
        m[truth][predicted]++;
    }

    public List<String> classes() {
        return classes;
    }

    public long count(int truth, int predicted) {
        return m[truth][predicted];
    }

    public long total() {
        long t = 0;
        for (long[] row : m) {
            for (long v : row) {
                t += v;
            }
        }
        return t;
    }

    /** Tiles whose truth is class c. */
    public long support(int c) {
        long s = 0;
        for (long v : m[c]) {
            s += v;
        }
        return s;
    }

    public long predictedAs(int c) {
        long s = 0;
        for (long[] row : m) {
            s += row[c];
        }
        return s;
    }

    /**
     * Of the tiles predicted as c, the share that are c; NaN ("n/a") when none was predicted: there is nothing to be
     * right or wrong about. A class with no examples that was predicted has precision 0.
     */
    public double precision(int c) {
        long p = predictedAs(c);
        return p == 0 ? Double.NaN : (double) m[c][c] / p;
    }

    /** Of the tiles that are c, the share predicted as c; NaN ("n/a") when there are none: no examples, no recall. */
    public double recall(int c) {
        long s = support(c);
        return s == 0 ? Double.NaN : (double) m[c][c] / s;
    }

    /**
     * 2·TP / (2·TP + FP + FN), the harmonic mean of precision and recall where both are defined and 0 where examples
     * were all missed; NaN ("n/a") for a class with no examples, whose figure would say nothing about finding it.
     */
    public double f1(int c) {
        long s = support(c);
        if (s == 0) {
            return Double.NaN;
        }
        long tp = m[c][c];
        return 2.0 * tp / (2.0 * tp + (predictedAs(c) - tp) + (s - tp));
    }

    /** Share of all tiles predicted right; NaN when there are none. */
    public double accuracy() {
        long t = total();
        long ok = 0;
        for (int i = 0; i < m.length; i++) {
            ok += m[i][i];
        }
        return t == 0 ? Double.NaN : (double) ok / t;
    }

    public long[][] counts() {
        long[][] c = new long[m.length][];
        for (int i = 0; i < m.length; i++) {
            c[i] = m[i].clone();
        }
        return c;
    }

    /** A fixed-width text table: truth down, prediction across. */
    public String toText() {
        StringBuilder sb = new StringBuilder(String.format("%-12s", "truth\\pred"));
        classes.forEach(c -> sb.append(String.format("%10s", c)));
        sb.append('\n');
        for (int i = 0; i < m.length; i++) {
            sb.append(String.format("%-12s", classes.get(i)));
            for (long v : m[i]) {
                sb.append(String.format("%10d", v));
            }
            sb.append('\n');
        }
        return sb.toString();
    }

    public String toCsv() {
        StringBuilder sb = new StringBuilder("truth");
        classes.forEach(c -> sb.append(',').append(c));
        sb.append('\n');
        for (int i = 0; i < m.length; i++) {
            sb.append(classes.get(i));
            for (long v : m[i]) {
                sb.append(',').append(v);
            }
            sb.append('\n');
        }
        return sb.toString();
    }
}
