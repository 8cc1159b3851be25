package io.gridwatch.bench;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;

/** The few MQTT 3.1.1 encodings the raw bench clients need: the variable-length "remaining length", and strings. */
final class MqttWire {

    private MqttWire() {
    }

    static void writeLength(OutputStream out, int n) throws IOException {
        do {
            int b = n % 128;
            n /= 128;
            out.write(n > 0 ? b | 0x80 : b);
        } while (n > 0);
    }

    static int readLength(DataInputStream in) throws IOException {
        int value = 0;
        int mul = 1;
        int b;
        do {
            b = in.readUnsignedByte();
            value += (b & 0x7f) * mul;
            mul *= 128;
        } while ((b & 0x80) != 0);
        return value;
    }

    /** A length-prefixed string (two bytes of length, then the bytes). */
    static void writeString(OutputStream out, byte[] s) throws IOException {
        out.write(s.length >> 8);
        out.write(s.length & 0xff);
        out.write(s);
    }
}
