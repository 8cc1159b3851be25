package io.gridwatch.models.eval;

import io.gridwatch.json.Json;
import io.gridwatch.models.SceneClass;
import io.gridwatch.models.cnn.ModelMetadata;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.XYPlot;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Writes an evaluation into a report folder: metrics JSON, confusion matrices (CSV and text), PR curves (PNG), a summary.
 * Every file name starts with the report's prefix, so that two reports share a folder without overwriting each other
 * (the generated-scene report has none; the photo report {@link PhotoEvaluation#PREFIX}).
 */
public final class ReportWriter {

    private final Path dir;
    private final String prefix;
    private final Map<String, Object> metrics = new LinkedHashMap<>();
    private final StringBuilder summary = new StringBuilder();
    private final String title;

    public ReportWriter(Path dir, String title) {
        this(dir, "", title);
    }

    public ReportWriter(Path dir, String prefix, String title) {
        this.dir = dir;
        this.prefix = prefix;
        this.title = title;
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        summary.append(title).append("\n\n");
    }

    public String title() {
        return title;
    }

    public Path dir() {
        return dir;
    }

    /** The report's file of this name: {@code <dir>/<prefix><name>}. */
    public Path file(String name) {
        return dir.resolve(prefix + name);
    }

    /** Adds a block to metrics.json. */
    public void put(String key, Object value) {
        metrics.put(key, value);
    }

    /** Adds one model's tile scores (and, if given, its distractor-only scores); returns the summary lines added. */
    public String add(String name, TileScores scores, TileScores distractors) {
        ModelMetadata.Metrics m = scores.metrics(distractors);
        metrics.put(name, m);
        ConfusionMatrix cm = scores.confusion();
        StringBuilder s = new StringBuilder();
        s.append(String.format(Locale.ROOT, "%s — %,d tiles%n", name, scores.size()));
        s.append(String.format(Locale.ROOT, "  %-9s %9s %9s %9s %9s %8s%n", "class", "precision", "recall", "F1", "AP", "support"));
        m.perClass().forEach((c, v) -> s.append(String.format(Locale.ROOT, "  %-9s %9s %9s %9s %9s %8d%n", c, text(v.precision()), text(v.recall()),
                text(v.f1()), text(v.averagePrecision()), v.support())));
        s.append("  accuracy ").append(text(m.accuracy())).append('\n');
        if (distractors != null) {
            s.append(String.format(Locale.ROOT, "  specificity on distractor-only scenes: %s (%,d tiles, %d called something)%n",
                    text(m.distractorSpecificity()), distractors.size(), Math.round((1 - distractors.shareNone()) * distractors.size())));
        }
        if (m.perClass().values().stream().anyMatch(v -> v.recall() == null)) {
            s.append("  n/a: not defined here — recall, F1 and AP of a class with no tiles of it, precision of a class no tile was called\n");
        }
        s.append("  confusion matrix (rows: truth, columns: predicted)\n");
        cm.toText().lines().forEach(l -> s.append("  ").append(l).append('\n'));
        summary.append(s).append('\n');
        try {
            Files.writeString(file(name + "-confusion.csv"), cm.toCsv());
            writePr(name, scores);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return s.toString();
    }

    private static String text(Double v) {
        return v == null ? Figures.NOT_AVAILABLE : Figures.text(v);
    }

    public void note(String text) {
        summary.append(text).append('\n');
    }

    private void writePr(String name, TileScores scores) throws IOException {
        XYSeriesCollection data = new XYSeriesCollection();
        for (int c = 1; c < scores.task().classes().size(); c++) {
            SceneClass cls = scores.task().classes().get(c);
            PrCurve pr = scores.prCurve(c);
            XYSeries s = new XYSeries(pr.positives() == 0 ? cls.id() + " (no tiles of it: AP n/a)"
                    : String.format(Locale.ROOT, "%s (AP %.3f)", cls.id(), pr.averagePrecision()), false, true);
            if (pr.positives() > 0) {
                for (PrCurve.Point p : pr.points()) {
                    s.add(p.recall(), p.precision());
                }
            }
            data.addSeries(s);
        }
        JFreeChart chart = ChartFactory.createXYLineChart("PR curves: " + name, "recall", "precision", data, PlotOrientation.VERTICAL,
                true, false, false);
        XYPlot plot = chart.getXYPlot();
        plot.getDomainAxis().setRange(0, 1.0);
        plot.getRangeAxis().setRange(0, 1.02);
        ChartUtils.saveChartAsPNG(file(name + "-pr.png").toFile(), chart, 640, 480);
    }

    /** Writes metrics.json and summary.txt; returns the summary. */
    public String finish() {
        try {
            Json.mapper().writerWithDefaultPrettyPrinter().writeValue(file("metrics.json").toFile(), metrics);
            Files.writeString(file("summary.txt"), summary.toString());
            return summary.toString();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
