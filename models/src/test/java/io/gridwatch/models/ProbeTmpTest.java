package io.gridwatch.models;

import io.gridwatch.models.cnn.Task;
import io.gridwatch.models.cnn.TileClassifier;
import io.gridwatch.models.scene.SceneClip;
import io.gridwatch.models.tiles.Tiles;
import org.junit.jupiter.api.Test;
import java.nio.file.Path;

class ProbeTmpTest {
    @Test
    void probe() {
        TileClassifier obj = TileClassifier.committed(Task.OBJECTS);
        for (long seed : new long[]{31, 7}) {
        SceneClip clip = new SceneClip(seed, 60, 15, 20, 45);
        Path f = Path.of("/tmp/probe/clip" + seed + ".mp4");
        Box stall = clip.write(f);
        System.out.println("seed " + seed + " stall box " + stall + " classes " + Task.OBJECTS.classes());
        SceneClip.decode(f, (i, img) -> {
            if (i % 3 != 0) return;
            var s = obj.predictFrame(Tiles.workFrame(img));
            StringBuilder sb = new StringBuilder("f" + i + ":");
            for (int c = 1; c < 4; c++) {
                float best = 0; int bi = -1;
                for (int t = 0; t < s.probs().length; t++) if (s.probs()[t][c] > best) { best = s.probs()[t][c]; bi = t; }
                sb.append(String.format(" c%d=%.2f@(%d,%d)", c, best, s.grid().get(bi)[0], s.grid().get(bi)[1]));
            }
            System.out.println(sb);
        });
        }
    }
}
