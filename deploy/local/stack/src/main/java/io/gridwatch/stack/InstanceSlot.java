package io.gridwatch.stack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * One of several instances of a service on this machine: the lowest number N whose lock file
 * {@code <dir>/<name>-N.lock} no live process holds. The operating system releases the lock when the process ends,
 * even by {@code kill -9}, so a restarted instance takes the same number again — what gives an MQTT bridge a client
 * id that is its own (two clients with one id knock each other off) yet stable (its persistent session resumes).
 */
public final class InstanceSlot implements AutoCloseable {

    private final int number;
    private final FileChannel channel;
    private final FileLock lock;

    private InstanceSlot(int number, FileChannel channel, FileLock lock) {
        this.number = number;
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
                FileChannel ch = FileChannel.open(dir.resolve(name + "-" + n + ".lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                FileLock lock;
                try {
                    lock = ch.tryLock();
                } catch (OverlappingFileLockException heldByThisJvm) {
                    lock = null;
                }
                if (lock != null) {
                    return new InstanceSlot(n, ch, lock);
                }
                ch.close();
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
        try {
            lock.release();
            channel.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
