package io.gridwatch.stack;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Finds which process listens on a local TCP port, from /proc/net/tcp{,6} (socket inodes in state LISTEN)
 * and the {@code socket:[inode]} links under /proc/PID/fd. Processes of other users can be invisible to
 * non-root users; then the owner is unknown.
 */
public final class PortOwner {

    private static final String LISTEN = "0A";

    private PortOwner() {
    }

    /** The process listening on {@code port}, if there is one and it is visible. */
    public static Optional<LinuxProcess> of(int port) {
        Set<String> inodes = listeningInodes(port);
        if (inodes.isEmpty()) {
            return Optional.empty();
        }
        try (DirectoryStream<Path> procs = Files.newDirectoryStream(Path.of("/proc"), p -> p.getFileName().toString().matches("\\d+"))) {
            for (Path proc : procs) {
                if (ownsSocket(proc, inodes)) {
                    Optional<LinuxProcess> owner = LinuxProcess.of(Long.parseLong(proc.getFileName().toString()));
                    if (owner.isPresent()) {
                        return owner;
                    }
                }
            }
        } catch (IOException e) {
            return Optional.empty();
        }
        return Optional.empty();
    }

    /** Whether something accepts TCP connections on host:port. */
    public static boolean accepts(String host, int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(host, port), 1000);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * The message for a port that something else holds:
     * {@code port 9092 is taken by pid 1234 (java … some.Main); stop it or set stack.kafka.port in a config file}.
     */
    public static String takenMessage(int port, String configKey) {
        String owner = of(port).map(LinuxProcess::describe).orElse("another process (its owner is not visible to this user)");
        return "port " + port + " is taken by " + owner + "; stop it or set " + configKey + " in a config file";
    }

    private static Set<String> listeningInodes(int port) {
        Set<String> inodes = new HashSet<>();
        for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
            List<String> lines;
            try {
                lines = Files.readAllLines(Path.of(table));
            } catch (IOException e) {
                continue;
            }
            for (String line : lines.subList(Math.min(1, lines.size()), lines.size())) {
                // sl local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode
                String[] f = line.trim().split("\\s+");
                if (f.length < 10 || !LISTEN.equals(f[3])) {
                    continue;
                }
                String local = f[1];
                int localPort = Integer.parseInt(local.substring(local.lastIndexOf(':') + 1), 16);
                if (localPort == port && !"0".equals(f[9])) {
                    inodes.add("socket:[" + f[9] + "]");
                }
            }
        }
        return inodes;
    }

    private static boolean ownsSocket(Path proc, Set<String> inodes) {
        try (DirectoryStream<Path> fds = Files.newDirectoryStream(proc.resolve("fd"))) {
            for (Path fd : fds) {
                try {
                    if (inodes.contains(Files.readSymbolicLink(fd).toString())) {
                        return true;
                    }
                } catch (IOException | UnsupportedOperationException e) {
                    // the descriptor closed meanwhile
                }
            }
        } catch (IOException | SecurityException e) {
            // a process that ended, or one this user may not look into
        }
        return false;
    }

    /**
     * A TCP port free on 127.0.0.1 now, for a server to be started on it (tests, benchmarks). Taken below the
     * kernel's ephemeral range (32768 and up): a port handed out for {@code bind(0)} may be handed to the next
     * outgoing connection too before the server binds it, which made a broker fail to start now and then.
     */
    public static int freePort() {
        java.util.concurrent.ThreadLocalRandom random = java.util.concurrent.ThreadLocalRandom.current();
        for (int attempt = 0; attempt < 200; attempt++) {
            int port = 20_000 + random.nextInt(12_000);
            try (java.net.ServerSocket s = new java.net.ServerSocket()) {
                s.bind(new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), port));
                return port;
            } catch (java.io.IOException taken) {
                // try another
            }
        }
        throw new IllegalStateException("no free TCP port found in 20000..31999 on 127.0.0.1");
    }
}
