package dev.hedra;

import static dev.hedra.SizeClassOracle.KiB;
import static dev.hedra.SizeClassOracle.MiB;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code memoryLimit(64 MiB)}: past the cap, malloc throws {@link OutOfMemoryError} naming the limit
 * and the request; nothing changes; committed memory never exceeds the cap; after frees the
 * allocator works again, for any kind of block.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class MemoryLimitTest {

    private static final long LIMIT = 64 * MiB;

    private static NativeAllocator limited() {
        return CheckedAllocator.wrap(Hedra.builder().name("limited").memoryLimit(LIMIT).build(), true);
    }

    private static void assertNamesLimitAndRequest(OutOfMemoryError oom, long request, long usable) {
        assertTrue(oom.getMessage().contains("limited"), () -> "the message should name the allocator: " + oom);
        Messages.assertNamesBytes(oom, "limit", LIMIT);
        Messages.assertNamesBytes(oom, "request", request, usable);
    }

    /** Allocates blocks of {@code size} until the limit; returns them, and checks the error. */
    private static List<Long> fill(NativeAllocator hedra, long size) {
        List<Long> blocks = new ArrayList<>();
        long bound = 2 * LIMIT / Math.max(size, 8) + 16;
        OutOfMemoryError oom = null;
        while (blocks.size() < bound) {
            try {
                long address = hedra.malloc(size);
                Blocks.writeCookie(address, size);
                blocks.add(address);
            } catch (OutOfMemoryError e) {
                oom = e;
                break;
            }
        }
        assertNotNull(oom, () -> "no OutOfMemoryError after " + blocks.size() + " blocks of " + size + " bytes");
        long usable = blocks.isEmpty() ? size : hedra.usableSize(blocks.get(0));
        assertNamesLimitAndRequest(oom, size, usable);
        AllocatorStats stats = hedra.stats();
        assertTrue(stats.bytesCommitted() <= LIMIT, () -> "committed past the limit:\n" + stats);
        assertTrue(stats.peakBytesCommitted() <= LIMIT, () -> "peak committed past the limit:\n" + stats);
        long live = blocks.size() * usable;
        assertTrue(live <= LIMIT, () -> live + " usable bytes live under a limit of " + LIMIT);
        assertTrue(live >= LIMIT / 4, () -> "only " + live + " bytes in blocks of " + size
                + " fit under a limit of " + LIMIT + ":\n" + stats);
        return blocks;
    }

    private static void freeAll(NativeAllocator hedra, List<Long> blocks, long size) {
        for (long address : blocks) {
            Blocks.checkCookie(address, size);
            hedra.free(address, size);
        }
        blocks.clear();
    }

    @ParameterizedTest
    @ValueSource(longs = {64, 1000, 4096, 32 * KiB, 40_000, MiB, 3 * MiB, 7 * MiB})
    void allocateUntilTheLimitThenFreeAndAllocateAgain(long size) {
        try (NativeAllocator hedra = limited()) {
            List<Long> blocks = fill(hedra, size);
            // The failed call changed nothing, and the next one fails the same way.
            AllocatorStats before = hedra.stats();
            OutOfMemoryError again = assertThrows(OutOfMemoryError.class, () -> hedra.malloc(size));
            assertNamesLimitAndRequest(again, size, hedra.usableSize(blocks.get(0)));
            assertThrows(OutOfMemoryError.class, () -> hedra.calloc(size));
            AllocatorStats after = hedra.stats();
            assertEquals(before.liveBlocks(), after.liveBlocks());
            assertEquals(before.allocations(), after.allocations());
            assertEquals(before.bytesInUse(), after.bytesInUse());
            assertEquals(before.bytesRequested(), after.bytesRequested());
            // Free every other block: malloc works again.
            List<Long> kept = new ArrayList<>();
            for (int i = 0; i < blocks.size(); i++) {
                long address = blocks.get(i);
                if (i % 2 == 0) {
                    Blocks.checkCookie(address, size);
                    hedra.free(address);
                } else {
                    kept.add(address);
                }
            }
            long address = hedra.malloc(size);
            Blocks.writeCookie(address, size);
            kept.add(address);
            freeAll(hedra, kept, size);
        }
    }

    @Test
    void aRequestLargerThanTheLimitFailsAtOnce() {
        try (NativeAllocator hedra = limited()) {
            long block = hedra.malloc(1000);
            Blocks.writeCookie(block, 1000);
            long tooBig = LIMIT + MiB;
            assertNamesLimitAndRequest(assertThrows(OutOfMemoryError.class, () -> hedra.malloc(tooBig)), tooBig, tooBig);
            assertNamesLimitAndRequest(assertThrows(OutOfMemoryError.class, () -> hedra.calloc(tooBig)), tooBig, tooBig);
            assertNamesLimitAndRequest(assertThrows(OutOfMemoryError.class, () -> hedra.malloc(tooBig, 4096)),
                    tooBig, tooBig);
            // A failed realloc leaves the block where it was, intact and live.
            assertNamesLimitAndRequest(assertThrows(OutOfMemoryError.class, () -> hedra.realloc(block, tooBig)),
                    tooBig, tooBig);
            Blocks.checkCookie(block, 1000);
            assertEquals(1, hedra.stats().liveBlocks());
            long big = hedra.malloc(LIMIT / 2);
            hedra.free(big);
            hedra.free(block, 1000);
        }
    }

    @Test
    void aHugeReallocMovesPagesSoItNeedsNoRoomForACopy() {
        try (NativeAllocator hedra = limited()) {
            long block = hedra.malloc(36 * MiB);
            Blocks.fill(block, 36 * MiB, 7);
            // A copying realloc would hold 36 + 48 MiB at once, past the 64 MiB limit.
            long grown;
            try {
                grown = hedra.realloc(block, 48 * MiB);
            } catch (OutOfMemoryError copied) { // a test failure, not an error that stops the run
                throw new AssertionError("the realloc needed room for a copy", copied);
            }
            Blocks.assertPattern(grown, 36 * MiB, 7, "grown by realloc");
            assertEquals(48 * MiB, hedra.usableSize(grown));
            Blocks.fill(grown, 48 * MiB, 8);
            // Past the limit: refused, and the block stays where it was, intact and live.
            OutOfMemoryError oom = assertThrows(OutOfMemoryError.class, () -> hedra.realloc(grown, 70 * MiB));
            assertTrue(oom.getMessage().contains("limited"), oom::getMessage);
            Messages.assertNamesBytes(oom, "limit", LIMIT);
            Blocks.assertPattern(grown, 48 * MiB, 8, "after a refused realloc");
            assertEquals(1, hedra.stats().liveBlocks());
            long shrunk = hedra.realloc(grown, 3 * MiB);
            Blocks.assertPattern(shrunk, 3 * MiB, 8, "shrunk by realloc");
            long other = hedra.malloc(40 * MiB); // the shrink gave the rest back
            hedra.free(other);
            hedra.free(shrunk, 3 * MiB);
            assertEquals(0, hedra.stats().liveBlocks());
        }
    }

    @Test
    void hugeBlocksCountAgainstTheLimit() {
        try (NativeAllocator hedra = limited()) {
            long first = hedra.malloc(40 * MiB);
            OutOfMemoryError oom = assertThrows(OutOfMemoryError.class, () -> hedra.malloc(30 * MiB));
            assertNamesLimitAndRequest(oom, 30 * MiB, 30 * MiB);
            hedra.free(first);
            long second = hedra.malloc(30 * MiB);
            long third = hedra.malloc(30 * MiB);
            hedra.free(second);
            hedra.free(third);
        }
    }

    /** Memory freed by one kind of block serves another: freed pages count no more against the cap. */
    @Test
    void freedMemoryServesOtherKindsOfBlocks() {
        try (NativeAllocator hedra = limited()) {
            List<Long> small = fill(hedra, 64);
            int smallCount = small.size();
            freeAll(hedra, small, 64);
            long huge = hedra.malloc(48 * MiB);
            Blocks.segment(huge, 48 * MiB).fill((byte) 1);
            hedra.free(huge);

            List<Long> medium = fill(hedra, 500 * KiB);
            freeAll(hedra, medium, 500 * KiB);
            huge = hedra.malloc(48 * MiB);
            hedra.free(huge);

            List<Long> hugeBlocks = fill(hedra, 5 * MiB);
            freeAll(hedra, hugeBlocks, 5 * MiB);
            List<Long> smallAgain = fill(hedra, 64);
            assertTrue(smallAgain.size() >= smallCount * 8 / 10,
                    () -> "after cycling through other kinds only " + smallAgain.size() + " blocks of 64 bytes fit, "
                            + smallCount + " at first");
            freeAll(hedra, smallAgain, 64);
        }
    }

    /** Several threads run into the limit at once: each sees OutOfMemoryError, nothing breaks. */
    @Test
    void threadsReachingTheLimitTogether() {
        try (NativeAllocator hedra = limited()) {
            List<ThreadKind.Body> bodies = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                long size = new long[] {100, 3000, 100_000, 3 * MiB}[t];
                bodies.add(() -> {
                    List<Long> mine = new ArrayList<>();
                    try {
                        for (int i = 0; i < 1_000_000; i++) {
                            long address = hedra.malloc(size);
                            Blocks.writeCookie(address, size);
                            mine.add(address);
                        }
                        throw new AssertionError("no OutOfMemoryError for blocks of " + size);
                    } catch (OutOfMemoryError expected) {
                        Messages.assertNamesBytes(expected, "limit", LIMIT);
                    } finally {
                        for (long address : mine) {
                            Blocks.checkCookie(address, size);
                            hedra.free(address, size);
                        }
                    }
                    // With this thread's blocks gone, it can allocate again (the others may still hold theirs).
                });
            }
            ThreadKind.PLATFORM.runAll(Duration.ofSeconds(60), bodies);
            AllocatorStats stats = hedra.stats();
            assertTrue(stats.peakBytesCommitted() <= LIMIT, () -> "peak committed past the limit:\n" + stats);
            long address = hedra.malloc(32 * MiB);
            hedra.free(address);
        }
    }
}
