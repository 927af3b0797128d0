package dev.hedra;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * Memory given back waits for the purge delay (retained, reused first), then returns to the
 * system; with a zero delay it returns at once; near the limit it returns before the limit fails.
 */
class PurgeDelayTest {

    private static final long MiB = 1L << 20;

    /** Fills a first-class heap with small blocks and closes it, giving its pages back. */
    private static void fillAndClose(NativeAllocator hedra, String name) {
        try (NativeHeap heap = hedra.newHeap(name)) {
            for (int i = 0; i < 20_000; i++) {
                heap.malloc(256);
            }
        }
    }

    @Test
    void givenBackMemoryIsRetainedThenReusedThenPurgedAfterTheDelay() throws InterruptedException {
        // The slow paths' purge, without the timer (BackgroundPurgeTest covers that).
        try (NativeAllocator hedra = Hedra.builder().purgeDelay(Duration.ofSeconds(1)).backgroundPurge(false).build()) {
            fillAndClose(hedra, "first");
            AllocatorStats afterClose = hedra.stats();
            assertTrue(afterClose.bytesRetained() >= 4 * MiB, () -> "closed heap's pages wait:\n" + afterClose);

            // A new heap takes the retained pages first: nothing new is committed beyond them.
            long retained = afterClose.bytesRetained();
            try (NativeHeap heap = hedra.newHeap("second")) {
                heap.malloc(256);
                AllocatorStats reused = hedra.stats();
                assertTrue(reused.bytesRetained() < retained, () -> "a retained page was reused:\n" + reused);
            }

            Thread.sleep(1100);
            fillAndClose(hedra, "third"); // slow paths after the delay purge what has waited
            Thread.sleep(1100);
            try (NativeHeap heap = hedra.newHeap("fourth")) {
                heap.malloc(8); // a slow path: purges runs whose delay has passed
            }
            AllocatorStats later = hedra.stats();
            assertTrue(later.bytesRetained() < retained, () -> "runs past the delay were purged:\n" + later);
        }
    }

    @Test
    void aZeroDelayReturnsMemoryAtOnce() {
        try (NativeAllocator hedra = Hedra.builder().purgeDelay(Duration.ZERO).build()) {
            fillAndClose(hedra, "only");
            AllocatorStats stats = hedra.stats();
            assertEquals(0, stats.bytesRetained(), () -> stats.toString());
        }
    }

    @Test
    void retainedMemoryIsPurgedBeforeTheLimitRefusesARequest() {
        try (NativeAllocator hedra = Hedra.builder().memoryLimit(16 * MiB)
                .purgeDelay(Duration.ofHours(1)).build()) {
            fillAndClose(hedra, "first"); // about 5 MiB of pages, now retained
            assertTrue(hedra.stats().bytesRetained() > 0);
            long huge = hedra.malloc(14 * MiB); // fits only if the retained pages go back first
            hedra.free(huge);
            AllocatorStats stats = hedra.stats();
            assertEquals(0, stats.bytesRetained(), () -> stats.toString());
        }
    }

    @Test
    void aFreedHugeMapIsReusedAndCallocOfItReadsZero() {
        try (NativeAllocator hedra = Hedra.builder().purgeDelay(Duration.ofHours(1)).build()) {
            long keep = hedra.malloc(300 * MiB); // committed memory, so the retain budget allows 64 MiB
            long first = hedra.malloc(8 * MiB);
            java.lang.foreign.MemorySegment.ofAddress(first).reinterpret(8 * MiB).fill((byte) 0x5a);
            hedra.free(first);
            AllocatorStats freed = hedra.stats();
            assertTrue(freed.bytesRetained() >= 8 * MiB, () -> "the freed map is retained:\n" + freed);

            long second = hedra.calloc(6 * MiB); // fits in the retained map, trimmed to size
            assertEquals(first, second, "the retained map is reused");
            java.lang.foreign.MemorySegment block = java.lang.foreign.MemorySegment.ofAddress(second).reinterpret(6 * MiB);
            for (long offset = 0; offset < 6 * MiB; offset += 4093) {
                assertEquals(0, byteAt(block, offset), "calloc reads zero at " + offset);
            }
            assertEquals(6 * MiB, hedra.usableSize(second));
            hedra.free(second, 6 * MiB);
            hedra.free(keep);
            assertEquals(0, hedra.stats().liveBlocks());
        }
    }

    @Test
    void aRetainedMapTooSmallForARequestIsMovedIntoIt() {
        try (NativeAllocator hedra = Hedra.builder().purgeDelay(Duration.ofHours(1)).build()) {
            long keep = hedra.malloc(300 * MiB); // committed memory, so the retain budget allows 64 MiB
            long first = hedra.malloc(4 * MiB);
            fill(first, 4 * MiB, (byte) 0x5a);
            hedra.free(first);

            long grown = hedra.malloc(10 * MiB);
            java.lang.foreign.MemorySegment block = segment(grown, 10 * MiB);
            // The old pages moved into the new block (no fault, old contents), the rest is fresh.
            assertEquals(0x5a, byteAt(block, 0));
            assertEquals(0x5a, byteAt(block, 4 * MiB - 1));
            assertEquals(0, byteAt(block, 4 * MiB));
            assertEquals(0, hedra.stats().bytesRetained(), () -> "the retained map was used:\n" + hedra.stats());
            fill(grown, 10 * MiB, (byte) 1);
            hedra.free(grown);

            long zeroed = hedra.calloc(20 * MiB); // grows the retained 10 MiB map again
            assertReadsZero(zeroed, 20 * MiB);
            hedra.free(zeroed);
            hedra.free(keep);
            assertEquals(0, hedra.stats().liveBlocks());
        }
    }

    @Test
    void severalRetainedMapsFillARequestNoneOfThemHolds() {
        try (NativeAllocator hedra = Hedra.builder().purgeDelay(Duration.ofHours(1)).build()) {
            long keep = hedra.malloc(300 * MiB); // committed memory, so the retain budget allows 64 MiB
            long larger = hedra.malloc(8 * MiB);
            long smaller = hedra.malloc(6 * MiB);
            fill(larger, 8 * MiB, (byte) 0x5a);
            fill(smaller, 6 * MiB, (byte) 0x3c);
            hedra.free(smaller);
            hedra.free(larger);

            // Neither holds 10 MiB: the larger moves in whole, then the first 2 MiB of the other.
            long block = hedra.malloc(10 * MiB);
            java.lang.foreign.MemorySegment pages = segment(block, 10 * MiB);
            assertEquals(0x5a, byteAt(pages, 0));
            assertEquals(0x5a, byteAt(pages, 8 * MiB - 1));
            assertEquals(0x3c, byteAt(pages, 8 * MiB));
            assertEquals(0x3c, byteAt(pages, 10 * MiB - 1));
            AllocatorStats stats = hedra.stats();
            assertEquals(4 * MiB, stats.bytesRetained(), () -> "the rest of the smaller map stays:\n" + stats);
            long rest = hedra.malloc(4 * MiB);
            assertEquals(smaller + 2 * MiB, rest, "the rest serves the next request");
            assertEquals(0x3c, byteAt(segment(rest, 4 * MiB), 0));
            fill(block, 10 * MiB, (byte) 1);
            fill(rest, 4 * MiB, (byte) 2);
            hedra.free(block);
            hedra.free(rest);

            long zeroed = hedra.calloc(20 * MiB); // both maps again, and 6 MiB of fresh pages
            assertReadsZero(zeroed, 20 * MiB);
            assertEquals(0, hedra.stats().bytesRetained(), () -> hedra.stats().toString());
            hedra.free(zeroed);
            hedra.free(keep);
            assertEquals(0, hedra.stats().liveBlocks());
        }
    }

    @Test
    void theRestOfALargerRetainedMapStaysRetained() {
        try (NativeAllocator hedra = Hedra.builder().purgeDelay(Duration.ofHours(1)).build()) {
            long keep = hedra.malloc(300 * MiB);
            long first = hedra.malloc(24 * MiB);
            fill(first, 24 * MiB, (byte) 0x5a);
            hedra.free(first);

            long small = hedra.malloc(5 * MiB);
            assertEquals(first, small, "the retained map serves the smaller request");
            AllocatorStats stats = hedra.stats();
            // 24 MiB less the block, from the next huge-page boundary (6 MiB): 18 MiB.
            assertEquals(18 * MiB, stats.bytesRetained(), stats::toString);
            long next = hedra.calloc(12 * MiB);
            assertEquals(first + 6 * MiB, next, "the rest serves the next request");
            assertReadsZero(next, 12 * MiB);
            hedra.free(next);
            hedra.free(small);
            hedra.free(keep);
        }
    }

    @Test
    void theNewestFreedMapsAreRetainedWithinTheBudget() {
        try (NativeAllocator hedra = Hedra.builder().purgeDelay(Duration.ofHours(1)).build()) {
            long keep = hedra.malloc(300 * MiB);
            long older = hedra.malloc(40 * MiB);
            long newer = hedra.malloc(40 * MiB);
            hedra.free(older);
            hedra.free(newer); // 80 MiB would pass the 64 MiB budget: the older map goes
            AllocatorStats stats = hedra.stats();
            assertEquals(40 * MiB, stats.bytesRetained(), stats::toString);
            long again = hedra.malloc(40 * MiB);
            assertEquals(newer, again, "the newest map was kept");
            hedra.free(again);
            hedra.free(keep);
        }
    }

    private static java.lang.foreign.MemorySegment segment(long address, long size) {
        return java.lang.foreign.MemorySegment.ofAddress(address).reinterpret(size);
    }

    private static byte byteAt(java.lang.foreign.MemorySegment block, long offset) {
        return block.get(java.lang.foreign.ValueLayout.JAVA_BYTE, offset);
    }

    private static void fill(long address, long size, byte value) {
        segment(address, size).fill(value);
    }

    private static void assertReadsZero(long address, long size) {
        java.lang.foreign.MemorySegment block = segment(address, size);
        for (long offset = 0; offset < size; offset += 4093) {
            assertEquals(0, byteAt(block, offset), "calloc reads zero at " + offset);
        }
        assertEquals(0, byteAt(block, size - 1));
    }

    @Test
    void negativeDelayIsRefused() {
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> Hedra.builder().purgeDelay(Duration.ofMillis(-1)));
    }
}
