package io.gridwatch.bench;

import io.gridwatch.testkit.TestServices;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * What the MQTT broker alone carries on this machine: the end-to-end benchmark's device fleet (QoS 1 publishers of
 * sensor messages) against the cheapest possible QoS 1 consumers (a shared subscription, every message acknowledged,
 * nothing else done), publishing as fast as the broker takes it. Nothing that gridwatch adds (bridges, Kafka, Flink,
 * PostgreSQL) runs, so the rate measured bounds the end-to-end rate from above.
 *
 * <p>{@code bench/run mqtt-ceiling [--seconds 30] [--publishers 4] [--subscribers 2] [--window 1000]}
 */
public final class MqttCeilingBench {

    public static void main(String[] args) throws Exception {
        RulesJobBench.Args a = new RulesJobBench.Args(args);
        int seconds = a.integer("seconds", 30);
        int publishers = a.integer("publishers", 4);
        int subscribers = a.integer("subscribers", 2);
        int window = a.integer("window", 1000);
        System.out.printf(Locale.ROOT, "%n== MQTT broker alone: %d QoS 1 publishers flat out → Mosquitto → %d QoS 1 subscribers (shared"
                + " subscription, acknowledge only) for %d s; %d cores%n", publishers, subscribers, seconds, Runtime.getRuntime().availableProcessors());
        TestServices services = TestServices.shared();
        String filesDir = services.describe().replaceAll(".*files in (\\S+).*", "$1");
        long mosquittoPid = ProcStats.pidOf(filesDir + "/mosquitto/mosquitto.conf").orElse(-1L);
        System.out.println("broker: " + services.mqttUri() + " (pid " + mosquittoPid + ")");

        List<RawMqttSubscriber> subs = new ArrayList<>();
        for (int s = 0; s < subscribers; s++) {
            subs.add(new RawMqttSubscriber(services.mqttUri(), "ceiling-sub-" + s, "$share/ceiling/gw/v1/sensors/+/telemetry"));
        }
        SensorFleet fleet = new SensorFleet(100_000);
        byte[][] topics = new byte[fleet.size][];
        for (int i = 0; i < fleet.size; i++) {
            topics[i] = ("gw/v1/sensors/" + SensorFleet.id(i) + "/telemetry").getBytes(StandardCharsets.US_ASCII);
        }
        AtomicBoolean stop = new AtomicBoolean();
        List<RawMqttPublisher> pubs = new ArrayList<>();
        List<Thread> threads = new ArrayList<>();
        for (int p = 0; p < publishers; p++) {
            RawMqttPublisher pub = new RawMqttPublisher(services.mqttUri(), "ceiling-pub-" + p, window);
            pubs.add(pub);
            int first = p;
            Thread t = new Thread(() -> {
                try {
                    long seq = 0;
                    for (int i = first; !stop.get(); i = (i + publishers) % fleet.size) {
                        pub.publish(topics[i], SensorFleet.payload(i, ++seq, System.currentTimeMillis(), 0));
                    }
                    pub.flush();
                } catch (Exception e) {
                    System.err.println("publisher stopped: " + e);
                }
            }, "ceiling-pub-" + p);
            threads.add(t);
            t.start();
        }
        long self = ProcessHandle.current().pid();
        System.out.printf(Locale.ROOT, "%n      t    delivered/s   CPU machine / Mosquitto / this JVM (publishers + subscribers)%n");
        long warm = 5;
        long start = System.nanoTime();
        double m0 = 0, b0 = 0, j0 = 0;
        long r0 = 0;
        long lastR = 0;
        double lastM = ProcStats.machineBusySeconds(), lastB = ProcStats.cpuSeconds(mosquittoPid), lastJ = ProcStats.cpuSeconds(self);
        for (int s = 1; s <= warm + seconds; s++) {
            Thread.sleep(start / 1_000_000 + s * 1000L - System.nanoTime() / 1_000_000);
            long r = subs.stream().mapToLong(x -> x.received.sum()).sum();
            double m = ProcStats.machineBusySeconds(), b = ProcStats.cpuSeconds(mosquittoPid), j = ProcStats.cpuSeconds(self);
            if (s % 5 == 0) {
                System.out.printf(Locale.ROOT, "  %5d s  %,12d   %5.0f %% / %5.0f %% / %5.0f %%%s%n", s, (r - lastR) / 5,
                        100 * (m - lastM) / 5 / Runtime.getRuntime().availableProcessors(), 100 * (b - lastB) / 5, 100 * (j - lastJ) / 5,
                        s == warm ? "   (warm-up ends)" : "");
                lastR = r;
                lastM = m;
                lastB = b;
                lastJ = j;
            }
            if (s == warm) {
                r0 = r;
                m0 = m;
                b0 = b;
                j0 = j;
            }
        }
        long r = subs.stream().mapToLong(x -> x.received.sum()).sum();
        double m = ProcStats.machineBusySeconds() - m0, b = ProcStats.cpuSeconds(mosquittoPid) - b0, j = ProcStats.cpuSeconds(self) - j0;
        stop.set(true);
        for (Thread t : threads) {
            t.join(5_000);
        }
        double rate = (double) (r - r0) / seconds;
        System.out.printf(Locale.ROOT, "%nRESULT MQTT broker alone, %d s: %,.0f messages/s delivered (QoS 1 in and out)%n", seconds, rate);
        System.out.printf(Locale.ROOT, "  CPU: machine %.0f %% of %d cores; Mosquitto %.0f %% of a core = %.1f µs per message;"
                        + " publishers + subscribers %.0f %% = %.1f µs per message%n",
                100 * m / seconds / Runtime.getRuntime().availableProcessors(), Runtime.getRuntime().availableProcessors(),
                100 * b / seconds, 1e6 * b / (r - r0), 100 * j / seconds, 1e6 * j / (r - r0));
        System.out.printf(Locale.ROOT, "  Mosquitto is one thread: at %.1f µs per message it cannot carry more than %,.0f messages/s on one core,"
                + " whatever runs behind it%n", 1e6 * b / (r - r0), (r - r0) / b);
        for (RawMqttPublisher p : pubs) {
            p.close();
        }
        for (RawMqttSubscriber s : subs) {
            s.close();
        }
        System.exit(0);
    }
}
