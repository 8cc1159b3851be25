package io.gridwatch.jobs;

import io.gridwatch.evidence.EvidenceStore;

import javax.imageio.ImageIO;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.Serializable;

/**
 * How the video job makes and keeps its evidence pictures: a {@link Renderer} that prepares a frame for keeping (its
 * box drawn; faces and licence plates blurred), and the {@link EvidenceStore} it goes to. Both are serialisable
 * factories, so that the job graph carries them and each operator instance opens its own.
 */
public final class EvidencePictures {

    private EvidencePictures() {
    }

    /** Prepares a frame for keeping: the picture that is stored, never the raw frame. */
    @FunctionalInterface
    public interface Renderer extends Serializable {
        byte[] render(byte[] jpeg, double[] box) throws IOException;
    }

    /** Opens the evidence store of one operator instance. */
    @FunctionalInterface
    public interface StoreFactory extends Serializable {
        EvidenceStore open() throws IOException;
    }

    /**
     * Draws the box only. Stands in until the renderer that also blurs faces and licence plates (branch
     * {@code evidence}, models/) is merged; swap it in {@link SensorPipelineJob}.
     */
    public static Renderer boxOnly() {
        return EvidencePictures::drawBox;
    }

    static byte[] drawBox(byte[] jpeg, double[] box) throws IOException {
        BufferedImage img = ImageIO.read(new ByteArrayInputStream(jpeg));
        if (img == null) {
            throw new IOException("not a JPEG");
        }
        BufferedImage out = new BufferedImage(img.getWidth(), img.getHeight(), BufferedImage.TYPE_3BYTE_BGR);
        Graphics2D g = out.createGraphics();
        g.drawImage(img, 0, 0, null);
        if (box != null) {
            g.setColor(Color.RED);
            g.setStroke(new BasicStroke(Math.max(2f, img.getWidth() / 160f)));
            int x1 = (int) Math.round(box[0] * img.getWidth());
            int y1 = (int) Math.round(box[1] * img.getHeight());
            g.drawRect(x1, y1, (int) Math.round(box[2] * img.getWidth()) - x1, (int) Math.round(box[3] * img.getHeight()) - y1);
        }
        g.dispose();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(jpeg.length + 1024);
        ImageIO.write(out, "jpg", bytes);
        return bytes.toByteArray();
    }
}
