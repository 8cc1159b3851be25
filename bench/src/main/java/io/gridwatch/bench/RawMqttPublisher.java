package io.gridwatch.bench;

import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * A minimal MQTT 3.1.1 QoS 1 publisher over a plain socket, as a device fleet's load generator: a fraction of
 * Paho's CPU per message, so that the generator takes as little as possible of the two cores it shares with
 * the system under test. Keeps at most {@code window} messages unacknowledged (a PUBACK reader thread releases
 * them) and counts what the broker acknowledged. Clean session, keep-alive 0 (no pings needed).
 */
final class RawMqttPublisher implements AutoCloseable {

    private final Socket socket;
    private final OutputStream out;
    private final DataInputStream in;
    private final Semaphore window;
    private final int windowSize;
    private final Thread reader;
    final LongAdder acked = new LongAdder();
    private int nextId = 1;
    private volatile IOException failure;

    RawMqttPublisher(String mqttUri, String clientId, int window) throws IOException {
        URI uri = URI.create(mqttUri);
        this.socket = new Socket(uri.getHost(), uri.getPort());
        socket.setTcpNoDelay(true);
        this.out = new BufferedOutputStream(socket.getOutputStream(), 64 * 1024);
        this.in = new DataInputStream(new java.io.BufferedInputStream(socket.getInputStream(), 64 * 1024));
        this.windowSize = window;
        this.window = new Semaphore(window);
        byte[] id = clientId.getBytes(StandardCharsets.UTF_8);
        // CONNECT: protocol "MQTT" level 4, flags clean session, keep-alive 0
        byte[] variable = {0, 4, 'M', 'Q', 'T', 'T', 4, 0x02, 0, 0};
        int remaining = variable.length + 2 + id.length;
        out.write(0x10);
        MqttWire.writeLength(out, remaining);
        out.write(variable);
        MqttWire.writeString(out, id);
        out.flush();
        int type = in.readUnsignedByte();
        int len = in.readUnsignedByte();
        byte[] ack = new byte[len];
        in.readFully(ack);
        if (type != 0x20 || ack[1] != 0) {
            throw new IOException("MQTT broker refused the connection: CONNACK " + Integer.toHexString(type) + " code " + ack[1]);
        }
        this.reader = new Thread(this::readAcks, "bench-puback-" + clientId);
        reader.setDaemon(true);
        reader.start();
    }

    private void readAcks() {
        try {
            while (true) {
                int type = in.readUnsignedByte();
                int len = MqttWire.readLength(in);
                in.skipNBytes(len);
                if ((type & 0xf0) == 0x40) { // PUBACK
                    acked.increment();
                    window.release();
                }
            }
        } catch (IOException e) {
            failure = e;
            window.release(windowSize);
        }
    }

    /** Sends one QoS 1 PUBLISH (buffered: call {@link #flush()}); blocks while the window is full. */
    void publish(byte[] topic, byte[] payload) throws IOException, InterruptedException {
        if (!window.tryAcquire()) {
            out.flush();
            window.acquire();
        }
        if (failure != null) {
            throw failure;
        }
        int id = nextId;
        nextId = nextId == 65_535 ? 1 : nextId + 1;
        out.write(0x32); // PUBLISH, QoS 1
        MqttWire.writeLength(out, 2 + topic.length + 2 + payload.length);
        MqttWire.writeString(out, topic);
        out.write(id >> 8);
        out.write(id & 0xff);
        out.write(payload);
    }

    void flush() throws IOException {
        out.flush();
    }

    /** Waits until the broker acknowledged everything sent. */
    boolean awaitAcks(long timeoutMs) throws InterruptedException, IOException {
        flush();
        if (window.tryAcquire(windowSize, timeoutMs, TimeUnit.MILLISECONDS)) {
            window.release(windowSize);
            return failure == null;
        }
        return false;
    }

    @Override
    public void close() throws IOException {
        try {
            out.write(0xe0); // DISCONNECT
            out.write(0);
            out.flush();
        } finally {
            socket.close();
        }
    }
}
