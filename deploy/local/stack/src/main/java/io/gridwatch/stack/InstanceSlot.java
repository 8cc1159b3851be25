package io.gridwatch.stack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One of several instances of a service on this machine: the lowest number N whose lock file
 * {@code <dir>/<name>-N.lock} no live process holds. The operating system releases the lock when the process ends,
 * even by {@code kill -9}, so a restarted instance takes the same number again — what gives an MQTT bridge a client
 * id that is its own (two clients with one id knock each other off) yet stable (its persistent session resumes).
 */
public final class InstanceSlot implements AutoCloseable {

    /**
     * Lock files this JVM holds. Linux's record locks belong to the process, and closing any channel of a file drops
     * them all: a second claim in the same JVM (tests) must not so much as open a held slot's file.
     */
    private static final Set<Path> HELD = ConcurrentHashMap.newKeySet();

    private final int number;
    private final Path file;
    private final FileChannel channel;
    private final FileLock lock;

    private InstanceSlot(int number, Path file, FileChannel channel, FileLock lock) {
        this.number = number;
        this.file = file;
        this.channel = channel;
        this.lock = lock;
    }

    /**
     * Claims the lowest free slot, held until {@link #close()} or the end of the process.
     *
     * @throws IllegalStateException when all {@code max} slots are held
     */
    public static InstanceSlot claim(Path dir, String name, int max) {
        try {
            Files.createDirectories(dir);
            for (int n = 0; n < max; n++) {
                Path file = dir.resolve(name + "-" + n + ".lock").toAbsolutePath().normalize();
                if (!HELD.add(file)) {
                    continue;
                }
                FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                FileLock lock;
                try {
                    lock = ch.tryLock();
                } catch (OverlappingFileLockException heldByThisJvm) {
                    lock = null;
                }
                if (lock != null) {
                    return new InstanceSlot(n, file, ch, lock);
                }
                ch.close();
                HELD.remove(file);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot claim an instance slot under " + dir, e);
        }
        throw new IllegalStateException("all " + max + " instance slots of " + name + " under " + dir + " are taken by running processes");
    }

    public int number() {
        return number;
    }

    @Override
    public void close() {
        if (!channel.isOpen()) {
            return;
        }
        try {
            lock.release();
            channel.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            HELD.remove(file);
        }
    }
}
