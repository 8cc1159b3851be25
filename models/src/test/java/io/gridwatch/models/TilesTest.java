package io.gridwatch.models;

import io.gridwatch.models.tiles.Tiles;
import org.junit.jupiter.api.Test;

import java.awt.image.BufferedImage;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** How a frame is cut into what the net sees. */
class TilesTest {

    static final int P = Tiles.SIZE * Tiles.SIZE;

    /** A 320×240 frame whose red is x, green y, blue a constant: every pixel tells where it came from. */
    static BufferedImage ramp() {
        BufferedImage img = new BufferedImage(320, 240, BufferedImage.TYPE_3BYTE_BGR);
        for (int y = 0; y < 240; y++) {
            for (int x = 0; x < 320; x++) {
                img.setRGB(x, y, (Math.min(x, 255) << 16) | (y << 8) | 77);
            }
        }
        return img;
    }

    static int at(byte[] t, int plane, int x, int y) {
        return t[plane * P + y * Tiles.SIZE + x] & 0xFF;
    }

    @Test
    void theTilePlanesAreTheFramePixelsInRgbOrder() {
        byte[] t = Tiles.cut(ramp(), 96, 64, false);
        assertThat(t).hasSize(Tiles.BYTES);
        assertThat(at(t, 0, 0, 0)).isEqualTo(96);
        assertThat(at(t, 0, 63, 10)).isEqualTo(159);
        assertThat(at(t, 1, 5, 0)).isEqualTo(64);
        assertThat(at(t, 1, 5, 63)).isEqualTo(127);
        assertThat(at(t, 2, 30, 30)).isEqualTo(77);
    }

    @Test
    void mirroringFlipsTheTileLeftRight() {
        BufferedImage f = ramp();
        byte[] t = Tiles.cut(f, 96, 64, false);
        byte[] m = Tiles.cut(f, 96, 64, true);
        for (int plane = 0; plane < 3; plane++) {
            for (int y = 0; y < Tiles.SIZE; y += 7) {
                for (int x = 0; x < Tiles.SIZE; x++) {
                    assertThat(at(m, plane, x, y)).isEqualTo(at(t, plane, Tiles.SIZE - 1 - x, y));
                }
            }
        }
    }

    @Test
    void theGridCoversTheFrameWithHalfTileOverlap() {
        List<int[]> g = Tiles.grid(320, 240);
        assertThat(g).hasSize(9 * 7);
        assertThat(g.get(g.size() - 1)).containsExactly(256, 176);
        assertThat(Tiles.columns(320)).isEqualTo(9);
        assertThat(Tiles.rows(240)).isEqualTo(7);
        // a height off the stride: the last row is flush with the bottom edge
        assertThat(Tiles.rows(250)).isEqualTo(7);
        assertThat(Tiles.grid(320, 250).get(9 * 7 - 1)).containsExactly(256, 186);
    }

    @Test
    void aFrameIsCutOnceIntoItsGridTilesRowByRow() {
        BufferedImage f = ramp();
        Tiles.FrameTiles cut = Tiles.cutFrame(f);
        assertThat(cut.cols()).isEqualTo(9);
        assertThat(cut.rows()).isEqualTo(7);
        assertThat(cut.tiles()).hasSize(63);
        // tile 10 is the second tile of the second row: top-left (32, 32)
        assertThat(cut.grid().get(10)).containsExactly(32, 32);
        assertThat(cut.tiles().get(10)).isEqualTo(Tiles.cut(f, 32, 32, false));
    }
}
