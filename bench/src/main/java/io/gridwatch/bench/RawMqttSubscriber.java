package io.gridwatch.bench;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.LongAdder;

/**
 * A minimal MQTT 3.1.1 QoS 1 subscriber over a plain socket that acknowledges every message and does nothing else:
 * the cheapest possible consumer, to measure what the broker alone can carry on this machine (the ceiling for
 * anything behind it). PUBACKs are written through a buffer and flushed whenever the input is drained.
 */
final class RawMqttSubscriber implements AutoCloseable {

    private final Socket socket;
    private final OutputStream out;
    private final DataInputStream in;
    private final Thread reader;
    final LongAdder received = new LongAdder();
    private volatile boolean closing;

    RawMqttSubscriber(String mqttUri, String clientId, String filter) throws IOException {
        URI uri = URI.create(mqttUri);
        this.socket = new Socket(uri.getHost(), uri.getPort());
        this.out = new BufferedOutputStream(socket.getOutputStream(), 64 * 1024);
        this.in = new DataInputStream(new BufferedInputStream(socket.getInputStream(), 64 * 1024));
        byte[] id = clientId.getBytes(StandardCharsets.UTF_8);
        byte[] variable = {0, 4, 'M', 'Q', 'T', 'T', 4, 0x02, 0, 0}; // clean session, keep-alive 0
        out.write(0x10);
        MqttWire.writeLength(out, variable.length + 2 + id.length);
        out.write(variable);
        MqttWire.writeString(out, id);
        out.flush();
        expect(0x20, "CONNACK");
        byte[] f = filter.getBytes(StandardCharsets.UTF_8);
        out.write(0x82); // SUBSCRIBE
        MqttWire.writeLength(out, 2 + 2 + f.length + 1);
        out.write(0);
        out.write(1);
        MqttWire.writeString(out, f);
        out.write(1); // QoS 1
        out.flush();
        expect(0x90, "SUBACK");
        this.reader = new Thread(this::read, "bench-subscriber-" + clientId);
        reader.setDaemon(true);
        reader.start();
    }

    private void expect(int type, String name) throws IOException {
        int t = in.readUnsignedByte();
        byte[] body = new byte[MqttWire.readLength(in)];
        in.readFully(body);
        if (t != type || (type == 0x20 && body[1] != 0) || (type == 0x90 && (body[body.length - 1] & 0xff) >= 0x80)) {
            throw new IOException("MQTT broker answered " + Integer.toHexString(t) + " instead of " + name);
        }
    }

    private void read() {
        try {
            while (!closing) {
                if (in.available() == 0) {
                    out.flush();
                }
                int type = in.readUnsignedByte();
                int len = MqttWire.readLength(in);
                if ((type & 0xf0) == 0x30) {
                    int topicLen = in.readUnsignedShort();
                    in.skipNBytes(topicLen);
                    int qos = (type >> 1) & 3;
                    int rest = len - 2 - topicLen;
                    if (qos > 0) {
                        int id = in.readUnsignedShort();
                        rest -= 2;
                        out.write(0x40);
                        out.write(2);
                        out.write(id >> 8);
                        out.write(id & 0xff);
                    }
                    in.skipNBytes(rest);
                    received.increment();
                } else {
                    in.skipNBytes(len);
                }
            }
        } catch (IOException e) {
            if (!closing) {
                System.err.println("subscriber stopped: " + e);
            }
        }
    }

    @Override
    public void close() throws IOException {
        closing = true;
        socket.close();
    }
}
