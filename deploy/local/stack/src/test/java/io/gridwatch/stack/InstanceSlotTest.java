package io.gridwatch.stack;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class InstanceSlotTest {

    @TempDir
    Path dir;

    @Test
    void eachInstanceTakesTheLowestFreeSlotAndAReleasedSlotIsTakenAgain() {
        try (InstanceSlot a = InstanceSlot.claim(dir, "ingest", 3); InstanceSlot b = InstanceSlot.claim(dir, "ingest", 3)) {
            assertThat(a.number()).isZero();
            assertThat(b.number()).isEqualTo(1);
            a.close();
            try (InstanceSlot c = InstanceSlot.claim(dir, "ingest", 3)) {
                assertThat(c.number()).isZero(); // a restarted instance gets its old number, hence its old client id
            }
        }
    }

    @Test
    void whenAllSlotsAreHeldTheErrorSaysSo() {
        try (InstanceSlot a = InstanceSlot.claim(dir, "ingest", 1)) {
            assertThatThrownBy(() -> InstanceSlot.claim(dir, "ingest", 1))
                    .hasMessageContaining("all 1 instance slots of ingest").hasMessageContaining("taken by running processes");
        }
    }

    @Test
    void aSlotHeldByAnotherProcessIsSkippedAndFreedWhenThatProcessIsKilled() throws Exception {
        // another JVM holds slot 0 (flock through Python would do too; a JVM is what holds it in production)
        Path source = dir.resolve("Hold.java");
        java.nio.file.Files.writeString(source, """
                public class Hold {
                    public static void main(String[] a) throws Exception {
                        var ch = java.nio.channels.FileChannel.open(java.nio.file.Path.of(a[0]),
                                java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.WRITE);
                        ch.lock();
                        System.out.println("locked");
                        Thread.sleep(600_000);
                    }
                }
                """);
        Process holder = new ProcessBuilder(List.of(BackgroundProcess.javaBinary(), source.toString(), dir.resolve("ingest-0.lock").toString()))
                .redirectErrorStream(true).start();
        try {
            assertThat(new String(holder.getInputStream().readNBytes(6))).isEqualTo("locked");
            try (InstanceSlot s = InstanceSlot.claim(dir, "ingest", 3)) {
                assertThat(s.number()).isEqualTo(1);
            }
            holder.destroyForcibly().waitFor(10, TimeUnit.SECONDS); // SIGKILL: the OS releases its lock
            try (InstanceSlot s = InstanceSlot.claim(dir, "ingest", 3)) {
                assertThat(s.number()).isZero();
            }
        } finally {
            holder.destroyForcibly();
        }
    }
}
