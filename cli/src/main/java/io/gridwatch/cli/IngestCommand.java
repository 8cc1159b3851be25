package io.gridwatch.cli;

import io.gridwatch.config.GridwatchConfig;
import io.gridwatch.ingest.IngestStats;
import io.gridwatch.ingest.SensorBridge;
import io.gridwatch.ingest.SensorRegistryCache;
import io.gridwatch.store.Database;
import io.gridwatch.stack.InstanceSlot;
import io.gridwatch.stack.ServiceHeartbeat;
import io.gridwatch.store.SensorStore;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.LocalTime;
import java.time.temporal.ChronoUnit;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/** {@code gridwatch ingest}: runs the MQTT sensor bridge until Ctrl-C. */
@Command(name = "ingest", description = {"Run the MQTT sensor bridge: gw/v1/sensors/+/telemetry|status → Kafka gw.readings.v1,",
        "invalid messages to gw.deadletter.v1. Runs until Ctrl-C; start several to share the load (each takes its own client id)."})
final class IngestCommand implements Callable<Integer> {

    @ParentCommand
    Gridwatch top;

    /** The name of this service in {@code up}/{@code status} and of its heartbeat file (instance 0; others add "-N"). */
    static final String SERVICE = "ingest";
    /** Instances of ingest one machine may run at once. */
    static final int MAX_INSTANCES = 64;

    @Option(names = "--client-id", paramLabel = "ID",
            description = "this instance's MQTT client id, the same on every restart (default: gridwatch-ingest-HOSTNAME-N, N the lowest instance number free on this machine)")
    String clientId;

    @Option(names = "--share-group", paramLabel = "NAME", defaultValue = SensorBridge.Settings.DEFAULT_SHARE_GROUP,
            description = "the MQTT shared-subscription group the instances split the load in (default: ${DEFAULT-VALUE})")
    String shareGroup;

    @Option(names = "--stats-every", paramLabel = "SECONDS", defaultValue = "10", description = "print a summary this often (default: ${DEFAULT-VALUE})")
    int statsEvery;

    @Option(names = "--run-for", paramLabel = "SECONDS", hidden = true, description = "stop after this long (tests, demo)")
    Integer runFor;

    @Override
    public Integer call() throws InterruptedException {
        if (statsEvery < 1) {
            throw new IllegalArgumentException("--stats-every must be at least 1 second");
        }
        Workspace ws = top.workspace();
        GridwatchConfig.Stack stack = ws.config().stack();
        // each instance its own client id (two with one id knock each other off), the same after a restart (its
        // persistent session, with what the broker queued meanwhile, resumes): the lowest slot no live process holds
        try (InstanceSlot slot = InstanceSlot.claim(ws.varDir().resolve("run"), SERVICE, MAX_INSTANCES)) {
            return run(ws, stack, slot);
        }
    }

    private int run(Workspace ws, GridwatchConfig.Stack stack, InstanceSlot slot) throws InterruptedException {
        SensorBridge.Settings defaults = SensorBridge.Settings.of(stack.mqtt().uri(), clientId != null ? clientId : defaultClientId(slot.number()),
                stack.kafka().bootstrapServers());
        SensorBridge.Settings settings = new SensorBridge.Settings(defaults.mqttUri(), defaults.clientId(), shareGroup,
                defaults.sessionExpiry(), defaults.receiveMaximum(), defaults.kafkaBootstrap(), defaults.registryRefresh());
        CountDownLatch stopped = new CountDownLatch(1);
        try (Database db = ws.database()) {
            SensorStore store = new SensorStore(db.dataSource());
            SensorBridge bridge = new SensorBridge(settings, new SensorRegistryCache(store::changesFrom), ws.index()::lookup);
            Thread hook = new Thread(() -> {
                bridge.close();
                stopped.countDown();
            }, "gridwatch-ingest-stop");
            Runtime.getRuntime().addShutdownHook(hook);
            bridge.start();
            System.out.printf("ingest %s: MQTT %s (group %s) → Kafka %s; Ctrl-C stops%n", settings.clientId(), settings.mqttUri(),
                    settings.shareGroup(), settings.kafkaBootstrap());
            Path heartbeat = ServiceHeartbeat.file(ws.varDir(), slot.number() == 0 ? SERVICE : SERVICE + "-" + slot.number());
            ScheduledExecutorService beat = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "gridwatch-ingest-heartbeat");
                t.setDaemon(true);
                return t;
            });
            beat.scheduleWithFixedDelay(() -> {
                IngestStats st = bridge.stats();
                ServiceHeartbeat.now(SERVICE, st.connected(), st.connected() ? "running" : "connecting",
                        settings.clientId() + ": " + st.summary() + ", mqtt connects " + st.connects()).write(heartbeat);
            }, 0, ServiceHeartbeat.INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
            try {
                return runUntilStopped(bridge, hook, stopped);
            } finally {
                beat.shutdownNow();
                ServiceHeartbeat.now(SERVICE, false, "stopped", settings.clientId() + ": " + bridge.stats().summary()).write(heartbeat);
            }
        }
    }

    private int runUntilStopped(SensorBridge bridge, Thread hook, CountDownLatch stopped) throws InterruptedException {
        long end = runFor == null ? Long.MAX_VALUE : System.nanoTime() + TimeUnit.SECONDS.toNanos(runFor);
        while (System.nanoTime() < end) {
            long wait = Math.min(TimeUnit.SECONDS.toNanos(statsEvery), end - System.nanoTime());
            if (stopped.await(wait, TimeUnit.NANOSECONDS)) {
                return 0;
            }
            System.out.println(LocalTime.now().truncatedTo(ChronoUnit.SECONDS) + " " + bridge.stats().summary());
        }
        Runtime.getRuntime().removeShutdownHook(hook);
        bridge.close();
        System.out.println("stopped: " + bridge.stats().summary());
        return 0;
    }

    /** {@code gridwatch-ingest-<host>-<instance>}. */
    static String defaultClientId(int instance) {
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            host = "local";
        }
        return "gridwatch-ingest-" + host + "-" + instance;
    }
}
