package io.gridwatch.ingest;

import javax.net.SocketFactory;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;

/**
 * Plain TCP sockets whose input is buffered, for Paho ({@code MqttConnectionOptions.setSocketFactory}). Paho reads
 * each MQTT packet from the socket's raw stream a field at a time (the fixed header byte, each length byte, then
 * the rest), which is one system call per field: at thousands of messages per second its receiver thread spent most
 * of its time entering the kernel. Through a buffer one call brings in many packets.
 */
public final class BufferedSocketFactory extends SocketFactory {

    /** Bytes read ahead: dozens of sensor messages. */
    static final int BUFFER_BYTES = 64 * 1024;

    @Override
    public Socket createSocket() {
        return new BufferedSocket();
    }

    @Override
    public Socket createSocket(String host, int port) throws IOException {
        return connected(null, new InetSocketAddress(host, port));
    }

    @Override
    public Socket createSocket(String host, int port, InetAddress localHost, int localPort) throws IOException {
        return connected(new InetSocketAddress(localHost, localPort), new InetSocketAddress(host, port));
    }

    @Override
    public Socket createSocket(InetAddress host, int port) throws IOException {
        return connected(null, new InetSocketAddress(host, port));
    }

    @Override
    public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort) throws IOException {
        return connected(new InetSocketAddress(localAddress, localPort), new InetSocketAddress(address, port));
    }

    private static Socket connected(InetSocketAddress local, InetSocketAddress remote) throws IOException {
        Socket s = new BufferedSocket();
        if (local != null) {
            s.bind(local);
        }
        s.connect(remote);
        return s;
    }

    private static final class BufferedSocket extends Socket {
        private InputStream in;

        @Override
        public synchronized InputStream getInputStream() throws IOException {
            if (in == null) {
                in = new BufferedInputStream(super.getInputStream(), BUFFER_BYTES);
            }
            return in;
        }
    }
}
