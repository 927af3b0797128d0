package dev.hedra.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Each peer this machine has allocates, writes and frees; jemalloc in a JVM that preloads it. */
class PeerSmokeTest {

    private static final long[] SIZES = {8, 24, 64, 1000, 1024, 100_000};

    @ParameterizedTest
    @EnumSource(value = PeerKind.class, names = "JEMALLOC", mode = EnumSource.Mode.EXCLUDE)
    void allocatesWritesAndFrees(PeerKind kind) {
        kind.unavailableReason().ifPresent(reason -> assumeTrue(false, reason));
        allocateWriteReadFree(kind.create(SIZES.length));
    }

    @Test
    void jemallocRefusesToRunWithoutPreload() {
        assumeFalse(JemallocPreload.isPreloaded(), "this JVM preloads jemalloc");
        var refusal = assertThrows(IllegalStateException.class, () -> PeerKind.JEMALLOC.create(1));
        assertTrue(refusal.getMessage().contains("LD_PRELOAD"), refusal.getMessage());
    }

    @Test
    void jemallocRunsInAJvmThatPreloadsIt() throws IOException, InterruptedException {
        Path library = JemallocPreload.findLibrary().orElse(null);
        assumeTrue(library != null, NativeLibrary.JEMALLOC.missingMessage());
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        String version = JemallocPreload.checkInChildJvm(JemallocPreload.writeJvmWrapper(library, java));
        assertTrue(version.matches("jemalloc \\d+\\.\\d+.*"), version);
    }

    /** Allocates a block of each size, writes every one, checks them, frees them. */
    private static void allocateWriteReadFree(Peer peer) {
        long[] addresses = new long[SIZES.length];
        for (int slot = 0; slot < SIZES.length; slot++) {
            addresses[slot] = peer.allocate(slot, SIZES[slot]);
            assertNotEquals(0, addresses[slot], peer.name());
            NativeMemory.writeLong(addresses[slot], slot);
            NativeMemory.writeLong(addresses[slot] + SIZES[slot] - Long.BYTES, -slot);
        }
        for (int slot = 0; slot < SIZES.length; slot++) {
            assertEquals(slot, NativeMemory.readLong(addresses[slot]), peer.name());
            assertEquals(-slot, NativeMemory.readLong(addresses[slot] + SIZES[slot] - Long.BYTES), peer.name());
        }
        for (int slot = SIZES.length - 1; slot >= 0; slot--) {
            peer.free(slot, addresses[slot], SIZES[slot]);
        }
    }
}
