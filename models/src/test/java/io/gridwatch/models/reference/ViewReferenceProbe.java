package io.gridwatch.models.reference;

import io.gridwatch.models.SceneClass;
import io.gridwatch.models.cnn.Task;
import io.gridwatch.models.cnn.TileClassifier;
import io.gridwatch.models.scene.DayScenario;
import io.gridwatch.models.scene.SceneClip;
import io.gridwatch.models.tiles.Tiles;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Prints, frame by frame, what the view reference makes of the day clips (a probe run by hand, how the choices in
 * models/README.md were measured): args are day scenario ids ({@code snowfall daylight water-day}); per frame the snow
 * model's score and the whitening on the white areas, on snow tiles, the wet factor on water tiles, and the highest factors
 * elsewhere. {@code DETAIL=1} adds the snow and water tiles; {@code CELLS=SNOW|WATER} the cells of that class with their
 * changes against the reference; {@code CELLS=NONE} the cells whitened at dusk, {@code CELLS=WET} the cells found wet at
 * noon and in the afternoon. Run with {@code OMP_NUM_THREADS=1} and the models module's test class path.
 */
public class ViewReferenceProbe {

    public static void main(String[] args) throws Exception {
        TileClassifier snowModel = TileClassifier.committed(Task.SNOW);
        TileClassifier objects = TileClassifier.committed(Task.OBJECTS);
        Path dir = Files.createTempDirectory("probe");
        for (String k : args) {
            DayScenario s = DayScenario.of(DayScenario.Kind.of(k), 1, 48, 900, 0.3, k.equals("water-day") ? 0.85 : 1);
            List<DayScenario.Frame> truth = new ArrayList<>();
            s.render(truth::add);
            Path clip = dir.resolve(k + ".mp4");
            s.write(clip);
            ViewReference ref = new ViewReference();
            SceneClip.decode(clip, (i, img) -> {
                BufferedImage work = Tiles.workFrame(img);
                List<int[]> grid = Tiles.grid(work.getWidth(), work.getHeight());
                int[] xs = grid.stream().mapToInt(g -> g[0]).toArray();
                int[] ys = grid.stream().mapToInt(g -> g[1]).toArray();
                ViewReference.Measures m = ViewReference.measure(work);
                ViewReference.Judgement j = ref.judge(m, xs, ys);
                float[][] ps = snowModel.predictFrame(work).probs();
                float[][] po = objects.predictFrame(work).probs();
                DayScenario.Frame t = truth.get(i);
                StringBuilder sb = new StringBuilder(String.format("%s %2d day %.2f shift %.2f %.2f %.2f |", k, i, t.day(), j.shift()[0], j.shift()[1], j.shift()[2]));
                double[] acc = new double[12];
                if (System.getenv("CELLS") != null && !ref.learning()) {
                    for (int c = 0; c < m.cells(); c++) {
                        int cx = (c % m.cols()) * 16;
                        int cy = (c / m.cols()) * 16;
                        double share = System.getenv("CELLS").equals("WET") ? 0 : t.share(SceneClass.valueOf(System.getenv("CELLS")), cx, cy, 16, 16);
                        double ws = t.whiteShare(cx, cy, 16, 16);
                        if (System.getenv("CELLS").equals("WET") ? (i == 20 || i == 30) && j.cellWet()[c] >= 0.5 : System.getenv("CELLS").equals("NONE") ? i >= 40 && j.cellWhite()[c] >= 0.5 : share >= 0.5) {
                            System.out.printf("   cell %d share %.2f db %.2f (s %.3f) dt %.2f (s %.3f) dc %.3f (s %.3f) white %.2f wet %.2f%n", c, Math.max(share, ws),
                                    m.v()[c * 3] - j.shift()[0] - ref.stat(c, 0)[0], ref.stat(c, 0)[1], m.v()[c * 3 + 1] - j.shift()[1] - ref.stat(c, 1)[0], ref.stat(c, 1)[1],
                                    m.v()[c * 3 + 2] - j.shift()[2] - ref.stat(c, 2)[0], ref.stat(c, 2)[1], j.cellWhite()[c], j.cellWet()[c]);
                        }
                    }
                }
                for (int n = 0; n < xs.length; n++) {
                    double snow = t.share(SceneClass.SNOW, xs[n], ys[n], 64, 64);
                    double water = t.share(SceneClass.WATER, xs[n], ys[n], 64, 64);
                    double white = t.whiteShare(xs[n], ys[n], 64, 64);
                    if (System.getenv("DETAIL") != null && !ref.learning() && (snow >= 0.4 || water >= 0.05) && i % 4 == 0) {
                        System.out.printf("   tile %d snow %.2f water %.2f white %.2f wet %.2f P %.2f/%.2f%n", n, snow, water, j.white()[n], j.wet()[n], ps[n][1], po[n][3]);
                    }
                    if (white >= 0.4) {
                        acc[0] = Math.max(acc[0], ps[n][1]);
                        acc[1] = Math.max(acc[1], j.white()[n]);
                        acc[2]++;
                    } else if (snow >= 0.4) {
                        acc[3] += ps[n][1];
                        acc[4] += j.white()[n];
                        acc[5]++;
                    } else if (water >= 0.1) {
                        acc[6] += po[n][3];
                        acc[7] += j.wet()[n];
                        acc[8]++;
                    } else if (snow < 0.03 && water < 0.02 && white < 0.02) {
                        acc[9] = Math.max(acc[9], j.white()[n]);
                        acc[10] = Math.max(acc[10], j.wet()[n]);
                        acc[11] = Math.max(acc[11], ps[n][1]);
                    }
                }
                sb.append(String.format(" white(%d) snowP max %.2f whiteF max %.2f | snow(%d) snowP %.2f whiteF %.2f | water(%d) waterP %.2f wetF %.2f | clear: whiteF max %.2f wetF max %.2f snowP max %.2f",
                        (int) acc[2], acc[0], acc[1], (int) acc[5], acc[3] / Math.max(1, acc[5]), acc[4] / Math.max(1, acc[5]),
                        (int) acc[8], acc[6] / Math.max(1, acc[8]), acc[7] / Math.max(1, acc[8]), acc[9], acc[10], acc[11]));
                System.out.println(sb);
                ref.learn(t.millis(), m, j, xs, ys, null);
            });
        }
    }
}
