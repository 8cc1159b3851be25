package io.gridwatch.stack;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.common.Uuid;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * One Kafka broker in KRaft mode (broker and controller in one process) running in its own JVM, on the
 * jars that module {@code gridwatch-kafka-runtime} resolved. Its files live under {@link ServiceFiles#home()}:
 * {@code server.properties}, {@code log4j2.properties}, {@code cluster.id} and the log segments in {@code data/}.
 */
public final class KafkaBrokerProcess {

    static final String CLASSPATH_RESOURCE = "/io/gridwatch/stack/kafka-broker.classpath";
    private static final String LOG4J_RESOURCE = "/io/gridwatch/stack/kafka-log4j2.properties";
    private static final String MAIN = "kafka.Kafka";
    private static final Logger log = LoggerFactory.getLogger(KafkaBrokerProcess.class);

    private final String host;
    private final int port;
    private final int controllerPort;
    private final ServiceFiles files;
    private final boolean ownSession;
    private final PidFile pidFile;

    /**
     * @param ownSession whether the broker runs in its own session, so that it outlives the launcher's terminal
     */
    public KafkaBrokerProcess(String host, int port, int controllerPort, ServiceFiles files, boolean ownSession) {
        this.host = Objects.requireNonNull(host, "host");
        this.port = port;
        this.controllerPort = controllerPort;
        this.files = Objects.requireNonNull(files, "files");
        this.ownSession = ownSession;
        // the properties path tells our broker apart from any other broker on the machine
        this.pidFile = new PidFile(files.pidFile(), serverProperties().toString());
    }

    public String bootstrapServers() {
        return host + ":" + port;
    }

    public Path dataDir() {
        return files.home().resolve("data");
    }

    /** Our broker process, if it runs. */
    public Optional<ProcessHandle> process() {
        return pidFile.live();
    }

    /**
     * Fails with the owner's name when a port that the broker needs is taken by something that is not our broker.
     *
     * @param portKey           the configuration key of the client port, for the message
     * @param controllerPortKey the configuration key of the controller port, for the message
     */
    public void checkPorts(String portKey, String controllerPortKey) {
        if (process().isPresent()) {
            return;
        }
        if (PortOwner.accepts(host, port) || PortOwner.of(port).isPresent()) {
            throw new StackException("cannot start Kafka: " + PortOwner.takenMessage(port, portKey));
        }
        if (PortOwner.accepts("127.0.0.1", controllerPort) || PortOwner.of(controllerPort).isPresent()) {
            throw new StackException("cannot start Kafka: " + PortOwner.takenMessage(controllerPort, controllerPortKey));
        }
    }

    /**
     * Starts the broker unless ours already runs; formats the storage on first use. Returns without waiting
     * for the broker to be ready: see {@link #awaitReady(Duration)}.
     *
     * @return whether a new process was started
     */
    public boolean launch() {
        if (process().isPresent()) {
            return false;
        }
        files.createDirectories();
        String classpath = brokerClasspath();
        writeConfiguration();
        formatStorageOnce(classpath);
        List<String> command = new ArrayList<>(jvm(classpath, "-Xmx512m", "-Xms256m"));
        command.add(MAIN);
        command.add(serverProperties().toString());
        Process p = BackgroundProcess.start(command, files.logFile(), ownSession);
        pidFile.write(p.pid());
        log.info("started Kafka broker on {} (pid {}, data in {}, log {})", bootstrapServers(), p.pid(), dataDir(), files.logFile());
        return true;
    }

    /** Waits until the broker answers a cluster description; fails with the end of its log if it dies or hangs. */
    public void awaitReady(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!pidFile.recordedAlive()) {
                throw new StackException("the Kafka broker stopped while starting; the end of " + files.logFile() + ":\n"
                        + files.logTail(30));
            }
            if (PortOwner.accepts(host, port) && isReady(Duration.ofSeconds(5))) {
                return;
            }
            BackgroundProcess.sleep(Duration.ofMillis(300));
        }
        throw new StackException("the Kafka broker did not become ready within " + timeout.toSeconds() + " s; the end of "
                + files.logFile() + ":\n" + files.logTail(30));
    }

    /** Whether a broker (ours or not) answers on the bootstrap address. */
    public boolean isReady(Duration timeout) {
        if (!PortOwner.accepts(host, port)) {
            return false;
        }
        try (Admin admin = Admin.create(KafkaTopics.adminConfig(bootstrapServers()))) {
            admin.describeCluster(new DescribeClusterOptions().timeoutMs((int) timeout.toMillis()))
                    .clusterId().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return true;
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            return false;
        }
    }

    /**
     * Stops our broker with a controlled shutdown (SIGTERM), killing it after {@code grace}.
     *
     * @return the id of the stopped process, if ours ran
     */
    public Optional<Long> stop(Duration grace) {
        Optional<Long> stopped = pidFile.stop(grace);
        stopped.ifPresent(pid -> log.info("stopped Kafka broker (pid {})", pid));
        return stopped;
    }

    private Path serverProperties() {
        return files.home().resolve("server.properties");
    }

    private List<String> jvm(String classpath, String... memory) {
        List<String> command = new ArrayList<>();
        command.add(BackgroundProcess.javaBinary());
        command.addAll(List.of(memory));
        command.add("-XX:+UseG1GC");
        command.add("-Djava.awt.headless=true");
        command.add("-Dlog4j2.configurationFile=" + files.home().resolve("log4j2.properties").toUri());
        command.add("-Dkafka.logs.dir=" + files.logFile().getParent());
        command.add("-cp");
        command.add(classpath);
        return command;
    }

    private void formatStorageOnce(String classpath) {
        if (Files.exists(dataDir().resolve("meta.properties"))) {
            return;
        }
        String clusterId = clusterId();
        List<String> command = new ArrayList<>(jvm(classpath, "-Xmx256m"));
        command.addAll(List.of("kafka.tools.StorageTool", "format", "-t", clusterId, "-c", serverProperties().toString()));
        int exit = BackgroundProcess.run(command, files.logFile(), Duration.ofMinutes(2), java.util.Map.of());
        if (exit != 0) {
            throw new StackException("formatting the Kafka storage in " + dataDir() + " failed (exit " + exit + "); the end of "
                    + files.logFile() + ":\n" + files.logTail(20));
        }
        log.info("formatted Kafka storage in {} (cluster id {})", dataDir(), clusterId);
    }

    /** The cluster id, created once and kept beside the data so that a re-format keeps it. */
    private String clusterId() {
        Path file = files.home().resolve("cluster.id");
        try {
            if (Files.isRegularFile(file)) {
                return Files.readString(file, StandardCharsets.UTF_8).strip();
            }
            String id = Uuid.randomUuid().toString();
            Files.writeString(file, id + "\n", StandardCharsets.UTF_8);
            return id;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void writeConfiguration() {
        String properties = String.join("\n",
                "# generated by gridwatch (" + KafkaBrokerProcess.class.getName() + "); rewritten on every start",
                "process.roles=broker,controller",
                "node.id=1",
                "controller.quorum.voters=1@127.0.0.1:" + controllerPort,
                "listeners=PLAINTEXT://" + host + ":" + port + ",CONTROLLER://127.0.0.1:" + controllerPort,
                "advertised.listeners=PLAINTEXT://" + host + ":" + port,
                "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
                "controller.listener.names=CONTROLLER",
                "inter.broker.listener.name=PLAINTEXT",
                "log.dirs=" + dataDir(),
                "num.partitions=1",
                "num.network.threads=2",
                "num.io.threads=2",
                // one broker: every internal topic has one replica
                "offsets.topic.replication.factor=1",
                "offsets.topic.num.partitions=8",
                "transaction.state.log.replication.factor=1",
                "transaction.state.log.min.isr=1",
                "transaction.state.log.num.partitions=8",
                "share.coordinator.state.topic.replication.factor=1",
                "share.coordinator.state.topic.min.isr=1",
                // Flink's transactional Kafka sink uses transactions of up to an hour
                "transaction.max.timeout.ms=3600000",
                "group.initial.rebalance.delay.ms=0",
                // topics come from the registry (io.gridwatch.topics.Topics), never from a typo
                "auto.create.topics.enable=false",
                "");
        try {
            Files.writeString(serverProperties(), properties, StandardCharsets.UTF_8);
            try (InputStream in = KafkaBrokerProcess.class.getResourceAsStream(LOG4J_RESOURCE)) {
                Files.write(files.home().resolve("log4j2.properties"), Objects.requireNonNull(in, LOG4J_RESOURCE).readAllBytes());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String brokerClasspath() {
        try (InputStream in = KafkaBrokerProcess.class.getResourceAsStream(CLASSPATH_RESOURCE)) {
            if (in == null) {
                throw new StackException("the Kafka broker's classpath (" + CLASSPATH_RESOURCE + ") is missing: build it with "
                        + "mvn install -pl deploy/local/kafka-runtime");
            }
            String classpath = new String(in.readAllBytes(), StandardCharsets.UTF_8).strip();
            for (String jar : classpath.split(java.io.File.pathSeparator)) {
                if (!Files.isRegularFile(Path.of(jar))) {
                    throw new StackException("the Kafka broker's jar " + jar + " is missing: run "
                            + "mvn install -pl deploy/local/kafka-runtime (online) to download it");
                }
            }
            return classpath;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
