package io.gridwatch.stack;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * A process as /proc shows it: its id, short name ({@code comm}) and command line.
 *
 * @param pid     process id
 * @param name    the kernel's short name of the program ({@code /proc/PID/comm}), e.g. {@code java}
 * @param command the command line, arguments separated by spaces
 */
public record LinuxProcess(long pid, String name, String command) {

    private static final int SHORT_COMMAND = 100;

    /** The live process with this id, if /proc can tell. */
    public static Optional<LinuxProcess> of(long pid) {
        Path dir = Path.of("/proc", Long.toString(pid));
        try {
            String name = Files.readString(dir.resolve("comm"), StandardCharsets.UTF_8).strip();
            byte[] raw = Files.readAllBytes(dir.resolve("cmdline"));
            String command = new String(raw, StandardCharsets.UTF_8).replace('\0', ' ').strip();
            return Optional.of(new LinuxProcess(pid, name, command));
        } catch (IOException | SecurityException e) {
            return Optional.empty();
        }
    }

    /** {@code pid 1234 (java … org.example.Main)}: enough for a person to recognise the process. */
    public String describe() {
        return "pid " + pid + " (" + shortCommand() + ")";
    }

    private String shortCommand() {
        if (command.isEmpty()) {
            return name;
        }
        if (command.length() <= SHORT_COMMAND) {
            return command;
        }
        String program = command.split(" ", 2)[0];
        String shown = program.substring(program.lastIndexOf('/') + 1);
        if (!shown.equals(name)) {
            shown = name + " " + shown;
        }
        String tail = command.substring(command.length() - (SHORT_COMMAND - shown.length()));
        int space = tail.indexOf(' ');
        return shown + " … " + (space >= 0 ? tail.substring(space + 1) : tail);
    }
}
