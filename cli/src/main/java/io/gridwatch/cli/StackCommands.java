package io.gridwatch.cli;

import io.gridwatch.stack.ServiceStatus;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;

import java.io.PrintStream;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code up}, {@code down} and {@code status} of the local stack (deploy/local). */
final class StackCommands {

    private StackCommands() {
    }

    static void print(PrintStream out, List<ServiceStatus> parts) {
        ConsoleTable t = new ConsoleTable("part", "state", "address", "pid", "data", "detail");
        for (ServiceStatus s : parts) {
            t.row(s.name(), s.state().label(), s.address(), s.pid() == null ? "-" : s.pid(),
                    s.dataDir() == null ? "-" : s.dataDir(), s.detail());
        }
        t.print(out);
    }

    @Command(name = "up", description = "Start the local stack (Kafka, Mosquitto, PostgreSQL) and return when every part is healthy.")
    static final class Up implements Callable<Integer> {
        @ParentCommand
        Gridwatch top;

        @Override
        public Integer call() {
            print(System.out, top.workspace().stack().up());
            return 0;
        }
    }

    @Command(name = "down", description = "Stop what gridwatch started; data stays under the var directory.")
    static final class Down implements Callable<Integer> {
        @ParentCommand
        Gridwatch top;

        @Override
        public Integer call() {
            print(System.out, top.workspace().stack().down());
            return 0;
        }
    }

    @Command(name = "status", description = "Show each part of the local stack: state, address, pid, data directory.")
    static final class Status implements Callable<Integer> {
        @ParentCommand
        Gridwatch top;

        @Override
        public Integer call() {
            List<ServiceStatus> parts = top.workspace().stack().status();
            print(System.out, parts);
            return parts.stream().allMatch(ServiceStatus::usable) ? 0 : 1;
        }
    }
}
