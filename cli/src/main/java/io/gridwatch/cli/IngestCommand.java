package io.gridwatch.cli;

import io.gridwatch.config.GridwatchConfig;
import io.gridwatch.ingest.SensorBridge;
import io.gridwatch.ingest.SensorRegistryCache;
import io.gridwatch.store.Database;
import io.gridwatch.store.SensorStore;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.LocalTime;
import java.time.temporal.ChronoUnit;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** {@code gridwatch ingest}: runs the MQTT sensor bridge until Ctrl-C. */
@Command(name = "ingest", description = {"Run the MQTT sensor bridge: gw/v1/sensors/+/telemetry|status → Kafka gw.readings.v1,",
        "invalid messages to gw.deadletter.v1. Runs until Ctrl-C; start several (each with its own --client-id) to share the load."})
final class IngestCommand implements Callable<Integer> {

    @ParentCommand
    Gridwatch top;

    @Option(names = "--client-id", paramLabel = "ID",
            description = "this instance's MQTT client id, the same on every restart (default: gridwatch-ingest-HOSTNAME)")
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
        SensorBridge.Settings defaults = SensorBridge.Settings.of(stack.mqtt().uri(), clientId != null ? clientId : defaultClientId(),
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
        }
        return 0;
    }

    private static String defaultClientId() {
        try {
            return "gridwatch-ingest-" + InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "gridwatch-ingest-local";
        }
    }
}
