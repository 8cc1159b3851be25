package io.gridwatch.models.evidence;

import org.bytedeco.opencv.global.opencv_core;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Rect;
import org.junit.jupiter.api.Test;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.util.List;
import java.util.function.Consumer;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link PlateFinder}'s rules one by one, on plates drawn with real proportions over a grey picture: the colour, the
 * aspect and the characters each decide. (That it finds plates in a real street photograph: {@link EvidenceFramesTest}.)
 */
class PlateFinderTest {

    private static List<PlateFinder.Plate> find(Consumer<Graphics2D> draw) {
        BufferedImage img = new BufferedImage(640, 360, BufferedImage.TYPE_3BYTE_BGR);
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setColor(new Color(120, 120, 115));
        g.fillRect(0, 0, 640, 360);
        draw.accept(g);
        g.dispose();
        byte[] data = ((DataBufferByte) img.getRaster().getDataBuffer()).getData();
        try (Mat m = new Mat(360, 640, opencv_core.CV_8UC3)) {
            m.data().put(data);
            return new PlateFinder().find(m);
        }
    }

    @Test
    void aBluePlateWithItsCharactersIsFoundWhereItIs() {
        Rect[] drawn = new Rect[1];
        List<PlateFinder.Plate> found = find(g -> drawn[0] = EvidenceFramesTest.plate(g, 200, 150, 150, 440,
                new Color(10, 60, 180), null, Color.WHITE, "B·D1234"));
        assertThat(found).singleElement().satisfies(p -> {
            assertThat(p.colour()).isEqualTo(PlateFinder.PlateColour.BLUE);
            assertThat(Math.abs(p.x() - drawn[0].x())).isLessThanOrEqualTo(3);
            assertThat(Math.abs(p.width() - drawn[0].width())).isLessThanOrEqualTo(6);
        });
    }

    @Test
    void yellowAndGreenPlatesAreFoundByTheirColour() {
        List<PlateFinder.Plate> found = find(g -> {
            EvidenceFramesTest.plate(g, 40, 40, 140, 440, new Color(250, 190, 20), null, Color.BLACK, "B·12345");
            EvidenceFramesTest.plate(g, 300, 200, 150, 480, new Color(150, 225, 160), new Color(40, 170, 80), Color.BLACK, "B·D12345");
        });
        assertThat(found).extracting(PlateFinder.Plate::colour)
                .containsExactlyInAnyOrder(PlateFinder.PlateColour.YELLOW, PlateFinder.PlateColour.GREEN);
    }

    @Test
    void aBlueSignWithoutCharactersIsNoPlate() {
        assertThat(find(g -> {
            g.setColor(new Color(10, 60, 180));
            g.fillRect(200, 150, 150, 48);
        })).isEmpty();
    }

    @Test
    void aBlueSquareWithCharactersHasTheWrongShape() {
        assertThat(find(g -> EvidenceFramesTest.plate(g, 200, 100, 150, 150, new Color(10, 60, 180), null, Color.WHITE, "B·D1234")))
                .isEmpty();
    }
}
