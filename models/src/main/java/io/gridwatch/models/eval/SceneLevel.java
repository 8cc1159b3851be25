package io.gridwatch.models.eval;

import io.gridwatch.models.DetectedObject;
import io.gridwatch.models.SceneClass;
import io.gridwatch.models.scene.Scene;

import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The operator's question, per class: is it anywhere in this frame, and did the detector report
 * it anywhere? Coarser than the tile figures, and closer to what raises a case.
 */
public final class SceneLevel {

    /** A generated target counts as in the frame when at least this many of its pixels are visible. */
    public static final int MIN_VISIBLE_PIXELS = 400;

    private final Map<SceneClass, ConfusionMatrix> per = new LinkedHashMap<>();
    private int frames;

    public SceneLevel() {
        for (SceneClass c : List.of(SceneClass.STALL, SceneClass.GARBAGE, SceneClass.WATER, SceneClass.SNOW)) {
            per.put(c, new ConfusionMatrix(List.of("absent", c.id())));
        }
    }

    public void add(Set<SceneClass> truth, List<DetectedObject> found) {
        Set<SceneClass> got = EnumSet.noneOf(SceneClass.class);
        found.forEach(d -> got.add(SceneClass.of(d.label())));
        per.forEach((c, cm) -> cm.add(truth.contains(c) ? 1 : 0, got.contains(c) ? 1 : 0));
        frames++;
    }

    /** The classes visible in a generated scene (from its mask). */
    public static Set<SceneClass> truth(Scene s) {
        int[] n = new int[SceneClass.values().length];
        for (byte b : s.mask()) {
            n[b]++;
        }
        Set<SceneClass> t = EnumSet.noneOf(SceneClass.class);
        for (SceneClass c : SceneClass.values()) {
            if (c != SceneClass.NONE && n[c.ordinal()] >= MIN_VISIBLE_PIXELS) {
                t.add(c);
            }
        }
        return t;
    }

    public ConfusionMatrix of(SceneClass c) {
        return per.get(c);
    }

    public String toText(String what) {
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "%s (%d frames): is the class anywhere in the frame, and was it reported anywhere%n",
                what, frames));
        sb.append(String.format(Locale.ROOT, "  %-9s %7s %7s %7s %9s %9s %9s%n", "class", "frames", "found", "false", "precision", "recall", "F1"));
        per.forEach((c, cm) -> sb.append(String.format(Locale.ROOT, "  %-9s %7d %7d %7d %9s %9s %9s%n", c.id(), cm.support(1), cm.count(1, 1),
                cm.count(0, 1), Figures.text(cm.precision(1)), Figures.text(cm.recall(1)), Figures.text(cm.f1(1)))));
        if (per.values().stream().anyMatch(cm -> cm.support(1) == 0)) {
            sb.append("  n/a: not defined here — recall and F1 of a class no frame holds, precision of a class never reported\n");
        }
        return sb.toString();
    }

    /** The same figures for metrics.json, per class; a figure that is not defined is null. */
    public Map<String, Object> toMap() {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("frames", frames);
        per.forEach((c, cm) -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("frames_with_it", cm.support(1));
            m.put("found", cm.count(1, 1));
            m.put("false", cm.count(0, 1));
            m.put("precision", Figures.json(cm.precision(1)));
            m.put("recall", Figures.json(cm.recall(1)));
            m.put("f1", Figures.json(cm.f1(1)));
            out.put(c.id(), m);
        });
        return out;
    }
}
