package io.gridwatch.cli;

import io.gridwatch.stack.AppServices;
import io.gridwatch.stack.LocalStack;
import io.gridwatch.stack.ServiceStatus;
import io.gridwatch.stack.StackException;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code up}, {@code down} and {@code status} of the whole system on this machine (CONTRACTS §7): the stack
 * (deploy/local: Kafka, MQTT broker, PostgreSQL) and gridwatch's own services ({@link GridwatchServices}).
 */
final class StackCommands {

    private StackCommands() {
    }

    static void print(PrintStream out, List<ServiceStatus> parts) {
        ConsoleTable t = new ConsoleTable("part", "state", "address", "pid", "data", "detail");
        for (ServiceStatus s : parts) {
            // a multi-line detail (the end of a log) goes below the table, so that the table stays readable
            String detail = s.detail().lines().findFirst().orElse("");
            int warning = detail.indexOf("WARNING:");
            t.row(s.name(), s.state().label(), s.address(), s.pid() == null ? "-" : s.pid(),
                    s.dataDir() == null ? "-" : s.dataDir(), warning >= 0 ? detail.substring(0, warning) + "(see WARNING below)" : detail);
        }
        t.print(out);
        for (ServiceStatus s : parts) {
            if (s.detail().contains("\n")) {
                out.println();
                out.println(s.name() + ": " + s.detail());
            }
        }
        for (ServiceStatus s : parts) {
            s.warning().ifPresent(w -> {
                out.println();
                out.println("*** " + s.name() + " " + w);
            });
        }
    }

    @Command(name = "up", description = {"Start the whole system in the background and return when every part is ready:",
            "the stack (Kafka, MQTT broker, PostgreSQL), then ingest and the sensor pipeline (logs in var/log, pid files in var/run).",
            "Harmless when it runs already; a service that died is reported and started again."})
    static final class Up implements Callable<Integer> {
        @ParentCommand
        Gridwatch top;

        @Override
        public Integer call() {
            Workspace ws = top.workspace();
            List<ServiceStatus> parts = new ArrayList<>(ws.stack().up());
            try {
                parts.addAll(ws.services(top.config).up());
            } catch (StackException e) {
                print(System.out, parts);
                throw e;
            }
            print(System.out, parts);
            return 0;
        }
    }

    @Command(name = "down", description = {"Stop what gridwatch started, losing nothing: the sensor pipeline with a savepoint, then ingest",
            "(the MQTT broker queues for its session), then Kafka, the MQTT broker and PostgreSQL if gridwatch started them.",
            "Data stays under the var directory."})
    static final class Down implements Callable<Integer> {
        @ParentCommand
        Gridwatch top;

        @Override
        public Integer call() {
            Workspace ws = top.workspace();
            List<ServiceStatus> services = ws.services(top.config).down();
            List<ServiceStatus> parts = new ArrayList<>(ws.stack().down());
            parts.addAll(services);
            print(System.out, parts);
            return 0;
        }
    }

    @Command(name = "status", description = {"Show each part: the stack (state, address, pid, data directory) and gridwatch's services",
            "(health; the pipeline's Kafka lag and last checkpoint; ingest's counts). Exits 1 when a part is down."})
    static final class Status implements Callable<Integer> {
        @ParentCommand
        Gridwatch top;

        @Override
        public Integer call() {
            Workspace ws = top.workspace();
            List<ServiceStatus> parts = new ArrayList<>(ws.stack().status());
            boolean kafka = parts.stream().anyMatch(p -> p.name().equals(LocalStack.KAFKA) && p.usable());
            AppServices services = ws.services(top.config);
            parts.addAll(services.status(kafka));
            print(System.out, parts);
            return parts.stream().allMatch(ServiceStatus::usable) ? 0 : 1;
        }
    }
}
