package io.gridwatch.models;

import io.gridwatch.models.cnn.Task;
import io.gridwatch.models.eval.LabelledPhotos;
import io.gridwatch.models.cnn.TileClassifier;
import io.gridwatch.models.eval.TileScores;
import io.gridwatch.models.tiles.Tiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertThrows;

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
                .hasMessageContaining("labels.csv:5: x1: 10 is outside 0..1 (boxes are fractions of the image's width and height, not pixels)");
        Path bad = Files.writeString(dir.resolve("bad.csv"), "file,class\na.jpg,stall\n");
        assertThatThrownBy(() -> LabelledPhotos.read(dir, bad)).hasMessageContaining("header must be image,label,x1,y1,x2,y2, got 'file,class'");
    }

    private String problems(String csvText) throws Exception {
        return problems(csvText.getBytes(StandardCharsets.UTF_8));
    }

    private String problems(byte[] csvBytes) throws Exception {
        Path csv = Files.write(dir.resolve("labels.csv"), csvBytes);
        return assertThrows(IllegalArgumentException.class, () -> LabelledPhotos.read(dir, csv)).getMessage();
    }

    @Test
    void aPositiveLabelWithoutABoxSaysSo() throws Exception {
        photo("a.jpg", 320, 240);
        assertThat(problems("image,label,x1,y1,x2,y2\na.jpg,stall,,,,\n"))
                .contains("labels.csv:2: a stall row needs its box x1,y1,x2,y2 (0..1 of the image's width and height) and has none; "
                        + "an image with none of the classes is one row labelled none");
        assertThat(problems("image,label,x1,y1,x2,y2\na.jpg,snow\n")).contains("labels.csv:2: a snow row needs its box x1,y1,x2,y2");
        assertThat(problems("image,label,x1,y1,x2,y2\na.jpg,snow,0,0.5,1\n")).contains("labels.csv:2: 5 fields where 6 belong (image,label,x1,y1,x2,y2)");
        assertThat(problems("image,label,x1,y1,x2,y2\na.jpg,water,0.1,0.2,,0.9\n"))
                .contains("labels.csv:2: x2 is empty; a water box needs all four of x1,y1,x2,y2");
    }

    @Test
    void aBoxOnANoneRowIsAnError() throws Exception {
        photo("a.jpg", 320, 240);
        assertThat(problems("image,label,x1,y1,x2,y2\na.jpg,none,0.1,0.2,0.3,0.4\n"))
                .contains("labels.csv:2: a none row has a box (0.1,0.2,0.3,0.4); none means the image shows none of stall, garbage, water, "
                        + "snow, so it has no box: give the row the class in the box, or empty x1..y2");
        photo("b.jpg", 320, 240);
        assertThat(problems("image,label,x1,y1,x2,y2\nb.jpg,none,,,,\na.jpg,none,,,,\nb.jpg,garbage,0.1,0.2,0.3,0.4\n"))
                .contains("labels.csv:4: b.jpg is labelled none on line 2 and garbage on line 4; none means the image shows none of "
                        + "stall, garbage, water, snow: drop the none row");
    }

    @Test
    void aUtf8ByteOrderMarkIsReadAsIfItWereNotThere() throws Exception {
        photo("a.jpg", 320, 240);
        String text = "image,label,x1,y1,x2,y2\r\na.jpg,stall,0.1,0.2,0.3,0.4\r\n"; // as a spreadsheet saves "CSV UTF-8"
        byte[] bom = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};
        byte[] bytes = new byte[3 + text.length()];
        System.arraycopy(bom, 0, bytes, 0, 3);
        System.arraycopy(text.getBytes(StandardCharsets.UTF_8), 0, bytes, 3, text.length());
        Path csv = Files.write(dir.resolve("labels.csv"), bytes);
        List<LabelledPhotos.Photo> photos = LabelledPhotos.read(dir, csv);
        assertThat(photos).hasSize(1);
        assertThat(photos.get(0).name()).isEqualTo("a.jpg");
        assertThat(photos.get(0).boxes()).containsExactly(new LabelledPhotos.Labelled(SceneClass.STALL, new Box(0.1, 0.2, 0.3, 0.4)));
        // a BOM before a wrong header is shown, not hidden
        byte[] wrong = "\uFEFF\uFEFFpicture,label,x1,y1,x2,y2\n".getBytes(StandardCharsets.UTF_8);
        assertThat(problems(wrong)).contains("labels.csv:1: the header must be image,label,x1,y1,x2,y2, got '\\uFEFFpicture,label,x1,y1,x2,y2'");
    }

    @Test
    void aSemicolonSeparatorIsNamed() throws Exception {
        photo("a.jpg", 320, 240);
        assertThat(problems("image;label;x1;y1;x2;y2\na.jpg;stall;0,1;0,2;0,3;0,4\n"))
                .contains("labels.csv:1: the columns are separated by ';'; this file needs commas (save or export it as CSV with ',' as the "
                        + "field separator and '.' for decimals), header image,label,x1,y1,x2,y2");
        assertThat(problems("image,label,x1,y1,x2,y2\na.jpg;stall;0.1;0.2;0.3;0.4\n"))
                .contains("labels.csv:2: 1 field where 6 belong (image,label,x1,y1,x2,y2); the fields are separated by ';', not by commas");
        assertThat(problems("image\tlabel\tx1\ty1\tx2\ty2\n")).contains("labels.csv:1: the columns are separated by tabs");
    }

    @Test
    void aFileInAnotherEncodingIsNamed() throws Exception {
        photo("a.jpg", 320, 240);
        // a Chinese image name saved by a spreadsheet in GBK: 积雪.jpg
        byte[] gbk = "image,label,x1,y1,x2,y2\na.jpg,none,,,,\n积雪.jpg,snow,0,0.5,1,1\n".getBytes(java.nio.charset.Charset.forName("GBK"));
        assertThat(problems(gbk)).contains("labels.csv:3: the file is not UTF-8 (a spreadsheet may have saved it as GBK or another local "
                + "encoding); save it as 'CSV UTF-8'");
        byte[] utf16 = "image,label,x1,y1,x2,y2\n".getBytes(StandardCharsets.UTF_16); // Java writes a big-endian BOM first
        assertThat(problems(utf16)).contains("the file is UTF-16");
    }

    @Test
    void aBoxWithoutAreaOrInPixelsIsAnError() throws Exception {
        photo("a.jpg", 320, 240);
        assertThat(problems("image,label,x1,y1,x2,y2\na.jpg,garbage,0.5,0.2,0.3,0.4\n"))
                .contains("labels.csv:2: the box 0.5,0.2,0.3,0.4 has no area: x1 must be left of x2 and y1 above y2");
        assertThat(problems("image,label,x1,y1,x2,y2\na.jpg,garbage,\"0,5\",0.2,0.6,0.4\n"))
                .contains("labels.csv:2: x1: '0,5' is not a number (decimals with '.')");
        assertThat(problems("image,label,x1,y1,x2,y2\n")).contains("labels.csv: no labelled image, only the header");
        assertThat(problems("image,label,x1,y1,x2,y2\na.jpg,,,,,\n")).contains("labels.csv:2: label is empty");
    }

    @Test
    void aPixelMayCarryTwoLabels() throws Exception {
        photo("market.jpg", 640, 480); // working frame 320 × 240
        // snow on the lower half; a stall standing on it, 64 × 64 working pixels at (0, 120)
        Path csv = Files.writeString(dir.resolve("labels.csv"), """
                image,label,x1,y1,x2,y2
                market.jpg,snow,0,0.5,1,1
                market.jpg,stall,0,0.5,0.2,0.7667
                """);
        TileScores.LabelledFrame f = LabelledPhotos.frames(LabelledPhotos.read(dir, csv)).get(0);
        List<int[]> grid = Tiles.grid(320, 240);
        int under = -1;
        for (int i = 0; i < grid.size(); i++) {
            if (grid.get(i)[0] == 0 && grid.get(i)[1] == 128) {
                under = i; // rows 128..191: seven eighths stall, all snow
            }
        }
        assertThat(f.labels(Task.OBJECTS, grid)[under]).isEqualTo(1); // stall for the objects model
        assertThat(f.labels(Task.SNOW, grid)[under]).isEqualTo(1); // and snow for the snow model
        // every tile from row 96 down is ≥ 40 % snow, the stall's included: 4 rows of 9
        assertThat(java.util.Arrays.stream(f.labels(Task.SNOW, grid)).filter(l -> l == 1).count()).isEqualTo(36);
        // a generated scene's mask has one class a pixel (what is visible), and reads as before
        byte[] mask = new byte[320 * 240];
        java.util.Arrays.fill(mask, 120 * 320, mask.length, (byte) SceneClass.SNOW.ordinal());
        assertThat(java.util.Arrays.stream(TileScores.LabelledFrame.ofMask(f.work(), mask).labels(Task.SNOW, grid)).filter(l -> l == 1).count())
                .isEqualTo(36);
    }
}
