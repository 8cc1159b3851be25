package io.gridwatch.stack;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * gridwatch's own services (ingest, the jobs, …) in the background, each a {@code gridwatch <command>} JVM in its own
 * session: output in {@code var/log/<name>.log}, its id in {@code var/run/<name>.pid}, and what it says about itself in
 * its {@link ServiceHeartbeat}. Started in the registry's order, stopped in the reverse order.
 */
public final class AppServices {

    private static final Logger log = LoggerFactory.getLogger(AppServices.class);
    private static final int LOG_LINES = 15;

    private final Path varDir;
    private final List<AppService> services;
    private final ServiceLauncher launcher;
    private final String kafkaBootstrap;

    public AppServices(Path varDir, List<AppService> services, ServiceLauncher launcher, String kafkaBootstrap) {
        this.varDir = varDir.toAbsolutePath().normalize();
        this.services = List.copyOf(services);
        this.launcher = Objects.requireNonNull(launcher, "launcher");
        this.kafkaBootstrap = Objects.requireNonNull(kafkaBootstrap, "kafkaBootstrap");
    }

    public List<AppService> services() {
        return services;
    }

    /**
     * Starts every service that does not run, in order, each once the one before is ready; harmless when they run.
     * A service that died since the last {@code up} is reported (with the end of its log) and started again.
     *
     * @throws StackException when one does not become ready: which, and the end of its log
     */
    public List<ServiceStatus> up() {
        List<ServiceStatus> out = new ArrayList<>();
        for (AppService s : services) {
            out.add(up(s));
        }
        return out;
    }

    private ServiceStatus up(AppService s) {
        ServiceFiles files = files(s);
        PidFile pid = pidFile(s);
        Optional<ProcessHandle> live = pid.live();
        if (live.isPresent()) {
            ServiceHeartbeat hb = awaitReady(s, live.get().pid(), null);
            return status(s, ServiceStatus.State.UP, hb.pid(), "already running; " + hb.detail());
        }
        Optional<ServiceHeartbeat> outside = ServiceHeartbeat.read(heartbeatFile(s))
                .filter(ServiceHeartbeat::fresh).filter(h -> ProcessHandle.of(h.pid()).map(ProcessHandle::isAlive).orElse(false));
        if (outside.isPresent()) {
            // started by hand in a terminal: a second one would run the same job twice
            return status(s, ServiceStatus.State.EXTERNAL, outside.get().pid(), "started outside up; used as it is; " + outside.get().detail());
        }
        String before = "";
        if (Files.isRegularFile(pid.path())) {
            // `down` removes the pid file: one left behind belongs to a process that died
            before = "had died (the end of " + files.logFile() + ":\n" + files.logTail(LOG_LINES) + "\n); ";
            log.warn("{} had died; starting it again", s.name());
        }
        try {
            Files.createDirectories(files.logFile().getParent());
            Files.deleteIfExists(heartbeatFile(s));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Process p = BackgroundProcess.start(launcher.command(s), files.logFile(), true);
        pid.write(p.pid());
        log.info("started {} (pid {}, log {})", s.name(), p.pid(), files.logFile());
        ServiceHeartbeat hb = awaitReady(s, p.pid(), p);
        return status(s, ServiceStatus.State.UP, p.pid(), before + "started; " + hb.detail());
    }

    private ServiceHeartbeat awaitReady(AppService s, long pid, Process started) {
        long deadline = System.nanoTime() + s.startTimeout().toNanos();
        ServiceHeartbeat last = null;
        while (System.nanoTime() < deadline) {
            boolean alive = started != null ? started.isAlive() : ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
            if (!alive) {
                throw new StackException(s.name() + " stopped while starting; the end of " + files(s).logFile() + ":\n"
                        + files(s).logTail(LOG_LINES));
            }
            Optional<ServiceHeartbeat> hb = ServiceHeartbeat.read(heartbeatFile(s)).filter(h -> h.pid() == pid);
            if (hb.isPresent()) {
                last = hb.get();
                if (last.ready()) {
                    return last;
                }
            }
            BackgroundProcess.sleep(Duration.ofMillis(250));
        }
        throw new StackException(s.name() + " (pid " + pid + ") was not ready within " + s.startTimeout().toSeconds() + " s"
                + (last != null ? " (it says: " + last.state() + "; " + last.detail() + ")" : "") + "; the end of "
                + files(s).logFile() + ":\n" + files(s).logTail(LOG_LINES));
    }

    /** Stops the services in reverse order: SIGTERM (a job stops with a savepoint), SIGKILL after its stop timeout. */
    public List<ServiceStatus> down() {
        List<ServiceStatus> out = new ArrayList<>();
        for (AppService s : reversed(services)) {
            Optional<Long> stopped = pidFile(s).stop(s.stopTimeout());
            String detail = stopped.map(p -> "stopped pid " + p).orElse("was not running");
            Optional<ServiceHeartbeat> last = ServiceHeartbeat.read(heartbeatFile(s));
            if (stopped.isPresent() && last.isPresent() && last.get().pid() == stopped.get()) {
                detail += "; " + last.get().detail();
            }
            log.info("{}: {}", s.name(), detail);
            out.add(0, status(s, ServiceStatus.State.DOWN, null, detail));
        }
        return out;
    }

    /**
     * Each service's state now: up (alive and its heartbeat fresh and ready) or down, with what it last said.
     *
     * @param kafkaAnswers whether to ask Kafka for consumer lag (a broker that is down would cost a timeout each)
     */
    public List<ServiceStatus> status(boolean kafkaAnswers) {
        List<ServiceStatus> out = new ArrayList<>();
        for (AppService s : services) {
            out.add(status(s, kafkaAnswers));
        }
        return out;
    }

    private ServiceStatus status(AppService s, boolean kafkaAnswers) {
        PidFile pid = pidFile(s);
        Optional<ProcessHandle> live = pid.live();
        Optional<ServiceHeartbeat> hb = ServiceHeartbeat.read(heartbeatFile(s));
        long alivePid = live.map(ProcessHandle::pid).orElseGet(() -> hb.filter(h -> ProcessHandle.of(h.pid())
                .map(ProcessHandle::isAlive).orElse(false)).map(ServiceHeartbeat::pid).orElse(-1L));
        String lag = kafkaAnswers ? lagText(s) : "";
        if (alivePid < 0) {
            String detail = Files.isRegularFile(pid.path())
                    ? "DIED; the next `up` starts it again; the end of " + files(s).logFile() + ":\n" + files(s).logTail(5)
                    : "not running";
            return status(s, ServiceStatus.State.DOWN, null, detail + lag);
        }
        ServiceStatus.State state = live.isPresent() ? ServiceStatus.State.UP : ServiceStatus.State.EXTERNAL;
        Optional<ServiceHeartbeat> own = hb.filter(h -> h.pid() == alivePid);
        if (own.isEmpty()) {
            return status(s, ServiceStatus.State.DOWN, alivePid, "runs but has not reported yet (starting?)" + lag);
        }
        if (!own.get().fresh()) {
            return status(s, ServiceStatus.State.DOWN, alivePid, "runs but stopped reporting " + ServiceHeartbeat.STALE.toSeconds()
                    + "+ s ago (hung?); last: " + own.get().detail() + lag);
        }
        if (!own.get().ready()) {
            return status(s, ServiceStatus.State.DOWN, alivePid, own.get().state() + "; " + own.get().detail() + lag);
        }
        return status(s, state, alivePid, own.get().state() + "; " + own.get().detail() + lag);
    }

    private String lagText(AppService s) {
        if (s.consumes() == null) {
            return "";
        }
        OptionalLong lag = KafkaTopics.lag(kafkaBootstrap, s.consumes().group(), s.consumes().topic());
        return lag.isPresent() ? "; lag " + String.format("%,d", lag.getAsLong()) + " on " + s.consumes().topic()
                : "; lag unknown (Kafka does not answer)";
    }

    private ServiceStatus status(AppService s, ServiceStatus.State state, Long pid, String detail) {
        return new ServiceStatus(s.name(), state, "-", pid, null, detail);
    }

    private static List<AppService> reversed(List<AppService> list) {
        List<AppService> r = new ArrayList<>(list);
        java.util.Collections.reverse(r);
        return r;
    }

    private ServiceFiles files(AppService s) {
        return ServiceFiles.under(varDir, s.name());
    }

    private PidFile pidFile(AppService s) {
        return new PidFile(files(s).pidFile(), "-Dgridwatch.service=" + s.name() + " ");
    }

    public Path heartbeatFile(AppService s) {
        return ServiceHeartbeat.file(varDir, s.name());
    }
}
