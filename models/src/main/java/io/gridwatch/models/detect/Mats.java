package io.gridwatch.models.detect;

import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.opencv.global.opencv_core;
import org.bytedeco.opencv.opencv_core.Mat;

import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;

/** BufferedImage ⇄ OpenCV Mat for {@code TYPE_3BYTE_BGR}, OpenCV's own pixel order, by one copy. */
final class Mats {

    private Mats() {
    }

    static Mat bgr(BufferedImage img) {
        if (img.getType() != BufferedImage.TYPE_3BYTE_BGR) {
            throw new IllegalArgumentException("expected TYPE_3BYTE_BGR");
        }
        byte[] data = ((DataBufferByte) img.getRaster().getDataBuffer()).getData();
        Mat m = new Mat(img.getHeight(), img.getWidth(), opencv_core.CV_8UC3);
        m.data().put(data);
        return m;
    }

    static byte[] bytes(Mat gray) {
        byte[] out = new byte[gray.rows() * gray.cols()];
        BytePointer p = gray.data();
        p.get(out);
        return out;
    }
}
