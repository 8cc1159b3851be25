package io.gridwatch.stack;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;

import static org.assertj.core.api.Assertions.assertThat;

class PortOwnerTest {

    @Test
    void findsTheProcessThatListens() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"))) {
            int port = socket.getLocalPort();
            assertThat(PortOwner.of(port)).hasValueSatisfying(owner -> {
                assertThat(owner.pid()).isEqualTo(ProcessHandle.current().pid());
                assertThat(owner.name()).isEqualTo("java");
            });
            assertThat(PortOwner.accepts("127.0.0.1", port)).isTrue();
            assertThat(PortOwner.takenMessage(port, "stack.mqtt.port"))
                    .startsWith("port " + port + " is taken by pid " + ProcessHandle.current().pid() + " (java")
                    .endsWith("; stop it or set stack.mqtt.port in a config file");
        }
    }

    @Test
    void aFreePortHasNoOwner() throws IOException {
        int port;
        try (ServerSocket socket = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"))) {
            port = socket.getLocalPort();
        }
        assertThat(PortOwner.of(port)).isEmpty();
        assertThat(PortOwner.accepts("127.0.0.1", port)).isFalse();
    }
}
