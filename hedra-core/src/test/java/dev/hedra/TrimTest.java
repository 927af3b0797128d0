package dev.hedra;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

/**
 * {@link NativeAllocator#trim}: memory the allocator holds for reuse goes back to the system at
 * once, not after the purge delay and the next call; blocks in use are untouched.
 */
class TrimTest {

    private static final long MiB = 1L << 20;
    /** Long enough that nothing is given back by the delay while a test runs. */
    private static final Duration LONG_DELAY = Duration.ofMinutes(10);

    @Test
    void givesBackWhatWaitsForReuseAtOnce() throws InterruptedException {
        try (NativeAllocator hedra = Hedra.builder().purgeDelay(LONG_DELAY).build()) {
            hedra.free(hedra.malloc(8));            // this thread has its own heap, so it adopts none
            // 20 MiB of small blocks on a thread that ends: its heap keeps 4 MiB of empty pages,
            // 4 MiB of runs wait
            Blocks.burstOnEndedThread(hedra, 100_000, 200);
            long huge = hedra.malloc(24 * MiB);     // a huge map, freed: retained if the budget allows
            Blocks.segment(huge, 24 * MiB).fill((byte) 1);
            hedra.free(huge);
            for (int i = 0; i < 10_000; i++) {      // this thread's own heap: empty pages kept
                hedra.free(hedra.malloc(1000));
            }
            AllocatorStats before = hedra.stats();
            long residentBefore = Resident.bytes();

            hedra.trim();

            AllocatorStats after = hedra.stats();
            assertTrue(before.bytesCommitted() + before.bytesRetained() >= 6 * MiB,
                    () -> "the test held memory to give back:\n" + before);
            assertEquals(0, after.bytesRetained(), () -> "nothing waits for reuse:\n" + after);
            assertTrue(after.bytesCommitted() <= 2 * MiB,
                    () -> "what stays after trim:\nbefore\n" + before + "\nafter\n" + after);
            long givenBack = before.bytesCommitted() + before.bytesRetained() - after.bytesCommitted();
            long residentAfter = Resident.bytes();
            if (residentBefore > 0) { // Linux: the memory left the process, not only the statistics
                assertTrue(residentBefore - residentAfter >= givenBack / 2, () -> "resident "
                        + residentBefore / MiB + " -> " + residentAfter / MiB + " MiB; given back " + givenBack / MiB);
            }

            // The allocator goes on working: memory faults in again where it is reused.
            Blocks.roundTrip(hedra, 200);
        }
    }

    @Test
    void leavesBlocksInUseIntact() throws InterruptedException {
        try (NativeAllocator hedra = Hedra.builder().purgeDelay(LONG_DELAY).build()) {
            int count = 20_000;
            long[] blocks = new long[count];
            Thread owner = new Thread(() -> {
                for (int i = 0; i < count; i++) {
                    blocks[i] = hedra.malloc(16 + i % 2000);
                    Blocks.writeCookie(blocks[i], 16 + i % 2000);
                }
            });
            owner.start();
            owner.join();
            Blocks.burstOnEndedThread(hedra, 50_000, 64);
            for (int i = 0; i < count; i += 2) { // half of the blocks freed before the trim
                hedra.free(blocks[i], 16 + i % 2000);
            }
            hedra.trim();
            for (int i = 1; i < count; i += 2) {
                Blocks.checkCookie(blocks[i], 16 + i % 2000);
                hedra.free(blocks[i], 16 + i % 2000);
            }
            assertEquals(0, hedra.stats().liveBlocks());
        }
    }

    @Test
    void givesBackPagesOtherThreadsEmptiedInALiveThreadsHeap() throws InterruptedException {
        try (NativeAllocator hedra = Hedra.builder().purgeDelay(LONG_DELAY).build()) {
            int count = 40_000;
            long size = 256;
            long[] blocks = new long[count];
            CountDownLatch allocated = new CountDownLatch(1);
            CountDownLatch trimmed = new CountDownLatch(1);
            Throwable[] failure = new Throwable[1];
            Thread owner = new Thread(() -> {
                try {
                    for (int i = 0; i < count; i++) {
                        blocks[i] = hedra.malloc(size);
                        Blocks.writeCookie(blocks[i], size);
                    }
                    allocated.countDown();
                    trimmed.await();
                    // The owner comes back: its purged pages fault in again, and serve.
                    for (int i = 0; i < count; i++) {
                        blocks[i] = hedra.malloc(size);
                        Blocks.writeCookie(blocks[i], size);
                    }
                    for (int i = 0; i < count; i++) {
                        Blocks.checkCookie(blocks[i], size);
                        hedra.free(blocks[i], size);
                    }
                } catch (Throwable t) {
                    failure[0] = t;
                }
            });
            owner.start();
            allocated.await();
            for (int i = 0; i < count; i++) {      // every block freed by another thread
                Blocks.checkCookie(blocks[i], size);
                hedra.free(blocks[i], size);
            }
            long purgedBefore = hedra.stats().bytesPurgedIdle();
            hedra.trim();                          // the owner is not idle for the delay: trim does not wait for it
            long purged = hedra.stats().bytesPurgedIdle() - purgedBefore;
            trimmed.countDown();
            owner.join();
            if (failure[0] != null) {
                throw new AssertionError(failure[0]);
            }
            assertTrue(purged >= 8 * MiB, () -> "pages purged in the live owner's heap: " + purged);
            assertEquals(0, hedra.stats().liveBlocks());
        }
    }

    /** A block of every small size, allocated and freed: every class gets a current page, left empty. */
    private static void touchEveryClass(java.util.function.LongUnaryOperator malloc,
            java.util.function.LongConsumer free) {
        for (long size = 8; size <= 32 * 1024; size += 8) {
            free.accept(malloc.applyAsLong(size));
        }
    }

    @Test
    void emptyCurrentPagesGoBackFromTheCallersAVirtualThreadsAndAFirstClassHeap() throws InterruptedException {
        // Each heap below ends up with an empty current page in every class (35 MiB in all),
        // which a heap keeps for its next allocation of that class; trim() gives them back.
        try (NativeAllocator hedra = Hedra.builder().purgeDelay(LONG_DELAY).build()) {
            touchEveryClass(hedra::malloc, hedra::free);
            Thread.ofVirtual().start(() -> touchEveryClass(hedra::malloc, hedra::free)).join();
            NativeHeap heap = hedra.newHeap("idle");
            touchEveryClass(heap::malloc, heap::free);
            AllocatorStats before = hedra.stats();

            hedra.trim();

            AllocatorStats after = hedra.stats();
            assertTrue(before.bytesCommitted() >= 3 * 30 * MiB, () -> "three heaps' current pages:\n" + before);
            assertTrue(after.bytesCommitted() <= 2 * MiB, () -> "nothing is live:\n" + after);
            // Each heap allocates again from fresh current pages.
            touchEveryClass(hedra::malloc, hedra::free);
            touchEveryClass(heap::malloc, heap::free);
            heap.close();
            assertEquals(0, hedra.stats().liveBlocks());
        }
    }

    @Test
    void aClosedAllocatorRefuses() {
        NativeAllocator hedra = Hedra.builder().build();
        hedra.close();
        assertThrows(IllegalStateException.class, hedra::trim);
    }

    @Test
    void theProcessWideAllocatorTrimsToo() {
        NativeAllocator hedra = Hedra.allocator();
        long block = hedra.malloc(100);
        hedra.free(block);
        hedra.trim();
        long again = hedra.malloc(100);
        hedra.free(again);
    }
}
