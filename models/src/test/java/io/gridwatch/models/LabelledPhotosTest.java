package io.gridwatch.models;

import io.gridwatch.models.cnn.Task;
import io.gridwatch.models.eval.LabelledPhotos;
import io.gridwatch.models.cnn.TileClassifier;
import io.gridwatch.models.eval.TileScores;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class LabelledPhotosTest {

    @TempDir
    Path dir;

    private void photo(String name, int w, int h) throws Exception {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setColor(Color.GRAY);
        g.fillRect(0, 0, w, h);
        g.dispose();
        ImageIO.write(img, "jpg", dir.resolve(name).toFile());
    }

    @Test
    void boxesBecomeTileTruthOnTheScaledPhoto() throws Exception {
        photo("a.jpg", 1280, 960); // scaled to 320 × 240: a 4× smaller frame, the same tile grid as generated scenes
        photo("b.jpg", 640, 480);
        Path csv = Files.writeString(dir.resolve("labels.csv"), """
                image,label,x1,y1,x2,y2
                a.jpg,stall,0,0,0.2,0.2667
                b.jpg,none,,,,
                """);
        List<LabelledPhotos.Photo> photos = LabelledPhotos.read(dir, csv);
        assertThat(photos).hasSize(2);
        assertThat(photos.get(1).boxes()).isEmpty();
        List<TileScores.LabelledFrame> frames = LabelledPhotos.frames(photos);
        assertThat(frames).allSatisfy(f -> assertThat(f.work().getWidth()).isEqualTo(320));
        TileScores t = TileScores.ofFrames(TileClassifier.committed(Task.OBJECTS), frames);
        // the box is 64 × 64 pixels at the top left of a's working frame: tile (0,0) is all stall; (32,0), (0,32)
        // and (32,32) are a half or a quarter stall (≥ 20 %: stall too); 63 grid tiles a photo
        int[] counts = new int[4];
        for (int truth : t.truth()) {
            counts[truth]++;
        }
        assertThat(counts[1]).isEqualTo(4);
        assertThat(counts[0] + counts[1]).isEqualTo(2 * 63); // a box edge on the tile grid leaves no ambiguous sliver
    }

    @Test
    void everyProblemIsReportedWithItsLineAndNothingIsEvaluated() throws Exception {
        photo("a.jpg", 320, 240);
        Path csv = Files.writeString(dir.resolve("labels.csv"), """
                image,label,x1,y1,x2,y2
                a.jpg,stall,0.1,0.1,0.5,0.5
                a.jpg,kiosk,0.1,0.1,0.5,0.5
                missing.jpg,none,,,,
                a.jpg,water,10,20,100,200
                """);
        assertThatThrownBy(() -> LabelledPhotos.read(dir, csv)).hasMessageContaining("3 problems")
                .hasMessageContaining("labels.csv:3: unknown class 'kiosk'")
                .hasMessageContaining("labels.csv:4: no file")
                .hasMessageContaining("labels.csv:5: x1: 10.0 is outside 0..1");
        Path bad = Files.writeString(dir.resolve("bad.csv"), "file,class\na.jpg,stall\n");
        assertThatThrownBy(() -> LabelledPhotos.read(dir, bad)).hasMessageContaining("header must be image,label,x1,y1,x2,y2");
    }
}
